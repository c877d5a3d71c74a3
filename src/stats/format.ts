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
import type { Distribution } from '../events.ts';

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
