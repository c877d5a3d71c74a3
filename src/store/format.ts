/**
 * Text for numbers and results, shared by the reducer's log lines, the plain
 * printer and the views, so a round reads the same everywhere:
 *
 *   round 3 kill: localhost-m1 -> localhost-m2 failover 1712 ms detect 1690 ms
 *   election 22.2 ms agents 200/200 notify p50 1701 p99 1730 max 1736 ms re-get p99 4.1 ms
 */
import type { Distribution, RoundResult } from '../events.ts';
import { fmtMs as statsFmtMs, NONE } from '../stats/format.ts';

export { NONE };

/** A figure without its unit, for table columns: "12.3", "1712", "—" (rounding as src/stats/format.ts). */
export function fmtMs(ms: number | null | undefined): string {
  return statsFmtMs(ms ?? null).replace(/ ms$/, '');
}

/** "12.3 ms", "1712 ms", "—": the one rounding rule of src/stats/format.ts */
export function fmtMsUnit(ms: number | null | undefined): string {
  return statsFmtMs(ms ?? null);
}

/** 2 -> "2s", 0.5 -> "0.5s", null -> "-" */
export function fmtSeconds(s: number | null): string {
  return s === null ? NONE : `${s}s`;
}

/** "+3.2 ± 0.4 ms", "0 ± 0 ms" for local hosts */
export function fmtOffset(offset: number | null, uncertainty: number | null): string {
  if (offset === null) return NONE;
  const o = Math.abs(offset) < 0.05 ? '0' : `${offset > 0 ? '+' : ''}${offset.toFixed(1)}`;
  const u = uncertainty === null ? '?' : uncertainty < 0.05 ? '0' : uncertainty.toFixed(1);
  return `${o} ± ${u} ms`;
}

/** Wall-clock time of day, "15:21:07.123"; utc for stable tests. */
export function fmtClock(t: number, utc = false): string {
  if (!Number.isFinite(t) || t <= 0) return '--:--:--.---';
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return utc
    ? `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`
    : `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function fmtDistribution(d: Distribution): string {
  if (d.n === 0) return 'n=0';
  return `n=${d.n} min ${fmtMs(d.min)} mean ${fmtMs(d.mean)} p50 ${fmtMs(d.p50)} p95 ${fmtMs(d.p95)} p99 ${fmtMs(d.p99)} max ${fmtMs(d.max)} ms`;
}

const FAULT_VERB: Record<string, string> = {
  kill: 'SIGKILL',
  term: 'SIGTERM',
  pause: 'SIGSTOP',
  resign: 'resign',
  'etcd-leader': 'kill etcd leader',
};

export function faultVerb(fault: string): string {
  return FAULT_VERB[fault] ?? fault;
}

/** One line for a finished round (log, plain output). */
export function fmtRound(r: RoundResult): string {
  const parts = [
    `round ${r.round} ${r.fault}:`,
    `${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}`,
    `failover ${fmtMsUnit(r.failoverMs)}`,
    `detect ${fmtMsUnit(r.detectMs)}`,
    `election ${fmtMsUnit(r.electionMs)}`,
  ];
  if (r.dualLeaderMs !== null) parts.push(`dual-leader ${fmtMsUnit(r.dualLeaderMs)}`);
  if (r.agents.count > 0) {
    const n = r.agents.notifyMs;
    parts.push(
      `agents ${r.agents.notified}/${r.agents.count}`,
      `notify p50 ${fmtMs(n.p50)} p99 ${fmtMs(n.p99)} max ${fmtMs(n.max)} ms`,
      `re-get p99 ${fmtMsUnit(r.agents.regetMs.p99)}`,
    );
  }
  if (!r.ok) parts.push(`FAILED${r.error ? `: ${r.error}` : ''}`);
  return parts.join(' ');
}
