import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fmtDist, fmtMs } from '../../src/stats/format.ts';
import { distribution, emptyDistribution } from '../../src/stats/distribution.ts';

describe('fmtMs', () => {
  it('shows one decimal below 100 ms', () => {
    assert.equal(fmtMs(0), '0.0 ms');
    assert.equal(fmtMs(0.04), '0.0 ms');
    assert.equal(fmtMs(12.34), '12.3 ms');
    assert.equal(fmtMs(12.35001), '12.4 ms');
    assert.equal(fmtMs(99.94), '99.9 ms');
  });

  it('shows whole ms from 100 up, deciding on the rounded value', () => {
    assert.equal(fmtMs(99.96), '100 ms');
    assert.equal(fmtMs(100), '100 ms');
    assert.equal(fmtMs(2412.47), '2412 ms');
    assert.equal(fmtMs(2412.5), '2413 ms');
    assert.equal(fmtMs(30000), '30000 ms');
  });

  it('keeps the sign of real negatives but never prints -0', () => {
    assert.equal(fmtMs(-3.21), '-3.2 ms');
    assert.equal(fmtMs(-0.01), '0.0 ms');
    assert.equal(fmtMs(-0), '0.0 ms');
    assert.equal(fmtMs(-250.2), '-250 ms');
  });

  it('shows — for no figure', () => {
    assert.equal(fmtMs(null), '—');
    assert.equal(fmtMs(Number.NaN), '—');
    assert.equal(fmtMs(Infinity), '—');
  });
});

describe('fmtDist', () => {
  it('reads p50 / p95 / p99 / max on one line', () => {
    // percentiles by HdrHistogram's definition (value at or above the rank, within 3 significant
    // digits): ranks 5, 10, 10 of 1..10; numpy's interpolation read 5.5 / 9.6 / 9.9
    assert.equal(fmtDist(distribution([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), 'p50 5.0 ms / p95 10.0 ms / p99 10.0 ms / max 10.0 ms');
    // ranks 2, 3, 3 (numpy: 2413 / 2465 / 2470)
    assert.equal(fmtDist(distribution([2412.5, 2388.1, 2470.9])), 'p50 2413 ms / p95 2471 ms / p99 2471 ms / max 2471 ms');
  });

  it('shows dashes when there are no samples', () => {
    assert.equal(fmtDist(emptyDistribution()), 'p50 — / p95 — / p99 — / max —');
  });
});
