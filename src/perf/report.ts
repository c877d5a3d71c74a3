/**
 * What `bench` reports, and how it reads (pure: no I/O). The speed and
 * memory goals are RATIOS against peers measured side by side in the same
 * run, never absolute timings: a ratio survives a slower or busier machine,
 * a millisecond figure does not.
 *
 *   N=5000, 3 round(s)               n  ready  notify p50    p99    max  new master p50     p99     max  missing  errors
 *   ours (agents worker)          5000  12447         572   1021   1028            3696    5410    5480        0       0
 *   bare watchers (floor)         5000   7692         316    499    508            3074    4256    4266        0       0
 *   etcdctl watch (processes)      100   1580        16.0   28.3   30.8            18.1    24.6    24.7        0       0
 *   ours / bare                         1.62x       1.81x  2.05x  2.03x           1.20x   1.27x   1.28x
 *   ours / etcdctl (5000 vs 100)        7.88x       35.8x  36.1x  33.3x          204.0x  219.8x  222.2x
 */
import type { Distribution } from '../events.ts';
import type { ReducerResult } from './reducer-throughput.ts';

export type PeerName = 'ours' | 'bare' | 'etcdctl';

export const PEER_LABELS: Record<PeerName, string> = {
  ours: 'ours (agents worker)',
  bare: 'bare watchers (floor)',
  etcdctl: 'etcdctl watch (processes)',
};

export interface PeerRun {
  peer: PeerName;
  label: string;
  /** watchers measured (etcdctl: processes) */
  watchers: number;
  rounds: number;
  /** spawn -> every watcher in place (ours: every agent got the master and watches) */
  readyMs: number | null;
  /** DELETE sent -> the watcher saw it, every watcher of every round */
  notifyMs: Distribution;
  /** new master PUT sent -> ours `got-master`, bare PUT seen + ego_conf read, etcdctl PUT line */
  newMasterMs: Distribution;
  /** bare only: PUT sent -> PUT seen (before its ego_conf read) */
  putSeenMs: Distribution | null;
  /** samples expected (watchers x rounds x 2) and not seen before the deadline */
  missing: number;
  errors: number;
  firstError: string | null;
  /** child clock - our clock (Cristian, best of 8); 0 for etcdctl, stamped here */
  clockOffsetMs: number;
  clockUncertaintyMs: number;
  /** VmRSS once every watcher is in place; etcdctl: mean per process */
  rssKiB: number | null;
  /** VmRSS after the rounds */
  rssAfterKiB: number | null;
  /** why this peer has no figures, or null */
  failed: string | null;
}

/** a / b for the same statistic; null when either is missing or b is not positive */
export interface RatioSet {
  readyMs: number | null;
  notifyP50: number | null;
  notifyP99: number | null;
  notifyMax: number | null;
  newMasterP50: number | null;
  newMasterP99: number | null;
  newMasterMax: number | null;
}

export interface FanoutResult {
  n: number;
  ours: PeerRun;
  bare: PeerRun;
  etcdctl: PeerRun;
  ratios: { oursOverBare: RatioSet; oursOverEtcdctl: RatioSet };
  /** etcd still had watchers of a previous peer when a peer of this N began (20 s wait) */
  unsettled: boolean;
}

export interface MemoryResult {
  n: number;
  oursRssKiB: number | null;
  bareRssKiB: number | null;
  /** VmRSS of the same program with no watchers */
  oursBaseKiB: number | null;
  bareBaseKiB: number | null;
  /** (RSS at N - base) / N */
  oursPerWatcherKiB: number | null;
  barePerWatcherKiB: number | null;
  /** oursPerWatcher / barePerWatcher */
  ratio: number | null;
  /** one etcdctl watch process, for scale */
  etcdctlPerProcessKiB: number | null;
}

export interface BenchResult {
  config: {
    agents: number[];
    rounds: number;
    quick: boolean;
    etcdctlMax: number;
    endpoints: string[];
    etcdVersion: string | null;
    nodeVersion: string;
    cpus: number;
    openFileLimit: number | null;
    /** --agents values lowered to fit the open-file limit */
    capped: { requested: number; used: number }[];
  };
  fanout: FanoutResult[];
  memory: MemoryResult[];
  /** null: src/store/reduce.ts is not there */
  reducer: ReducerResult | null;
  ok: boolean;
  errors: string[];
  durationMs: number;
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

export function ratioSet(a: PeerRun, b: PeerRun): RatioSet {
  return {
    readyMs: ratio(a.readyMs, b.readyMs),
    notifyP50: ratio(a.notifyMs.p50, b.notifyMs.p50),
    notifyP99: ratio(a.notifyMs.p99, b.notifyMs.p99),
    notifyMax: ratio(a.notifyMs.max, b.notifyMs.max),
    newMasterP50: ratio(a.newMasterMs.p50, b.newMasterMs.p50),
    newMasterP99: ratio(a.newMasterMs.p99, b.newMasterMs.p99),
    newMasterMax: ratio(a.newMasterMs.max, b.newMasterMs.max),
  };
}

export function memoryOf(n: number, ours: PeerRun, bare: PeerRun, etcdctl: PeerRun, oursBase: number | null, bareBase: number | null): MemoryResult {
  const per = (rss: number | null, base: number | null) => (rss === null || base === null || n <= 0 ? null : (rss - base) / n);
  const oursPer = per(ours.rssKiB, oursBase);
  const barePer = per(bare.rssKiB, bareBase);
  return {
    n,
    oursRssKiB: ours.rssKiB,
    bareRssKiB: bare.rssKiB,
    oursBaseKiB: oursBase,
    bareBaseKiB: bareBase,
    oursPerWatcherKiB: oursPer,
    barePerWatcherKiB: barePer,
    ratio: ratio(oursPer, barePer),
    etcdctlPerProcessKiB: etcdctl.rssKiB,
  };
}

// ---------------------------------------------------------------- text

const NONE = '—';
/**
 * RSS growth below this says little per watcher: V8's new space alone (two
 * semi-spaces of up to 16 MiB) moves RSS by that much whatever the count.
 */
const NOISE_KIB = 32 * 1024;

/** ms as a table cell: one decimal below 100, whole from 100 */
export function cellMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return Math.abs(ms) < 100 ? ms.toFixed(1) : Math.round(ms).toFixed(0);
}

export function cellRatio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return NONE;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x`;
}

function cellNum(v: number | null, digits = 0): string {
  return v === null || !Number.isFinite(v) ? NONE : v.toFixed(digits);
}

/** Columns: first left-aligned, the rest right-aligned; two spaces between. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}

function peerRow(p: PeerRun): string[] {
  if (p.failed) return [p.label, String(p.watchers), 'failed'];
  return [
    p.label,
    String(p.watchers),
    cellMs(p.readyMs),
    cellMs(p.notifyMs.p50),
    cellMs(p.notifyMs.p99),
    cellMs(p.notifyMs.max),
    cellMs(p.newMasterMs.p50),
    cellMs(p.newMasterMs.p99),
    cellMs(p.newMasterMs.max),
    String(p.missing),
    String(p.errors),
  ];
}

function ratioRow(label: string, r: RatioSet): string[] {
  return [label, '', cellRatio(r.readyMs), cellRatio(r.notifyP50), cellRatio(r.notifyP99), cellRatio(r.notifyMax), cellRatio(r.newMasterP50), cellRatio(r.newMasterP99), cellRatio(r.newMasterMax), '', ''];
}

export function formatFanout(f: FanoutResult, rounds: number): string[] {
  // etcdctl runs fewer watchers than N from N > 100 on: say so where the ratio is
  const etcdctlLabel = f.etcdctl.watchers === f.ours.watchers ? 'ours / etcdctl' : `ours / etcdctl (${f.ours.watchers} vs ${f.etcdctl.watchers})`;
  const head = [`N=${f.n}, ${rounds} round(s)`, 'n', 'ready', 'notify p50', 'p99', 'max', 'new master p50', 'p99', 'max', 'missing', 'errors'];
  const lines = table([head, peerRow(f.ours), peerRow(f.bare), peerRow(f.etcdctl), ratioRow('ours / bare', f.ratios.oursOverBare), ratioRow(etcdctlLabel, f.ratios.oursOverEtcdctl)]);
  const notes: string[] = [];
  for (const p of [f.ours, f.bare, f.etcdctl]) {
    if (p.failed) notes.push(`  ${p.peer} failed: ${p.failed}`);
    if (p.firstError) notes.push(`  ${p.peer}: ${p.errors} error(s), first: ${p.firstError}`);
  }
  if (f.unsettled) notes.push('  note: etcd still held watchers of a previous peer when a peer of this N began');
  return [...lines, ...notes];
}

export function formatMemory(m: MemoryResult[]): string[] {
  const kib = (v: number | null) => (v === null ? NONE : (v / 1024).toFixed(1));
  const rows = [['N', 'ours MiB', 'bare MiB', 'ours KiB/watcher', 'bare KiB/watcher', 'ours / bare', 'etcdctl MiB/process']];
  const noisy = (rss: number | null, base: number | null) => rss !== null && base !== null && rss - base < NOISE_KIB;
  let anyNoisy = false;
  for (const x of m) {
    const mark = noisy(x.oursRssKiB, x.oursBaseKiB) || noisy(x.bareRssKiB, x.bareBaseKiB) ? '~' : '';
    if (mark) anyNoisy = true;
    rows.push([String(x.n), kib(x.oursRssKiB), kib(x.bareRssKiB), mark + cellNum(x.oursPerWatcherKiB, 1), mark + cellNum(x.barePerWatcherKiB, 1), mark + cellRatio(x.ratio), kib(x.etcdctlPerProcessKiB)]);
  }
  const base = m[0];
  const lines = table(rows);
  if (base) lines.push(`  per watcher = (VmRSS at N - VmRSS of the same program with 0 watchers: ours ${kib(base.oursBaseKiB)} MiB, bare ${kib(base.bareBaseKiB)} MiB) / N`);
  if (anyNoisy) lines.push(`  ~ : a process grew by less than ${NOISE_KIB / 1024} MiB, within V8 new-space noise; read the larger N`);
  return lines;
}

export function formatReducer(r: ReducerResult | null): string[] {
  if (!r) return ['store reducer: src/store/reduce.ts not available, skipped'];
  const us = (ns: number) => (ns / 1000).toFixed(2);
  return [
    `store reducer, ${r.events} events of one failover (best of ${r.repetitions}):`,
    `  reduce ${us(r.reduceNsPerEvent)} µs/event (${Math.round(r.reduceEventsPerSec).toLocaleString('en-US')}/s), trivial copy-and-count reducer ${us(r.baselineNsPerEvent)} µs/event: ${cellRatio(r.ratio)}`,
  ];
}

/** The whole report, as printed on stdout. */
export function formatReport(r: BenchResult): string {
  const c = r.config;
  const out: string[] = [
    `etcd-election-bench bench: etcd ${c.etcdVersion ?? '?'} (3 members on loopback), node ${c.nodeVersion}, ${c.cpus} CPU(s), ulimit -n ${c.openFileLimit ?? '?'}`,
    '',
    'Notification fan-out: DELETE /master reaches every watcher (notify), then a new /master + /ego_conf txn PUT',
    '(new master: ours = got-master, i.e. watch event + ego_conf read; bare = PUT event + one ego_conf read;',
    `etcdctl = PUT line, no read). ms on this machine's clock; etcdctl runs min(N, ${c.etcdctlMax}) processes.`,
    '',
  ];
  for (const f of r.fanout) out.push(...formatFanout(f, c.rounds), '');
  out.push('Memory: VmRSS once all N watchers are in place', ...formatMemory(r.memory), '');
  out.push(...formatReducer(r.reducer), '');
  for (const x of c.capped) out.push(`note: --agents ${x.requested} lowered to ${x.used} to fit ulimit -n ${c.openFileLimit}`);
  for (const e of r.errors) out.push(`error: ${e}`);
  out.push(`${r.ok ? 'ok' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s`);
  return out.join('\n') + '\n';
}
