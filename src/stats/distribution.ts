/**
 * Latency distributions: the numbers every summary, table and JSON report is
 * made of. Pure: no I/O, no clock. n, min, max and mean are exact; rounding
 * is the formatter's job (./format.ts).
 *
 *   distribution([2412.5, 2388.1, 2470.9])
 *   // {n: 3, min: 2388.1, mean: 2423.83.., p50: 2412.5, p95: 2470.9, p99: 2470.9, max: 2470.9}
 *
 * Percentiles come from an HdrHistogram (./hdr.ts: µs, 3 significant
 * digits), by HdrHistogram's definition: the p-th percentile is the value
 * at or above rank ceil(p/100 × n), within 3 significant digits (no
 * interpolation between ranks). Of the values in that histogram bucket the
 * largest sample is reported, so every percentile is a measured value within
 * 0.1% of the one at its rank; p0 = min, p100 = max, and a single value is
 * every percentile. Negative values (clock-offset noise) are recorded
 * shifted by the minimum, since a histogram holds values >= 0.
 *
 * Non-finite input (NaN, ±Infinity) is a bug upstream (a missing timestamp),
 * never a latency: it throws a RangeError instead of poisoning the summary.
 */
import type { Distribution, RoundResult, RunSummary } from '../events.ts';
import { newHistogram, US_PER_MS } from './hdr.ts';

/** The distribution of nothing: n = 0, every statistic null. */
export function emptyDistribution(): Distribution {
  return { n: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
}

/** Throws a RangeError naming the first non-finite value and its index. */
export function assertFinite(values: readonly number[], what = 'value'): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${what} #${i} is not a finite number: ${String(v)}`);
    }
  }
}

/** A sorted copy (ascending, numeric); the input is left alone. */
export function sortedCopy(values: readonly number[]): number[] {
  // Float64Array sorts numerically (Array#sort would compare strings) and fast.
  return Array.from(Float64Array.from(values).sort());
}

/**
 * The p-th percentile (0 <= p <= 100) of values in any order, by
 * HdrHistogram's definition (see the module comment); null when empty.
 * RangeError for p outside 0..100 or a non-finite value.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  return percentiles(values, [p])[0];
}

/** The smallest and largest value (Infinity/-Infinity when empty); no spread, so no argument limit. */
function extremes(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Percentiles of the values from one histogram: [value at ps[0], ...]. HDR
 * finds the bucket (3 significant digits) of each rank; the figure is the
 * largest sample in that bucket, so it is a measured value.
 */
function percentiles(values: readonly number[], ps: readonly number[]): (number | null)[] {
  assertFinite(values);
  if (values.length === 0) return ps.map(() => null);
  const { min } = extremes(values);
  const shift = min < 0 ? min : 0;
  const us = (v: number) => Math.round((v - shift) * US_PER_MS);
  const h = newHistogram();
  for (const v of values) h.recordValue(us(v));
  // getValueAtPercentile: the highest value equivalent to the one at the rank
  const caps = ps.map((p) => (p === 0 ? -1 : h.getValueAtPercentile(p)));
  const best = ps.map((p) => (p === 0 ? min : -Infinity));
  for (const v of values) {
    const u = us(v);
    for (let i = 0; i < caps.length; i++) if (u <= caps[i] && v > best[i]) best[i] = v;
  }
  return best;
}

/** Arithmetic mean; null when empty. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Population standard deviation (divides by n, as etcd's tools/benchmark
 * reports it): how spread the latencies are. null when empty, 0 for one value.
 */
export function stddev(values: readonly number[]): number | null {
  assertFinite(values);
  const m = mean(values);
  if (m === null) return null;
  let sq = 0;
  for (const v of values) sq += (v - m) * (v - m);
  return Math.sqrt(sq / values.length);
}

/**
 * {n, min, mean, p50, p95, p99, max} of the values, in any order. All null
 * (and n = 0) for no values. Throws a RangeError on NaN or ±Infinity.
 */
export function distribution(values: readonly number[]): Distribution {
  assertFinite(values);
  const n = values.length;
  if (n === 0) return emptyDistribution();
  const { min, max } = extremes(values);
  const [p50, p95, p99] = percentiles(values, [50, 95, 99]);
  return { n, min, mean: mean(values), p50, p95, p99, max };
}

/** The non-null values of one numeric field over the rounds, in round order. */
function field(rounds: readonly RoundResult[], key: 'failoverMs' | 'detectMs' | 'electionMs' | 'dualLeaderMs' | 'staleLeaderMs'): number[] {
  const out: number[] = [];
  for (const r of rounds) {
    const v = r[key];
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

/**
 * The run's summary (DESIGN §6): distributions over all rounds. Round-level
 * figures (failover, detect, election, dual leader) come from each round's
 * non-null value, whether or not the round was ok (the orchestrator leaves
 * null what it did not measure). Agent figures need the raw per-agent
 * samples of every round, since a round's own agent distributions cannot be
 * merged into exact percentiles.
 */
export function summarize(
  rounds: readonly RoundResult[],
  agentNotify: readonly number[],
  agentReget: readonly number[],
  agentGet: readonly number[],
): RunSummary {
  return {
    failoverMs: distribution(field(rounds, 'failoverMs')),
    detectMs: distribution(field(rounds, 'detectMs')),
    electionMs: distribution(field(rounds, 'electionMs')),
    dualLeaderMs: distribution(field(rounds, 'dualLeaderMs')),
    staleLeaderMs: distribution(field(rounds, 'staleLeaderMs')),
    agentNotifyMs: distribution(agentNotify),
    agentRegetMs: distribution(agentReget),
    agentGetMs: distribution(agentGet),
  };
}
