/**
 * How the screen is split, as a pure function of the terminal size and of
 * what there is to show, so a resize reflows and the whole dashboard always
 * fits in rows - 1 lines (Ink clears the whole terminal on every frame once
 * its output reaches the terminal height: that is the flicker we avoid).
 *
 *   computeLayout({columns: 120, rows: 40, hosts: 3, masters: 2, failoverHosts: 1, rounds: 3, progress: 0, dialog: 0})
 *   // {width: 120, split: true, top: 8, failover: 5, summary: 11, log: 10, ...}
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
/** a panel is two border lines + at least its header line + one row */
const MIN_PANEL = 3;

export function computeLayout(i: LayoutInput): Layout {
  const width = Math.max(20, i.columns);
  const height = Math.max(8, i.rows - 1);
  const progress = Math.min(i.progress, 2);
  const dialog = i.dialog;
  let body = Math.max(0, height - HEADER - progress - dialog - STATUS - KEYBAR);
  const split = width >= 100;
  const hostsWidth = split ? Math.floor(width * 0.55) : width;
  const mastersWidth = split ? width - hostsWidth : width;

  // what each panel would like (border 2 + header line + rows)
  const wantHosts = 3 + Math.max(1, i.hosts);
  const wantMasters = 3 + Math.max(1, i.masters) + 4; // masters, a rule, a few watch lines
  const wantTop = split ? Math.max(wantHosts, wantMasters) : wantHosts;
  const wantFailover = i.failoverHosts < 0 ? 0 : 4 + Math.max(1, i.failoverHosts) + (i.failoverHosts > 1 ? 1 : 0);
  const wantSummary = 3 + Math.max(1, i.rounds) + (i.rounds > 0 ? 7 : 0);

  // minimums first, then grow in order of importance, the log takes the rest
  let top = Math.min(MIN_PANEL + 1, body);
  body -= top;
  let masters = 0;
  if (!split) {
    masters = Math.min(MIN_PANEL + 1, body);
    body -= masters;
  }
  let failover = wantFailover > 0 ? Math.min(MIN_PANEL + 1, body) : 0;
  body -= failover;
  let summary = Math.min(MIN_PANEL, body);
  body -= summary;
  let log = Math.min(MIN_PANEL, body);
  body -= log;

  const grow = (have: number, want: number, cap: number) => {
    const add = Math.max(0, Math.min(want, cap) - have);
    const got = Math.min(add, body);
    body -= got;
    return have + got;
  };
  failover = wantFailover > 0 ? grow(failover, wantFailover, 12) : 0;
  top = grow(top, wantTop, split ? 12 : 8);
  if (!split) masters = grow(masters, wantMasters, 10);
  summary = grow(summary, wantSummary, Math.max(8, Math.floor(height / 3)));
  log += body;

  return { width, height, header: HEADER, progress, split, hostsWidth, mastersWidth, top, masters, failover, summary, log, dialog, status: STATUS, keybar: KEYBAR };
}
