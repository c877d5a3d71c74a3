/**
 * Latency histograms as HdrHistograms (the `hdr-histogram-js` library):
 * mergeable across rounds and hosts, exact to 3 significant digits, and
 * stored in HdrHistogram's compressed base64 form ("HISTFAAA...") so any
 * HdrHistogram tool (Java, Go, the web plotter) can read them.
 *
 *   const h = histogramOf([1893.4, 1897.9, 2052.1]);   // ms in
 *   encodeHistogram(h)        // "HISTFAAAACl4nJNpmSzMwMDA..." (values in µs)
 *   distributionOf(h)         // {n: 3, min: 1893.4, mean: 1947.8.., p50: 1897.9.., ...} ms out
 *
 * Unit and scale: values are recorded as whole microseconds (ms × 1000,
 * rounded), with 3 significant value digits, so every recorded value and
 * every percentile is within 0.1% of the true one (a 2412.5 ms failover is
 * kept to within ~1 ms, a 0.35 ms notify to within 1 µs). The encoded form
 * carries µs: a reader scales by 1/1000 to get ms (HdrHistogram's own
 * "output value unit scaling ratio"). Histograms auto-resize, so no upper
 * bound has to be guessed. Counts are 32-bit per bucket.
 *
 * Percentiles follow HdrHistogram's definition: the p-th percentile is the
 * highest value equivalent (within 3 significant digits) to the recorded
 * value at or above rank ceil(p/100 × n), i.e. no interpolation.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Distribution } from '../events.ts';

export type { Histogram };

/** Recorded integers per ms: histograms hold microseconds. */
export const US_PER_MS = 1000;
/** HdrHistogram's numberOfSignificantValueDigits for every histogram here. */
export const SIGNIFICANT_DIGITS = 3;

/** An empty histogram (µs, 3 significant digits, auto-resizing). */
export function newHistogram(): Histogram {
  return build({ bitBucketSize: 32, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: true, lowestDiscernibleValue: 1 });
}

/**
 * Record one latency in ms (count times). Throws a RangeError for a
 * negative or non-finite value: HdrHistogram holds values >= 0 only.
 */
export function recordMs(h: Histogram, ms: number, count = 1): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`a histogram records finite ms >= 0, got ${String(ms)}`);
  h.recordValueWithCount(Math.round(ms * US_PER_MS), count);
}

/** A histogram of latencies in ms (any order); RangeError as recordMs. */
export function histogramOf(values: Iterable<number>): Histogram {
  const h = newHistogram();
  for (const v of values) recordMs(h, v);
  return h;
}

/** A new histogram holding every count of the given ones (they are left alone). */
export function mergeHistograms(hs: Iterable<Histogram>): Histogram {
  const out = newHistogram();
  for (const h of hs) out.add(h);
  return out;
}

/** HdrHistogram's compressed base64 encoding (V2, deflate), values in µs. */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/**
 * Read an encoded histogram back (as written by encodeHistogram or any
 * HdrHistogram implementation), auto-resizing so others can be added to it. Throws a RangeError naming what is wrong
 * when the text is no encoded histogram.
 */
export function decodeHistogram(base64: string): Histogram {
  try {
    const h = decodeFromCompressedBase64(base64, 32, false);
    // decoded histograms keep their encoded range; let them grow when others are added
    h.autoResize = true;
    return h;
  } catch (e) {
    throw new RangeError(`not an encoded HdrHistogram: ${String((e as Error)?.message ?? e)}`, { cause: e });
  }
}

/** The p-th percentile (0..100) in ms, by HdrHistogram's definition; null when empty. */
export function percentileOf(h: Histogram, p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (h.totalCount === 0) return null;
  return h.getValueAtPercentile(p) / US_PER_MS;
}

/**
 * {n, min, mean, p50, p95, p99, max} in ms of a histogram, every figure
 * within 3 significant digits (min and max are the recorded extremes;
 * mean is over bucket midpoints). All null when the histogram is empty.
 */
export function distributionOf(h: Histogram): Distribution {
  const n = h.totalCount;
  if (n === 0) return { n: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
  const min = h.getValueAtPercentile(0) / US_PER_MS;
  const max = h.maxValue / US_PER_MS;
  const at = (p: number) => Math.min(max, Math.max(min, h.getValueAtPercentile(p) / US_PER_MS));
  return { n, min, mean: h.mean / US_PER_MS, p50: at(50), p95: at(95), p99: at(99), max };
}

/** Named histograms in their encoded form, e.g. to save beside summary.json. */
export interface EncodedHistograms {
  /** the recorded integers' unit */
  unit: 'us';
  significantDigits: number;
  /** name -> HdrHistogram compressed base64 */
  histograms: Record<string, string>;
}

/** {unit: 'us', significantDigits: 3, histograms: {agentNotifyMs: "HISTFAAA..."}} */
export function encodeHistograms(hs: Record<string, Histogram>): EncodedHistograms {
  const histograms: Record<string, string> = {};
  for (const [name, h] of Object.entries(hs)) histograms[name] = encodeHistogram(h);
  return { unit: 'us', significantDigits: SIGNIFICANT_DIGITS, histograms };
}
