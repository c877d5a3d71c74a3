import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { distribution, emptyDistribution, mean, percentile, sortedCopy, stddev, summarize } from '../../src/stats/distribution.ts';
import type { Distribution, RoundResult } from '../../src/events.ts';

/** equal within 1e-9 relative, for interpolated floats */
function near(actual: number | null, expected: number, msg?: string): void {
  assert.ok(actual !== null, msg ?? `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), msg ?? `expected ${expected}, got ${actual}`);
}

const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile (numpy linear)', () => {
  it('interpolates between closest ranks like numpy.percentile', () => {
    // numpy.percentile([1,2,3,4], [0, 25, 50, 75, 100]) -> 1, 1.75, 2.5, 3.25, 4
    near(percentile([1, 2, 3, 4], 0), 1);
    near(percentile([1, 2, 3, 4], 25), 1.75);
    near(percentile([1, 2, 3, 4], 50), 2.5);
    near(percentile([1, 2, 3, 4], 75), 3.25);
    near(percentile([1, 2, 3, 4], 100), 4);
    // numpy.percentile(range(1, 11), [95, 99]) -> 9.55, 9.91
    near(percentile(oneToTen, 95), 9.55);
    near(percentile(oneToTen, 99), 9.91);
    // numpy.percentile(range(1, 101), [50, 95, 99]) -> 50.5, 95.05, 99.01
    near(percentile(oneToHundred, 50), 50.5);
    near(percentile(oneToHundred, 95), 95.05);
    near(percentile(oneToHundred, 99), 99.01);
  });

  it('lands exactly on a sample when the rank is whole', () => {
    assert.equal(percentile([10, 20, 30], 50), 20);
    assert.equal(percentile([10, 20, 30, 40, 50], 25), 20);
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
    assert.equal(d.p50, 2412.5);
    near(d.p95, 2465.06);
    near(d.p99, 2469.732);
  });

  it('matches numpy on 1..100 shuffled', () => {
    const shuffled = [...oneToHundred].sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    assert.notDeepEqual(shuffled, oneToHundred);
    const d = distribution(shuffled);
    assert.equal(d.n, 100);
    assert.equal(d.min, 1);
    assert.equal(d.max, 100);
    near(d.mean, 50.5);
    near(d.p50, 50.5);
    near(d.p95, 95.05);
    near(d.p99, 99.01);
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
    near(d.p50, 9.5);
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

  it('copes with a large sample (no argument-spread limits)', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => 300_000 - i);
    const d = distribution(big);
    assert.equal(d.min, 1);
    assert.equal(d.max, 300_000);
    near(d.p50, 150_000.5);
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
    near(s.failoverMs.p50, 2200);
    assert.deepEqual(s.detectMs, distribution([2050, 2200]));
    assert.deepEqual(s.electionMs, distribution([50, 100]));
    assert.deepEqual(s.dualLeaderMs, { n: 1, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    assert.deepEqual(s.agentNotifyMs, distribution([1, 3, 5]));
    assert.equal(s.agentNotifyMs.p50, 3);
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
