/**
 * Runs in the browser, inlined into report.html / compare.html: reads the
 * charts' JSON (<script id="charts-data">, see ../chart-spec.ts) and draws
 * each into its <figure data-chart="id"> with Observable Plot (SVG).
 * Bundled with Plot by ../client-bundle.ts; never imported by Node code.
 *
 *   <figure class="chart" data-chart="round-1" data-kind="timeline">...<div class="plot"><svg ...>
 *
 * When every chart is drawn, <body data-charts="N"> says how many; a chart
 * that fails shows its error in place and logs it with console.error.
 */
import * as Plot from '@observablehq/plot';
import type { Band, BarSeries, Bins, ChartSpec, ChartsPayload, Series } from '../chart-spec.ts';

// The few DOM calls made here, typed locally: the project's tsconfig has no DOM lib (src/ is Node code).
interface Node_ {
  querySelector(selector: string): Node_ | null;
  append(...nodes: unknown[]): void;
  textContent: string | null;
  className: string;
  dataset: Record<string, string | undefined>;
}
declare const document: {
  getElementById(id: string): Node_ | null;
  querySelector(selector: string): Node_ | null;
  createElement(tag: string): Node_;
  body: Node_;
};

/** Fixed colours for what every report shows; anything else (hosts, runs) takes the next of PALETTE. */
const KNOWN: Record<string, string> = {
  'agents notified': '#1f77b4',
  'agents got new master': '#2ca02c',
  fault: '#111111',
  'expiry detected': '#ff7f0e',
  'new master elected': '#9467bd',
  'old master resumed': '#8c564b',
  'old master stepdown': '#d62728',
  'SIGKILL bound': '#9ecae1',
  'dual-leader window': '#fdae6b',
  'stale-leader window': '#e7298a',
};
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function colorScale(names: string[]) {
  let next = 0;
  const domain = [...new Set(names)];
  const range = domain.map((n) => KNOWN[n] ?? PALETTE[next++ % PALETTE.length]);
  return { legend: true, domain, range };
}

interface Point {
  name: string;
  x: number;
  y: number;
}

function points(s: Series): Point[] {
  return s.x.map((x, i) => ({ name: s.name, x, y: s.y[i] }));
}

function stepLines(series: Series[]) {
  const all = series.flatMap(points);
  return [
    ...series.map((s) => Plot.line(points(s), { x: 'x', y: 'y', stroke: 'name', curve: 'step-after', strokeWidth: 1.6 })),
    Plot.tip(all, Plot.pointer({ x: 'x', y: 'y', title: (d: Point) => `${d.name}\n${d.x} ms\n${(d.y * 100).toFixed(1)} %` })),
  ];
}

/** lane 0: the whole CDF area (0..1); lane k: a strip of LANE above it */
const LANE = 0.08;
const laneY = (b: Band): [number, number] => (b.lane === 0 ? [0, 1] : [1 + LANE * (b.lane - 1) + 0.02, 1 + LANE * b.lane]);

function timeline(c: Extract<ChartSpec, { kind: 'timeline' }>) {
  const names = [...c.series.map((s) => s.name), ...c.rules.map((r) => r.name), ...c.bands.map((b) => b.name)];
  const lanes = Math.max(0, ...c.bands.map((b) => b.lane));
  const bands = c.bands.map((b) => ({ ...b, y1: laneY(b)[0], y2: laneY(b)[1] }));
  return Plot.plot({
    width: 1000,
    height: 300 + lanes * 24,
    marginLeft: 50,
    x: { domain: c.xDomain, label: c.xLabel, grid: true },
    y: { domain: [0, 1 + LANE * lanes], label: c.yLabel, grid: true, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    color: colorScale(names),
    marks: [
      Plot.rect(bands, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'name', fillOpacity: 0.35 }),
      Plot.ruleY([0]),
      ...stepLines(c.series),
      Plot.ruleX(c.rules, { x: 'x', stroke: 'name', strokeWidth: 1.5, strokeDasharray: '5,3' }),
    ],
  });
}

function cdf(c: Extract<ChartSpec, { kind: 'cdf' }>) {
  return Plot.plot({
    width: 1000,
    height: 280,
    marginLeft: 50,
    x: { label: c.xLabel, grid: true },
    y: { domain: [0, 1], label: c.yLabel, grid: true },
    color: colorScale(c.series.map((s) => s.name)),
    marks: [Plot.ruleY([0]), ...stepLines(c.series)],
  });
}

function histogram(c: Extract<ChartSpec, { kind: 'histogram' }>) {
  const rows = c.bins.flatMap((b: Bins) => b.count.map((count, i) => ({ name: b.name, lo: b.lo[i], hi: b.hi[i], count })));
  return Plot.plot({
    width: 1000,
    height: 220,
    marginLeft: 50,
    x: { label: c.xLabel, grid: true },
    y: { label: 'count', grid: true },
    color: colorScale(c.bins.map((b) => b.name)),
    marks: [
      Plot.rectY(rows, { x1: 'lo', x2: 'hi', y: 'count', fill: 'name', fillOpacity: c.bins.length > 1 ? 0.5 : 0.85, insetLeft: 0.5, insetRight: 0.5 }),
      Plot.ruleY([0]),
      Plot.tip(rows, Plot.pointerX({ x1: 'lo', x2: 'hi', y: 'count', title: (d: { name: string; lo: number; hi: number; count: number }) => `${d.name}\n${d.lo}–${d.hi} ms: ${d.count}` })),
    ],
  });
}

interface Bar {
  category: string;
  name: string;
  value: number;
}

function bars(c: Extract<ChartSpec, { kind: 'bars' }>) {
  const rows: Bar[] = c.series.flatMap((s: BarSeries) => s.values.flatMap((v, i) => (v === null ? [] : [{ category: c.categories[i], name: s.name, value: v }])));
  const names = c.series.map((s) => s.name);
  return Plot.plot({
    width: 1000,
    height: 300,
    marginLeft: 60,
    marginBottom: 40,
    fx: { domain: c.categories, label: c.xLabel, padding: 0.15 },
    x: { domain: names, axis: null },
    y: { label: c.yLabel, grid: true, ...(c.yDomain ? { domain: c.yDomain } : {}) },
    color: colorScale(names),
    marks: [
      Plot.barY(rows, { fx: 'category', x: 'name', y: 'value', fill: 'name', fillOpacity: 0.85 }),
      Plot.text(rows, { fx: 'category', x: 'name', y: 'value', text: (d: Bar) => String(Math.abs(d.value) >= 100 ? Math.round(d.value) : Math.round(d.value * 100) / 100), dy: -6, fontSize: 9 }),
      Plot.ruleY([0]),
    ],
  });
}

function isEmpty(c: ChartSpec): boolean {
  if (c.kind === 'histogram') return c.bins.every((b) => b.count.length === 0);
  if (c.kind === 'bars') return c.series.every((s) => s.values.every((v) => v === null));
  return c.series.every((s) => s.x.length === 0) && (c.kind !== 'timeline' || c.rules.length === 0);
}

function draw(c: ChartSpec): unknown {
  if (c.kind === 'timeline') return timeline(c);
  if (c.kind === 'cdf') return cdf(c);
  if (c.kind === 'bars') return bars(c);
  return histogram(c);
}

function main(): void {
  const payload = JSON.parse(document.getElementById('charts-data')?.textContent ?? '{"sections":[]}') as ChartsPayload;
  let drawn = 0;
  for (const c of payload.sections.flatMap((s) => s.charts)) {
    const box = document.querySelector(`figure[data-chart="${c.id}"] .plot`);
    if (!box) continue;
    try {
      if (isEmpty(c)) box.textContent = 'no samples';
      else box.append(draw(c));
      drawn++;
    } catch (e) {
      box.className = 'plot plot-error';
      box.textContent = `chart failed: ${String(e)}`;
      console.error(`chart ${c.id} failed:`, e);
    }
  }
  document.body.dataset.charts = String(drawn);
}

main();
