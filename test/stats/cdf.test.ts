import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ecdf } from '../../src/stats/cdf.ts';

describe('ecdf', () => {
  it('Given a few values, Then every one is a step, starting at (min, 0)', () => {
    assert.deepEqual(ecdf([30, 10, 20]), { x: [10, 10, 20, 30], y: [0, 1 / 3, 2 / 3, 1] });
  });

  it('tops at count / total when some never answered', () => {
    const c = ecdf([30, 10, 20], { total: 4 });
    assert.equal(c.y[c.y.length - 1], 0.75);
  });

  it('Given 200,000 samples, Then at most maxPoints points, rising, ending at the true max', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => ((i * 7919) % 200_000) / 10);
    const c = ecdf(values, { maxPoints: 500 });
    assert.ok(c.x.length <= 500, `${c.x.length} points`);
    assert.equal(c.x.length, c.y.length);
    assert.equal(c.x[0], 0);
    assert.equal(c.x[c.x.length - 1], 19_999.9);
    assert.equal(c.y[c.y.length - 1], 1);
    for (let i = 1; i < c.x.length; i++) {
      assert.ok(c.x[i] >= c.x[i - 1] && c.y[i] > c.y[i - 1], `point ${i} rises`);
      assert.ok(c.y[i] - c.y[i - 1] <= (Math.ceil(200_000 / 499) + 1) / 200_000, `step ${i} at most ~1/499 high`);
    }
    // the median point sits on the median
    const k = c.y.findIndex((y) => y >= 0.5);
    assert.ok(Math.abs(c.x[k] - 10_000) < 50, `median ${c.x[k]}`);
  });

  it('is empty for no values and rejects bad input', () => {
    assert.deepEqual(ecdf([]), { x: [], y: [] });
    assert.throws(() => ecdf([1, Number.NaN]), RangeError);
    assert.throws(() => ecdf([1, 2], { total: 1 }), RangeError);
    assert.throws(() => ecdf([1], { maxPoints: 1 }), RangeError);
  });
});
