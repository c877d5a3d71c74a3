import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bar, histogram, sparkline } from '../../src/stats/histogram.ts';

const total = (bs: { count: number }[]): number => bs.reduce((s, b) => s + b.count, 0);

describe('histogram (linear)', () => {
  it('splits [min, max] into equal buckets, last one closed', () => {
    assert.deepEqual(histogram([2100, 2150, 2390, 2480], { buckets: 4 }), [
      { lo: 2100, hi: 2195, count: 2 },
      { lo: 2195, hi: 2290, count: 0 },
      { lo: 2290, hi: 2385, count: 0 },
      { lo: 2385, hi: 2480, count: 2 },
    ]);
  });

  it('puts a value on an inner edge into the upper bucket', () => {
    const h = histogram([0, 1, 2, 3, 4], { buckets: 4 });
    assert.deepEqual(
      h.map((b) => [b.lo, b.hi, b.count]),
      [
        [0, 1, 1],
        [1, 2, 1],
        [2, 3, 1],
        [3, 4, 2],
      ],
    );
  });

  it('puts edge values in the right bucket despite float error', () => {
    // 0.1 steps are not exact in binary: every value must still land on its own edge's bucket
    const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    const h = histogram(values, { buckets: 10 });
    assert.equal(h.length, 10);
    for (const b of h) for (const v of values) if (v >= b.lo && (v < b.hi || b === h[9])) assert.ok(b.count >= 1);
    assert.equal(total(h), values.length);
  });

  it('defaults to 10 buckets over the data range, input order irrelevant', () => {
    const h = histogram([9, 0, 5, 1, 10]);
    assert.equal(h.length, 10);
    assert.equal(h[0].lo, 0);
    assert.equal(h[9].hi, 10);
    assert.equal(h[0].count, 1);
    assert.equal(h[1].count, 1);
    assert.equal(h[5].count, 1);
    assert.equal(h[9].count, 2);
  });

  it('clamps values outside an explicit range into the end buckets', () => {
    const h = histogram([-5, 0, 50, 99, 1000], { buckets: 2, min: 0, max: 100 });
    assert.deepEqual(h, [
      { lo: 0, hi: 50, count: 2 },
      { lo: 50, hi: 100, count: 3 },
    ]);
  });

  it('gives empty buckets for no values over an explicit range, [] without one', () => {
    assert.deepEqual(histogram([]), []);
    assert.deepEqual(histogram([], { min: 0 }), []);
    assert.deepEqual(histogram([], { buckets: 2, min: 0, max: 10 }), [
      { lo: 0, hi: 5, count: 0 },
      { lo: 5, hi: 10, count: 0 },
    ]);
  });

  it('gives a single bucket for a single value or one repeated value', () => {
    assert.deepEqual(histogram([7]), [{ lo: 7, hi: 7, count: 1 }]);
    assert.deepEqual(histogram([3, 3, 3], { buckets: 5 }), [{ lo: 3, hi: 3, count: 3 }]);
  });

  it('rejects bad input', () => {
    assert.throws(() => histogram([1, Number.NaN]), RangeError);
    assert.throws(() => histogram([1, 2], { buckets: 0 }), RangeError);
    assert.throws(() => histogram([1, 2], { buckets: 2.5 }), RangeError);
    assert.throws(() => histogram([1, 2], { min: 5, max: 1 }), RangeError);
  });
});

describe('histogram (log)', () => {
  it('splits [min, max] into equal ratios', () => {
    const h = histogram([1, 5, 10, 50, 100, 500, 1000], { buckets: 3, scale: 'log' });
    assert.equal(h.length, 3);
    assert.equal(h[0].lo, 1);
    assert.ok(Math.abs(h[0].hi - 10) < 1e-9);
    assert.ok(Math.abs(h[1].hi - 100) < 1e-9);
    assert.equal(h[2].hi, 1000);
    assert.deepEqual(
      h.map((b) => b.count),
      [2, 2, 3],
    );
  });

  it('needs a positive range', () => {
    assert.throws(() => histogram([0, 10], { scale: 'log' }), /min > 0/);
    assert.throws(() => histogram([1, 10], { scale: 'log', min: -1 }), RangeError);
  });
});

describe('sparkline', () => {
  it('draws min as ▁ and max as █, linear in between', () => {
    assert.equal(sparkline([1, 5, 9, null, 3]), '▁▅█ ▃');
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  });

  it('scales against an explicit baseline (0 for counts)', () => {
    assert.equal(sparkline([0, 7, 7], { min: 0 }), '▁██');
    assert.equal(sparkline([1, 2], { min: 0, max: 8 }), '▂▃');
    assert.equal(sparkline([-10, 100], { min: 0, max: 7 }), '▁█');
  });

  it('handles empty, flat and missing', () => {
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([4, 4, 4]), '▁▁▁');
    assert.equal(sparkline([null, null]), '  ');
    assert.equal(sparkline([5]), '▁');
  });

  it('rejects NaN', () => {
    assert.throws(() => sparkline([1, Number.NaN]), RangeError);
  });
});

describe('bar', () => {
  it('is always exactly width characters', () => {
    for (let w = 0; w <= 12; w++) for (let f = 0; f <= 1; f += 0.05) assert.equal([...bar(f, w)].length, w, `bar(${f}, ${w})`);
  });

  it('fills in eighths of a cell', () => {
    assert.equal(bar(0, 4), '    ');
    assert.equal(bar(0.5, 4), '██  ');
    assert.equal(bar(0.53, 4), '██▏ ');
    assert.equal(bar(1, 4), '████');
    assert.equal(bar(0.4, 10), '████      ');
    assert.equal(bar(0.5, 1), '▌');
    assert.equal(bar(1 / 16, 1), '▏');
  });

  it('clamps fraction and width', () => {
    assert.equal(bar(1.7, 3), '███');
    assert.equal(bar(-1, 3), '   ');
    assert.equal(bar(Number.NaN, 3), '   ');
    assert.equal(bar(0.5, -2), '');
    assert.equal(bar(0.5, 4.9), '██  ');
  });

  it('takes a fill for the empty part', () => {
    assert.equal(bar(0.25, 4, { empty: '░' }), '█░░░');
  });
});
