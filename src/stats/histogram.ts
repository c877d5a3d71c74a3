/**
 * Text-sized pictures of latencies for the TUI and plain output: bucket
 * counts, sparklines and progress bars. Pure: strings and numbers only.
 *
 *   histogram([2100, 2150, 2390, 2480], {buckets: 4})
 *   // [{lo: 2100, hi: 2195, count: 2}, {lo: 2195, hi: 2290, count: 0},
 *   //  {lo: 2290, hi: 2385, count: 0}, {lo: 2385, hi: 2480, count: 2}]
 *   sparkline([1, 5, 9, null, 3])        // "▁▅█ ▃"
 *   bar(0.4, 10)                         // "████      "
 *
 * Buckets: `linear` (default) splits [min, max] into equal widths, the
 * reading an operator expects on a ms axis; `log` splits it into equal
 * ratios (needs min > 0), for runs whose tail is orders of magnitude past the
 * median (agent notify with 10,000 watchers). Each bucket holds lo <= v < hi;
 * the last one also holds v = max. With an explicit min/max, values outside
 * are counted in the first/last bucket, so the counts always sum to n.
 */
import { assertFinite } from './distribution.ts';

export interface Bucket {
  /** inclusive lower edge */
  lo: number;
  /** exclusive upper edge (inclusive for the last bucket) */
  hi: number;
  count: number;
}

export interface HistogramOptions {
  /** number of buckets, integer >= 1; default 10 */
  buckets?: number;
  /** lower edge of the first bucket; default: the smallest value */
  min?: number;
  /** upper edge of the last bucket; default: the largest value */
  max?: number;
  /** equal widths (default) or equal ratios */
  scale?: 'linear' | 'log';
}

/**
 * Count values into buckets over [min, max]. No values and no explicit range
 * gives []; a zero-width range (one distinct value) gives a single bucket.
 * Throws a RangeError on NaN/Infinity, buckets < 1, min > max, or a log
 * scale whose range reaches 0 or below.
 */
export function histogram(values: readonly number[], opts: HistogramOptions = {}): Bucket[] {
  assertFinite(values);
  const buckets = opts.buckets ?? 10;
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be an integer >= 1, got ${buckets}`);
  const scale = opts.scale ?? 'linear';
  if (values.length === 0 && (opts.min === undefined || opts.max === undefined)) return [];

  let lo = opts.min ?? Infinity;
  let hi = opts.max ?? -Infinity;
  if (opts.min === undefined || opts.max === undefined) {
    for (const v of values) {
      if (opts.min === undefined && v < lo) lo = v;
      if (opts.max === undefined && v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`histogram range must be finite, got ${lo}..${hi}`);
  if (lo > hi) throw new RangeError(`histogram min (${lo}) is greater than max (${hi})`);
  if (scale === 'log' && lo <= 0) throw new RangeError(`a log-scale histogram needs min > 0, got ${lo}`);

  if (lo === hi) return [{ lo, hi, count: values.length }];

  const edges = new Array<number>(buckets + 1);
  for (let i = 0; i <= buckets; i++) {
    edges[i] = scale === 'log' ? lo * Math.pow(hi / lo, i / buckets) : lo + ((hi - lo) * i) / buckets;
  }
  edges[0] = lo;
  edges[buckets] = hi; // exact ends, whatever the float error in between

  const counts = new Array<number>(buckets).fill(0);
  const logSpan = scale === 'log' ? Math.log(hi / lo) : 0;
  for (const v of values) {
    let i: number;
    if (v <= lo) i = 0;
    else if (v >= hi) i = buckets - 1;
    else {
      i = Math.floor(scale === 'log' ? (Math.log(v / lo) / logSpan) * buckets : ((v - lo) / (hi - lo)) * buckets);
      // the formula can land one off next to an edge; the edges decide
      if (i > 0 && v < edges[i]) i--;
      else if (i < buckets - 1 && v >= edges[i + 1]) i++;
      i = Math.min(Math.max(i, 0), buckets - 1);
    }
    counts[i]++;
  }
  return counts.map((count, i) => ({ lo: edges[i], hi: edges[i + 1], count }));
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** value drawn as ▁; default: the smallest value (pass 0 for counts) */
  min?: number;
  /** value drawn as █; default: the largest value */
  max?: number;
}

/**
 * One character per value, ▁ (min) to █ (max), scaled linearly and rounded
 * to the nearest of the 8 levels. null draws a space (a round without a
 * figure). A flat series (min = max) is all ▁. Values outside an explicit
 * min/max are clamped. Throws a RangeError on NaN/Infinity.
 */
export function sparkline(values: readonly (number | null)[], opts: SparklineOptions = {}): string {
  const present = values.filter((v): v is number => v !== null);
  assertFinite(present);
  if (present.length === 0) return values.map(() => ' ').join('');
  let lo = opts.min ?? Infinity;
  let hi = opts.max ?? -Infinity;
  for (const v of present) {
    if (opts.min === undefined && v < lo) lo = v;
    if (opts.max === undefined && v > hi) hi = v;
  }
  const span = hi - lo;
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (!(span > 0)) return BLOCKS[0];
      const f = Math.min(Math.max((v - lo) / span, 0), 1);
      return BLOCKS[Math.round(f * (BLOCKS.length - 1))];
    })
    .join('');
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

export interface BarOptions {
  /** fill for the unfilled part; default a space */
  empty?: string;
}

/**
 * A progress bar exactly `width` characters wide, in eighths of a cell:
 * bar(0.5, 4) = "██  ", bar(0.53, 4) = "██▏ ". fraction is clamped to 0..1
 * (NaN counts as 0); width is floored, negative means 0.
 */
export function bar(fraction: number, width: number, opts: BarOptions = {}): string {
  const w = Number.isFinite(width) ? Math.max(0, Math.floor(width)) : 0;
  if (w === 0) return '';
  const f = Number.isNaN(fraction) ? 0 : Math.min(Math.max(fraction, 0), 1);
  const eighths = Math.round(f * w * 8);
  const full = Math.floor(eighths / 8);
  const part = EIGHTHS[eighths % 8];
  const empty = (opts.empty ?? ' ').slice(0, 1) || ' ';
  return '█'.repeat(full) + part + empty.repeat(w - full - (part ? 1 : 0));
}
