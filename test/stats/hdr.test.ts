import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import {
  decodeHistogram,
  distributionOf,
  encodeHistogram,
  encodeHistograms,
  histogramOf,
  mergeHistograms,
  newHistogram,
  percentileOf,
  recordMs,
  type Histogram,
} from '../../src/stats/hdr.ts';

/** every (value, count) the histogram holds, in µs, ascending */
function counts(h: Histogram): [number, number][] {
  // outputPercentileDistribution is the library's own dump; the recorded-values view is what we compare
  const out: [number, number][] = [];
  const it = (h as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return out;
}

function within(actual: number | null, expected: number, msg?: string): void {
  assert.ok(actual !== null, msg ?? `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= 1e-3 * Math.abs(expected), msg ?? `expected ${expected} within 0.1%, got ${actual}`);
}

/** latency-like ms values: 0.3 ms .. ~4 s, deterministic */
function sample(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 0.3 + (x / 2 ** 31) ** 2 * 4000;
  });
}

describe('HdrHistogram (µs, 3 significant digits)', () => {
  it('Given an encoded histogram, When the library decodes it, Then it holds the same counts', () => {
    const h = histogramOf(sample(2000, 7));
    const text = encodeHistogram(h);
    assert.match(text, /^HISTF/); // HdrHistogram's V2 compressed encoding cookie, base64
    const back = decodeFromCompressedBase64(text, 32, false);
    assert.equal(back.totalCount, 2000);
    assert.deepEqual(counts(back), counts(h));
    assert.deepEqual(counts(decodeHistogram(text)), counts(h));
    assert.equal(back.getValueAtPercentile(99), h.getValueAtPercentile(99));
  });

  it('a merge of two equals the histogram of the union', () => {
    const a = sample(1500, 1);
    const b = sample(700, 99).map((v) => v * 3); // a different range: forces a resize on merge
    const merged = mergeHistograms([histogramOf(a), histogramOf(b)]);
    const union = histogramOf([...a, ...b]);
    assert.equal(merged.totalCount, 2200);
    assert.deepEqual(counts(merged), counts(union));
    assert.deepEqual(distributionOf(merged), distributionOf(union));
    // and through the encoded form, as a reader merging saved rounds would
    const viaText = mergeHistograms([decodeHistogram(encodeHistogram(histogramOf(a))), decodeHistogram(encodeHistogram(histogramOf(b)))]);
    assert.deepEqual(counts(viaText), counts(union));
    // a decoded histogram takes others in, whatever their range
    const acc = decodeHistogram(encodeHistogram(histogramOf(a)));
    acc.add(histogramOf(b));
    assert.deepEqual(counts(acc), counts(union));
  });

  it('keeps every figure within 3 significant digits of the exact one', () => {
    const values = sample(10_000, 3);
    const s = Array.from(Float64Array.from(values).sort());
    const d = distributionOf(histogramOf(values));
    assert.equal(d.n, 10_000);
    within(d.min, s[0]);
    within(d.max, s[s.length - 1]);
    within(d.mean, values.reduce((x, y) => x + y, 0) / values.length);
    for (const [p, got] of [[50, d.p50], [95, d.p95], [99, d.p99]] as const) within(got, s[Math.ceil((p / 100) * s.length) - 1], `p${p}`);
  });

  it('records ms as whole µs: a sub-ms notify keeps its µs', () => {
    const h = newHistogram();
    recordMs(h, 0.35);
    recordMs(h, 0.35, 2);
    assert.equal(h.totalCount, 3);
    assert.equal(percentileOf(h, 50), 0.35);
    assert.deepEqual(counts(h), [[350, 3]]);
  });

  it('an empty histogram has no figures', () => {
    assert.deepEqual(distributionOf(newHistogram()), { n: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null });
    assert.equal(percentileOf(newHistogram(), 50), null);
  });

  it('rejects what a histogram cannot hold, and text that is no histogram', () => {
    assert.throws(() => recordMs(newHistogram(), -1), RangeError);
    assert.throws(() => recordMs(newHistogram(), Number.NaN), RangeError);
    assert.throws(() => histogramOf([1, Infinity]), RangeError);
    assert.throws(() => percentileOf(newHistogram(), 101), RangeError);
    assert.throws(() => decodeHistogram('not a histogram'), RangeError);
  });

  it('names its encoded histograms with their unit', () => {
    const e = encodeHistograms({ agentNotifyMs: histogramOf([1.5, 2.5]) });
    assert.equal(e.unit, 'us');
    assert.equal(e.significantDigits, 3);
    assert.equal(decodeHistogram(e.histograms.agentNotifyMs).totalCount, 2);
  });
});
