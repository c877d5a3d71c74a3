/**
 * How the screen is split, as a pure function of the terminal size and of
 * what there is to show, so a resize reflows and the whole dashboard always
 * fits in rows - 1 lines (Ink clears the whole terminal on every frame once
 * its output reaches the terminal height: that is the flicker we avoid).
 *
 *   computeLayout({columns: 120, rows: 40, hosts: 3, masters: 2, failoverHosts: 1, rounds: 3, progress: 0, dialog: 0})
 *   // {width: 120, split: true, top: 7, failover: 5, summary: 9, log: 13, ...}
 */

export interface LayoutInput {
  columns: number;
  rows: number;
  hosts: number;
  masters: number;
  /** agent hosts in the failover view; -1 when there is no failover to show */
  failoverHosts: number;
  rounds: number;
  /** progress lines wanted under the header */
  progress: number;
  /** lines taken by a dialog or prompt above the key bar */
  dialog: number;
  /** the Hosts table's natural width (borders included), when known */
  hostsWidth?: number;
}

export interface Layout {
  width: number;
  /** total lines drawn (rows - 1) */
  height: number;
  header: number;
  progress: number;
  /** Hosts and Masters side by side (wide terminal) or stacked */
  split: boolean;
  hostsWidth: number;
  mastersWidth: number;
  /** height of Hosts (and Masters when split) */
  top: number;
  /** height of Masters when stacked (0 when split) */
  masters: number;
  failover: number;
  summary: number;
  log: number;
  dialog: number;
  status: number;
  keybar: number;
}

const HEADER = 2;
const STATUS = 1;
const KEYBAR = 1;
/** panel minimums (border 2 + a line or two): smaller than this a panel is left out */
const MIN_TOP = 4;
const MIN_SUMMARY = 4;
const MIN_LOG = 3;
const MIN_FAILOVER = 5;
const MIN_WIDTH = 20;

/**
 * The smallest terminal the dashboard draws in without wrapping: as wide as
 * the narrowest key bar of any mode, and tall enough for the header, Hosts,
 * Summary and Log at their minimum, the status line, the key bar and the
 * line left free (see above). Smaller, App shows a one-line notice instead.
 *
 *   minimumSize(59)   // {columns: 59, rows: 16}
 */
export function minimumSize(keyBarWidth: number): { columns: number; rows: number } {
  return { columns: Math.max(MIN_WIDTH, keyBarWidth), rows: HEADER + MIN_TOP + MIN_SUMMARY + MIN_LOG + STATUS + KEYBAR + 1 };
}

export function computeLayout(i: LayoutInput): Layout {
  const width = Math.max(MIN_WIDTH, i.columns);
  const height = Math.max(8, i.rows - 1);
  const dialog = i.dialog;
  // progress lines go before anything else when the screen is too small
  const progress = Math.max(0, Math.min(i.progress, 2, height - HEADER - dialog - STATUS - KEYBAR));
  let body = Math.max(0, height - HEADER - progress - dialog - STATUS - KEYBAR);
  const split = width >= 80;
  // Hosts gets its natural width when it can, Masters keeps room for a watch line
  const hostsWidth = split ? Math.max(Math.floor(width * 0.45), Math.min(i.hostsWidth ?? Math.floor(width * 0.55), width - 56)) : width;
  const mastersWidth = split ? width - hostsWidth : width;

  // what each panel would like (border 2 + header line + rows)
  const wantHosts = 3 + Math.max(1, i.hosts);
  const wantMasters = 2 + Math.max(1, i.masters) + 1 + 3; // masters, a rule, three watch lines
  const wantTop = split ? Math.max(wantHosts, wantMasters) : wantHosts;
  const hasFailover = i.failoverHosts >= 0;
  const wantFailover = hasFailover ? 4 + Math.max(1, i.failoverHosts) + (i.failoverHosts > 1 ? 1 : 0) : 0;
  const wantSummary = i.rounds > 0 ? 3 + i.rounds + 8 : 3;

  // minimums first; on a tiny terminal panels drop out (the log first, the failover last)
  const mins = { failover: hasFailover ? MIN_FAILOVER : 0, top: MIN_TOP, masters: split ? 0 : MIN_TOP, summary: MIN_SUMMARY, log: MIN_LOG };
  const order: (keyof typeof mins)[] = ['failover', 'top', 'summary', 'masters', 'log'];
  const h = { failover: 0, top: 0, masters: 0, summary: 0, log: 0 };
  for (const k of order) {
    if (mins[k] > 0 && body >= mins[k]) {
      h[k] = mins[k];
      body -= mins[k];
    }
  }
  const grow = (k: keyof typeof h, want: number, cap: number) => {
    if (h[k] === 0) return;
    const got = Math.min(Math.max(0, Math.min(want, cap) - h[k]), body);
    body -= got;
    h[k] += got;
  };
  grow('failover', wantFailover, 12);
  grow('summary', wantSummary, Math.max(9, Math.floor(height / 3)));
  grow('top', wantTop, split ? 12 : 8);
  if (!split) grow('masters', wantMasters, 10);
  if (h.log > 0) h.log += body;
  else if (h.summary > 0) h.summary += body;

  return {
    width,
    height,
    header: HEADER,
    progress,
    split,
    hostsWidth,
    mastersWidth,
    top: h.top,
    masters: h.masters,
    failover: h.failover,
    summary: h.summary,
    log: h.log,
    dialog,
    status: STATUS,
    keybar: KEYBAR,
  };
}
