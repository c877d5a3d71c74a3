/**
 * Latency distributions: the numbers every summary, table and JSON report is
 * made of. Pure: no I/O, no clock. Values stay at full precision; rounding is
 * the formatter's job (./format.ts).
 *
 *   distribution([2412.5, 2388.1, 2470.9])
 *   // {n: 3, min: 2388.1, mean: 2423.83.., p50: 2412.5, p95: 2465.06, p99: 2469.73.., max: 2470.9}
 *
 * Percentile definition (numpy's default, "linear", Hyndman & Fan type 7):
 * on the ascending values s[0..n-1], the p-th percentile sits at rank
 * h = (n - 1) * p / 100 and is s[⌊h⌋] + (h - ⌊h⌋) * (s[⌊h⌋ + 1] - s[⌊h⌋]):
 * linear interpolation between the two closest ranks. So p0 = min, p100 = max,
 * p50 of an even count is the mean of the middle two, and a single value is
 * every percentile.
 *
 * Non-finite input (NaN, ±Infinity) is a bug upstream (a missing timestamp),
 * never a latency: it throws a RangeError instead of poisoning the summary.
 */
import type { Distribution, RoundResult, RunSummary } from '../events.ts';

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
 * The p-th percentile (0 <= p <= 100) of values already sorted ascending,
 * by linear interpolation between closest ranks (see the module comment).
 * null for an empty array.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  // multiply before dividing: (n-1)*p is exact for the integers we pass
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo];
  if (frac === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1];
  return a + frac * (b - a);
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
  const s = sortedCopy(values);
  return {
    n,
    min: s[0],
    mean: mean(s),
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[n - 1],
  };
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
