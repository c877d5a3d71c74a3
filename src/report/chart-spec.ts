/**
 * What a chart in report.html / compare.html shows, as plain data: built in
 * Node (./model.ts, ./compare.ts), embedded in the page as JSON, drawn in the
 * browser by ./client/charts.ts with Observable Plot. Types only, shared by
 * both sides.
 *
 *   {"id":"round-1","kind":"timeline","title":"Round 1: kill local-m3 -> local-m2",
 *    "series":[{"name":"agents notified","x":[1890.29,...],"y":[0,0.02,...]}],
 *    "bands":[{"name":"SIGKILL bound","x1":1500,"x2":2510.07,"lane":0}],
 *    "rules":[{"name":"fault","x":0},{"name":"new master elected","x":1924.33}], ...}
 *
 * All x values are ms; y of a CDF is a fraction 0..1.
 */

/** A step curve (drawn step-after): at x[i] it rises to y[i]. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/**
 * A shaded span of the x axis: lane 0 spans the whole plot (the physical
 * bound of a failover), lane k >= 1 is the k-th strip above it (windows such
 * as dual-leader, stale-leader), so spans that overlap stay readable.
 */
export interface Band {
  name: string;
  x1: number;
  x2: number;
  lane: number;
}

/** A vertical line at one instant, e.g. "new master elected". */
export interface Rule {
  name: string;
  x: number;
}

/** Histogram buckets: lo[i] <= v < hi[i] counted count[i] times. */
export interface Bins {
  name: string;
  lo: number[];
  hi: number[];
  count: number[];
}

/** Bars of one series over named categories (the points of a sweep); null: no value there. */
export interface BarSeries {
  name: string;
  values: (number | null)[];
}

interface ChartBase {
  /** unique in the page; the figure carries it as data-chart */
  id: string;
  title: string;
  /** one line under the chart, plain text */
  caption: string;
  xLabel: string;
}

export type ChartSpec =
  | (ChartBase & { kind: 'timeline'; yLabel: string; series: Series[]; bands: Band[]; rules: Rule[]; xDomain: [number, number] })
  | (ChartBase & { kind: 'cdf'; yLabel: string; series: Series[] })
  | (ChartBase & { kind: 'histogram'; bins: Bins[] })
  /** grouped bars: one group per category, one bar per series; yDomain fixes the scale (a rate: [0, 1]) */
  | (ChartBase & { kind: 'bars'; yLabel: string; categories: string[]; series: BarSeries[]; yDomain?: [number, number] });

/** The JSON embedded in the page: the charts in page order, grouped by section heading. */
export interface ChartsPayload {
  sections: { heading: string; charts: ChartSpec[] }[];
}

/** Round to `digits` decimals, to keep the embedded JSON small (0.01 ms is far below any clock's uncertainty). */
export function roundTo(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
