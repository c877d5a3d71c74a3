/**
 * Read-side helpers: distributions over rounds, ring, formatting.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { distributionOf, roundStats } from '../../src/store/select.ts';
import { emptyRing, pushRing, ringTail, ringToArray } from '../../src/store/ring.ts';
import { fmtMs, fmtOffset } from '../../src/store/format.ts';
import { roundResult } from './fixtures.ts';

describe('distributions over rounds', () => {
  test('missing figures are ignored, failed rounds do not count', () => {
    const d = distributionOf([5, 1, null, 3, undefined]);
    assert.deepEqual([d.n, d.min, d.p50, d.max], [3, 1, 3, 5]);
    const st = roundStats([roundResult(1, 1500), roundResult(2, 1700), roundResult(3, 0, { ok: false, failoverMs: null })]);
    assert.equal(st.failoverMs.n, 2);
    assert.equal(st.failoverMs.max, 1700);
    assert.equal(st.agentNotifyP99.max, 1718);
  });
});

describe('ring', () => {
  test('keeps the newest cap items across chunk boundaries', () => {
    let r = emptyRing<number>(150);
    for (let i = 0; i < 1000; i++) r = pushRing(r, i);
    const all = ringToArray(r);
    assert.equal(all.length, 150);
    assert.equal(all[0], 850);
    assert.equal(all[149], 999);
    assert.deepEqual(ringTail(r, 3), [997, 998, 999]);
    assert.equal(r.total, 1000);
  });
  test('an old ring is not changed by a push', () => {
    const a = pushRing(emptyRing<number>(10), 1);
    const b = pushRing(a, 2);
    assert.deepEqual(ringToArray(a), [1]);
    assert.deepEqual(ringToArray(b), [1, 2]);
  });
});

describe('format', () => {
  test('ms as src/stats rounds them: a tenth below 100 ms, whole above', () => {
    assert.equal(fmtMs(1712.34), '1712');
    assert.equal(fmtMs(12.34), '12.3');
    assert.equal(fmtMs(null), '—');
  });
  test('clock offset', () => {
    assert.equal(fmtOffset(0, 0), '0 ± 0 ms');
    assert.equal(fmtOffset(3.24, 0.41), '+3.2 ± 0.4 ms');
    assert.equal(fmtOffset(-1.5, null), '-1.5 ± ? ms');
    assert.equal(fmtOffset(null, null), '—');
  });
});
