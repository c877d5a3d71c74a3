/**
 * Empirical CDFs small enough to plot: at most `maxPoints` steps per series,
 * however many samples (10,000 agents × 20 rounds). Pure.
 *
 *   ecdf([30, 10, 20])                 // {x: [10, 10, 20, 30], y: [0, 0.333.., 0.666.., 1]}
 *   ecdf([30, 10, 20], {total: 4})     // y tops at 0.75: one of 4 agents never came
 *
 * The curve is a step function drawn "step-after": at x[i] it rises to y[i].
 * The first point is (smallest value, 0). When there are more samples than
 * points, the kept samples are spread evenly in rank (every k-th of the
 * sorted values, the last one always kept), so each step is about
 * 1/(maxPoints - 1) of the total high and no tail value past the kept ones is
 * lost: the curve's end is the true maximum.
 */
import { assertFinite, sortedCopy } from './distribution.ts';

export interface Ecdf {
  /** sample values, ascending (ms for latencies) */
  x: number[];
  /** fraction of `total` at or below x[i], 0..1 */
  y: number[];
}

export interface EcdfOptions {
  /** most points to keep (>= 2); default 500 */
  maxPoints?: number;
  /** the denominator (e.g. agents expected, some of which never answered); default: the sample count */
  total?: number;
}

/** The ECDF of the values (any order). Empty for no values; RangeError on NaN/Infinity or a total below the count. */
export function ecdf(values: readonly number[], opts: EcdfOptions = {}): Ecdf {
  assertFinite(values);
  const maxPoints = opts.maxPoints ?? 500;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`maxPoints must be an integer >= 2, got ${maxPoints}`);
  const n = values.length;
  const total = opts.total ?? n;
  if (!(total >= n)) throw new RangeError(`total ${total} is below the ${n} samples`);
  if (n === 0) return { x: [], y: [] };
  const s = sortedCopy(values);
  const x = [s[0]];
  const y = [0];
  // one point is the (min, 0) start; the rest go to ranks spread evenly up to n
  const steps = Math.min(n, maxPoints - 1);
  for (let k = 1; k <= steps; k++) {
    const rank = Math.round((k * n) / steps); // 1..n, the last is n
    x.push(s[rank - 1]);
    y.push(rank / total);
  }
  return { x, y };
}
