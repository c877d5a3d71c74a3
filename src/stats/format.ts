/**
 * How latencies read on screen and in plain output, in one place so the TUI,
 * the plain reporter and `summary` agree.
 *
 *   fmtMs(12.34)    // "12.3 ms"
 *   fmtMs(2412.47)  // "2412 ms"
 *   fmtMs(null)     // "—"
 *   fmtDist(d)      // "p50 2412 ms / p95 2480 ms / p99 2496 ms / max 2501 ms"
 *
 * Always milliseconds, so columns compare at a glance: one decimal below
 * 100 ms (where the tenth still means something), whole ms from 100 up.
 */
import type { Distribution, RoundResult } from '../events.ts';

/** Placeholder for a figure that does not exist (not measured, no samples). */
export const NONE = '—';

/** "12.3 ms", "2412 ms"; "—" for null (and for NaN/Infinity, which are no figure either). */
export function fmtMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  const tenth = Math.round(ms * 10) / 10;
  // decide on the rounded value, so 99.96 reads "100 ms", not "100.0 ms"
  const text = Math.abs(tenth) < 100 ? tenth.toFixed(1) : Math.round(ms).toFixed(0);
  // no "-0.0 ms" for a tiny negative (clock-offset noise)
  return `${Number(text) === 0 ? text.replace(/^-/, '') : text} ms`;
}

/** "p50 x / p95 y / p99 z / max w", each as fmtMs; all "—" when there are no samples. */
export function fmtDist(d: Distribution): string {
  return `p50 ${fmtMs(d.p50)} / p95 ${fmtMs(d.p95)} / p99 ${fmtMs(d.p99)} / max ${fmtMs(d.max)}`;
}

/** A figure without its unit, for table columns: "12.3", "1712", "—". */
export function fmtNum(ms: number | null | undefined): string {
  return fmtMs(ms ?? null).replace(/ ms$/, '');
}

/** "12.3 ms", "1712 ms", "—" (undefined reads as null). */
export function fmtMsUnit(ms: number | null | undefined): string {
  return fmtMs(ms ?? null);
}

/** 2 -> "2s", 0.5 -> "0.5s", null -> "—" */
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

/** "n=3 min 1918 mean 2226 p50 2353 p95 2402 p99 2406 max 2407 ms" */
export function fmtDistribution(d: Distribution): string {
  if (d.n === 0) return 'n=0';
  return `n=${d.n} min ${fmtNum(d.min)} mean ${fmtNum(d.mean)} p50 ${fmtNum(d.p50)} p95 ${fmtNum(d.p95)} p99 ${fmtNum(d.p99)} max ${fmtNum(d.max)} ms`;
}

/**
 * One line for a finished round (log, plain output):
 *   round 3 kill: m1 -> m2 failover 1712 ms detect 1690 ms election 22.0 ms agents 200/200 notify p50 1701 p99 1730 max 1736 ms re-get p99 4.1 ms
 */
export function fmtRound(r: RoundResult): string {
  const parts = [`round ${r.round} ${r.fault}:`];
  if (r.outcome === 'none') parts.push(`${r.oldMaster ?? '?'} kept its lease: no failover`);
  else parts.push(`${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}`, `failover ${fmtMsUnit(r.failoverMs)}`, `detect ${fmtMsUnit(r.detectMs)}`, `election ${fmtMsUnit(r.electionMs)}`);
  if (r.dualLeaderMs !== null) parts.push(`dual-leader ${fmtMsUnit(r.dualLeaderMs)}`);
  if (r.staleLeaderMs !== null && r.staleLeaderMs !== undefined) parts.push(`stale-leader ${fmtMsUnit(r.staleLeaderMs)}`);
  if (r.recoveryMs !== undefined) parts.push(`master recovered ${fmtMsUnit(r.recoveryMs)}`);
  if (r.agents.count > 0) {
    const n = r.agents.notifyMs;
    parts.push(`agents ${r.agents.notified}/${r.agents.count}`);
    if (n.n > 0) parts.push(`notify p50 ${fmtNum(n.p50)} p99 ${fmtNum(n.p99)} max ${fmtNum(n.max)} ms`, `re-get p99 ${fmtMsUnit(r.agents.regetMs.p99)}`);
    if (r.agents.lost > 0) parts.push(`lost ${r.agents.lost}`);
  }
  if (!r.ok) parts.push(`FAILED${r.error ? `: ${r.error}` : ''}`);
  return parts.join(' ');
}

/** What a fault did, as the fault event names it ("SIGKILL"); its kind when the event does not say. */
export function faultVerb(fault: string, verb?: string | null): string {
  return verb ?? fault;
}
