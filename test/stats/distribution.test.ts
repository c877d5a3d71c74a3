import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { distribution, emptyDistribution, mean, percentile, sortedCopy, stddev, summarize } from '../../src/stats/distribution.ts';
import type { Distribution, RoundResult } from '../../src/events.ts';

/** equal within 1e-9 relative, for interpolated floats */
function near(actual: number | null, expected: number, msg?: string): void {
  assert.ok(actual !== null, msg ?? `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), msg ?? `expected ${expected}, got ${actual}`);
}

/**
 * within HdrHistogram's precision: 3 significant digits, i.e. 0.1% of the value
 * (src/stats/hdr.ts records whole µs with 3 significant digits)
 */
function within(actual: number | null, expected: number, msg?: string): void {
  assert.ok(actual !== null, msg ?? `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= 1e-3 * Math.abs(expected) + 1e-9, msg ?? `expected ${expected} within 0.1%, got ${actual}`);
}

const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile (HdrHistogram)', () => {
  it('takes the value at or above the rank, like HdrHistogram (no interpolation)', () => {
    // Was numpy's linear interpolation (1, 1.75, 2.5, 3.25, 4). HDR's definition: the
    // recorded value at or above rank ceil(p/100 * n), within 3 significant digits.
    near(percentile([1, 2, 3, 4], 0), 1);
    within(percentile([1, 2, 3, 4], 25), 1);
    within(percentile([1, 2, 3, 4], 50), 2);
    within(percentile([1, 2, 3, 4], 75), 3);
    near(percentile([1, 2, 3, 4], 100), 4);
    // numpy: 9.55, 9.91 for 1..10; HDR: rank ceil(9.5) = ceil(9.9) = 10 -> 10
    within(percentile(oneToTen, 95), 10);
    within(percentile(oneToTen, 99), 10);
    // numpy: 50.5, 95.05, 99.01 for 1..100; HDR: ranks 50, 95, 99
    within(percentile(oneToHundred, 50), 50);
    within(percentile(oneToHundred, 95), 95);
    within(percentile(oneToHundred, 99), 99);
  });

  it('lands on a sample (within 3 significant digits) whatever the order', () => {
    within(percentile([30, 10, 20], 50), 20);
    within(percentile([50, 40, 30, 20, 10], 25), 20);
  });

  it('returns null for no values and the value itself for one', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7.5], 0), 7.5);
    assert.equal(percentile([7.5], 99), 7.5);
    assert.equal(percentile([7.5], 100), 7.5);
  });

  it('rejects p outside 0..100', () => {
    assert.throws(() => percentile([1], -1), RangeError);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

describe('distribution', () => {
  it('Given latencies in any order, Then it summarizes them sorted', () => {
    const d = distribution([2470.9, 2388.1, 2412.5]);
    assert.equal(d.n, 3);
    assert.equal(d.min, 2388.1);
    assert.equal(d.max, 2470.9);
    near(d.mean, 7271.5 / 3);
    // HDR (value at or above the rank, within 3 significant digits; numpy gave 2465.06, 2469.73)
    within(d.p50, 2412.5);
    within(d.p95, 2470.9);
    within(d.p99, 2470.9);
  });

  it('matches the ranks on 1..100 shuffled', () => {
    const shuffled = [...oneToHundred].sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    assert.notDeepEqual(shuffled, oneToHundred);
    const d = distribution(shuffled);
    assert.equal(d.n, 100);
    assert.equal(d.min, 1);
    assert.equal(d.max, 100);
    near(d.mean, 50.5);
    // HDR ranks 50, 95, 99 (numpy interpolated 50.5, 95.05, 99.01)
    within(d.p50, 50);
    within(d.p95, 95);
    within(d.p99, 99);
  });

  it('keeps full precision (no rounding)', () => {
    const d = distribution([0.123456789, 0.123456789]);
    assert.equal(d.min, 0.123456789);
    assert.equal(d.p50, 0.123456789);
    assert.equal(d.mean, 0.123456789);
  });

  it('sorts numerically, not as strings, and handles negatives (clock skew)', () => {
    const d = distribution([10, 9, 100, -2]);
    assert.equal(d.min, -2);
    assert.equal(d.max, 100);
    // HDR: rank 2 of [-2, 9, 10, 100] (numpy interpolated 9.5)
    within(d.p50, 9);
  });

  it('is all null for no values', () => {
    const empty: Distribution = { n: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
    assert.deepEqual(distribution([]), empty);
    assert.deepEqual(emptyDistribution(), empty);
  });

  it('gives one value for every statistic of a single sample', () => {
    assert.deepEqual(distribution([42]), { n: 1, min: 42, mean: 42, p50: 42, p95: 42, p99: 42, max: 42 });
  });

  it('does not modify its input', () => {
    const input = [3, 1, 2];
    distribution(input);
    assert.deepEqual(input, [3, 1, 2]);
  });

  it('rejects NaN and infinities, naming the index', () => {
    assert.throws(() => distribution([1, Number.NaN]), { name: 'RangeError', message: /#1 .*NaN/ });
    assert.throws(() => distribution([Infinity]), RangeError);
    assert.throws(() => distribution([1, -Infinity, 3]), RangeError);
  });

  it('every percentile is within 0.1% of the sample at its rank (latency-like values)', () => {
    // a deterministic spread from 0.2 ms to ~5 s, as agents' notify times are
    let x = 12345;
    const values = Array.from({ length: 5000 }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return 0.2 + (x / 2 ** 31) ** 3 * 5000;
    });
    const s = sortedCopy(values);
    const d = distribution(values);
    assert.equal(d.min, s[0]);
    assert.equal(d.max, s[s.length - 1]);
    for (const [p, got] of [[50, d.p50], [95, d.p95], [99, d.p99]] as const) {
      within(got, s[Math.ceil((p / 100) * s.length) - 1], `p${p}`);
    }
  });

  it('copes with a large sample (no argument-spread limits)', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => 300_000 - i);
    const d = distribution(big);
    assert.equal(d.min, 1);
    assert.equal(d.max, 300_000);
    // HDR: rank 150000 within 3 significant digits (numpy interpolated 150000.5)
    within(d.p50, 150_000);
  });
});

describe('mean, stddev, sortedCopy', () => {
  it('computes the population standard deviation', () => {
    // numpy.std([2, 4, 4, 4, 5, 5, 7, 9]) -> 2.0
    assert.equal(stddev([2, 4, 4, 4, 5, 5, 7, 9]), 2);
    assert.equal(stddev([5]), 0);
    assert.equal(stddev([]), null);
    assert.throws(() => stddev([1, Number.NaN]), RangeError);
  });

  it('averages and sorts', () => {
    assert.equal(mean([]), null);
    assert.equal(mean([1, 2, 3, 4]), 2.5);
    assert.deepEqual(sortedCopy([10, 9, 1, 100]), [1, 9, 10, 100]);
  });
});

describe('summarize', () => {
  const agents = { count: 0, notified: 0, lost: 0, notifyMs: emptyDistribution(), regetMs: emptyDistribution() };
  const round = (r: Partial<RoundResult>): RoundResult => ({
    round: 1,
    fault: 'kill',
    faultAt: 1_764_083_012_345,
    oldMaster: 'local-m1',
    newMaster: 'local-m2',
    failoverMs: null,
    detectMs: null,
    electionMs: null,
    dualLeaderMs: null,
    staleLeaderMs: null,
    outcome: 'failover',
    agents,
    ok: true,
    ...r,
  });

  it('Given rounds with some figures missing, Then each distribution counts only the non-null ones', () => {
    const rounds = [
      round({ round: 1, failoverMs: 2100, detectMs: 2050, electionMs: 50 }),
      round({ round: 2, failoverMs: 2300, detectMs: 2200, electionMs: 100, dualLeaderMs: 0 }),
      round({ round: 3, ok: false, error: 'round timed out' }),
    ];
    const s = summarize(rounds, [5, 1, 3], [2], []);
    assert.deepEqual(s.failoverMs, distribution([2100, 2300]));
    assert.equal(s.failoverMs.n, 2);
    // HDR: rank ceil(0.5 * 2) = 1 -> 2100 (numpy interpolated 2200)
    within(s.failoverMs.p50, 2100);
    assert.deepEqual(s.detectMs, distribution([2050, 2200]));
    assert.deepEqual(s.electionMs, distribution([50, 100]));
    assert.deepEqual(s.dualLeaderMs, { n: 1, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    assert.deepEqual(s.agentNotifyMs, distribution([1, 3, 5]));
    within(s.agentNotifyMs.p50, 3); // HDR: rank 2 of [1, 3, 5], within 3 significant digits
    assert.equal(s.agentRegetMs.n, 1);
    assert.deepEqual(s.agentGetMs, emptyDistribution());
  });

  it('summarizes no rounds as all-empty distributions', () => {
    const s = summarize([], [], [], []);
    for (const d of Object.values(s)) assert.deepEqual(d, emptyDistribution());
    assert.deepEqual(Object.keys(s).sort(), [
      'agentGetMs',
      'agentNotifyMs',
      'agentRegetMs',
      'detectMs',
      'dualLeaderMs',
      'electionMs',
      'failoverMs',
      'staleLeaderMs',
    ]);
  });

  it('rejects a NaN agent sample', () => {
    assert.throws(() => summarize([], [1, Number.NaN], [], []), RangeError);
  });
});
