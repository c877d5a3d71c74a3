/**
 * `compare DIR...`: runs side by side, e.g. v3-lease against v2-ttl, or own
 * against grpc agents. Each figure of each run's summary, as its value and
 * its ratio to the first run; and a page with the runs' CDFs overlaid.
 *
 *   const { text, html } = await compareRuns(['results/A', 'results/B']);
 *   // text:
 *   // A  20261129-220411-3a4b  v3-lease · kill · 50 agents/host (own) · T 2 s / R 0.5 s · 3 rounds
 *   // B  20261129-220423-1db7  v2-ttl · kill · 50 agents/host (own) · T 2 s / R 0.5 s · 3 rounds
 *   //
 *   // figure              A          B
 *   // failover p50        1924 ms    2301 ms ×1.20
 *
 * A ratio is B / A of the same figure ("×1.20": B took 20% longer); "—"
 * where either value is missing or A's is 0.
 */
import { ConfigError } from '../errors.ts';
import type { Distribution, RunSummary } from '../events.ts';
import { fmtMs } from '../stats/format.ts';
import type { ChartSpec, ChartsPayload } from './chart-spec.ts';
import { clientScript } from './client-bundle.ts';
import { pageHtml } from './html.ts';
import { loadRun, type RunData } from './load.ts';
import { cdfSeries } from './model.ts';
import { esc } from './tables.ts';

/** The figures compared, in order: summary key and label. */
export const COMPARED: [Exclude<keyof RunSummary, 'byFault'>, string][] = [
  ['failoverMs', 'failover'],
  ['detectMs', 'detect'],
  ['electionMs', 'election'],
  ['dualLeaderMs', 'dual leader'],
  ['staleLeaderMs', 'stale leader'],
  ['agentNotifyMs', 'agent notify'],
  ['agentRegetMs', 'agent re-get'],
  ['agentGetMs', 'agent initial get'],
];
const STATS = ['mean', 'p50', 'p95', 'p99', 'max'] as const;

export interface ComparisonRow {
  /** e.g. "failover p50" */
  figure: string;
  /** ms per run, in the order given; null where the run has no such figure */
  values: (number | null)[];
  /** value / the first run's value; null for the first run and where undefined */
  ratios: (number | null)[];
}

/** Ratio b / a, or null when either is missing or a is 0. */
export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || a === 0 ? null : b / a;
}

/** Every compared figure of every run with its ratio to the first run. Pure. */
export function comparisonRows(summaries: readonly RunSummary[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [key, label] of COMPARED) {
    const ds: (Distribution | undefined)[] = summaries.map((s) => s[key]);
    if (ds.every((d) => !d || d.n === 0)) continue;
    for (const stat of STATS) {
      const values = ds.map((d) => d?.[stat] ?? null);
      rows.push({ figure: `${label} ${stat}`, values, ratios: values.map((v, i) => (i === 0 ? null : ratio(values[0], v))) });
    }
  }
  return rows;
}

const letter = (i: number) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');

/** "v3-lease · kill · 50 agents/host (own) · T 2 s / R 0.5 s · 3 rounds" */
export function runLabel(run: RunData): string {
  const c = run.config;
  const parts = [c.backend, c.fault, c.agents !== undefined ? `${c.agents} agents/host${c.agentMode ? ` (${c.agentMode})` : ''}` : null];
  if (c.ttl !== undefined && c.refresh !== undefined) parts.push(`T ${c.ttl} s / R ${c.refresh} s`);
  parts.push(`${run.rounds.length} rounds${run.ok === false ? ', FAILED' : run.ok === null ? ', incomplete' : ''}`);
  return parts.filter((p) => p !== null && p !== undefined).join(' · ');
}

const fmtRatio = (r: number | null) => (r === null ? '—' : `×${r.toFixed(2)}`);

/** The comparison as aligned text: one legend line per run, then one row per figure. Pure. */
export function comparisonText(runs: readonly RunData[]): string {
  const legend = runs.map((r, i) => `${letter(i)}  ${r.runId}  ${runLabel(r)}`);
  const rows = comparisonRows(runs.map((r) => r.summary));
  const cells = rows.map((row) => [row.figure, ...row.values.map((v, i) => (i === 0 ? fmtMs(v) : `${fmtMs(v)} ${fmtRatio(row.ratios[i])}`))]);
  const header = ['figure', ...runs.map((_, i) => letter(i))];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  return [...legend, '', line(header), ...cells.map(line)].join('\n') + '\n';
}

function comparisonCharts(runs: readonly RunData[]): ChartSpec[] {
  const name = (r: RunData, i: number) => `${letter(i)} ${r.config.backend ?? ''} ${r.config.agentMode ?? ''}`.replace(/\s+/g, ' ').trim();
  const ended = (r: RunData) => r.timelines.filter((t) => t.result);
  const roundValues = (r: RunData, k: 'failoverMs' | 'detectMs') => r.rounds.flatMap((x) => (typeof x[k] === 'number' ? [x[k] as number] : []));
  const cdf = (id: string, title: string, xLabel: string, yLabel: string, values: (r: RunData) => number[]): ChartSpec => ({
    id,
    kind: 'cdf',
    title,
    caption: runs.map((r, i) => `${letter(i)}: ${r.runId}`).join(' · '),
    xLabel,
    yLabel,
    series: runs.map((r, i) => cdfSeries(name(r, i), values(r))),
  });
  return [
    cdf('cmp-failover', 'Failover per round', 'failover (ms since the fault)', 'fraction of rounds', (r) => roundValues(r, 'failoverMs')),
    cdf('cmp-detect', 'Expiry detection per round', 'detect (ms since the fault)', 'fraction of rounds', (r) => roundValues(r, 'detectMs')),
    cdf('cmp-notify', 'Agent notify, every agent of every round', 'agent notify (ms since the fault)', 'fraction of agents', (r) => ended(r).flatMap((t) => t.notifyMs)),
    cdf('cmp-reget', 'Agent re-get, every agent of every round', 'agent re-get (ms)', 'fraction of agents', (r) => ended(r).flatMap((t) => t.regetMs)),
  ];
}

function comparisonTableHtml(runs: readonly RunData[]): string {
  const rows = comparisonRows(runs.map((r) => r.summary));
  const head = `<tr><th>figure</th>${runs.map((_, i) => `<th colspan="${i === 0 ? 1 : 2}">${letter(i)}</th>`).join('')}</tr>`;
  const body = rows.map(
    (row) =>
      `<tr><td>${esc(row.figure)}</td>${row.values
        .map((v, i) => `<td class="num">${esc(fmtMs(v))}</td>${i === 0 ? '' : `<td class="num ratio">${esc(fmtRatio(row.ratios[i]))}</td>`}`)
        .join('')}</tr>`,
  );
  return `<table class="compare">${head}${body.join('')}</table>`;
}

/** compare.html for loaded runs; `script` is the client bundle (pure, as renderReport). */
export function renderComparison(runs: readonly RunData[], script: string): string {
  const legend = `<table class="kv">${runs.map((r, i) => `<tr><th>${letter(i)}</th><td>${esc(r.runId)}</td><td>${esc(runLabel(r))}</td><td>${esc(r.dir)}</td></tr>`).join('')}</table>`;
  const notes = runs.flatMap((r, i) => r.notes.map((n) => `${letter(i)}: ${n}`));
  const header = `${legend}${notes.length ? `<div class="notes">${notes.map(esc).join('<br>')}</div>` : ''}`;
  const charts: ChartsPayload = { sections: [{ heading: 'Overlaid CDFs', charts: comparisonCharts(runs) }] };
  const tail = `<section><h2>Figures (value, ratio to A)</h2>${comparisonTableHtml(runs)}</section>`;
  return pageHtml({ title: `etcd-election-bench: ${runs.length} runs compared`, headerHtml: header, charts, tailHtml: tail, script });
}

/**
 * Compare results dirs (the first is the reference). Throws a ConfigError
 * for no dirs or naming a dir that is no results dir.
 */
export async function compareRuns(dirs: readonly string[]): Promise<{ text: string; html: string; json: ComparisonJson }> {
  if (dirs.length === 0) throw new ConfigError('compare needs at least one results dir', 'compare');
  const [runs, script] = await Promise.all([Promise.all(dirs.map((d) => loadRun(d))), clientScript()]);
  return { text: comparisonText(runs), html: renderComparison(runs, script), json: comparisonJson(runs) };
}

/** `compare --json`: the runs (letter, dir, label, summary) and the rows. */
export interface ComparisonJson {
  runs: { letter: string; dir: string; runId: string; label: string; summary: RunSummary }[];
  rows: ComparisonRow[];
}

/** The comparison as data. Pure. */
export function comparisonJson(runs: readonly RunData[]): ComparisonJson {
  return {
    runs: runs.map((r, i) => ({ letter: letter(i), dir: r.dir, runId: r.runId, label: runLabel(r), summary: r.summary })),
    rows: comparisonRows(runs.map((r) => r.summary)),
  };
}
