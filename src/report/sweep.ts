/**
 * A sweep's results as text, JSON and a page: one row per (TTL, refresh)
 * point with failover p50/p99/max, agent notify p99 and the flap rate, and
 * report.html in the sweep's dir plotting failover and flap rate per point
 * (Observable Plot, inlined as in every report). Pure but for writeSweep.
 *
 *   ttl  refresh  rounds  failover p50    p99     max  notify p99  flap rate  ok  dir
 *     2      0.5     3/3       1712 ms  1890 ms 1901 ms     1850 ms       0.00  ok  ttl2-r0.5
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Distribution } from '../events.ts';
import { fmtMs } from '../stats/format.ts';
import type { ChartSpec } from './chart-spec.ts';
import { clientScript } from './client-bundle.ts';
import { pageHtml } from './html.ts';
import { esc } from './tables.ts';

/** One point of the grid, as run. */
export interface SweepPoint {
  ttl: number;
  /** s */
  refresh: number;
  /** per agent host */
  agents: number;
  /** rounds run (of the rounds asked for) */
  rounds: number;
  failoverMs: Distribution;
  notifyMs: Distribution;
  /** rounds with a flap / rounds; null without rounds */
  flapRate: number | null;
  /** rounds that flapped */
  flaps: number;
  ok: boolean;
  /** the point's results dir */
  dir: string;
  error?: string;
}

/** sweep.json and `sweep --json`. */
export interface SweepJson {
  sweep: {
    dir: string;
    /** the grid as asked */
    ttl: number[];
    refresh: number[];
    agents: number;
    rounds: number;
    fault: string;
    backend: string;
    /** points left out, and why (refresh >= ttl) */
    skipped: { ttl: number; refresh: number; why: string }[];
    /** why the sweep ended early, if it did */
    stopped: string | null;
  };
  points: SweepPoint[];
}

const label = (p: Pick<SweepPoint, 'ttl' | 'refresh'>) => `T ${p.ttl} s · R ${p.refresh} s`;
const rate = (r: number | null) => (r === null ? '—' : r.toFixed(2));

/** The points as an aligned table, then the skipped points. */
export function sweepText(s: SweepJson): string {
  const head = ['ttl', 'refresh', 'rounds', 'failover p50', 'p99', 'max', 'notify p99', 'flap rate', 'ok', 'dir'];
  const rows = s.points.map((p) => [
    String(p.ttl),
    String(p.refresh),
    `${p.rounds}/${s.sweep.rounds}`,
    fmtMs(p.failoverMs.p50),
    fmtMs(p.failoverMs.p99),
    fmtMs(p.failoverMs.max),
    fmtMs(p.notifyMs.p99),
    rate(p.flapRate),
    p.ok ? 'ok' : 'FAILED',
    basename(p.dir),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c >= head.length - 2 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  const out = [`sweep ${s.sweep.dir}: ${s.points.length} point(s), ${s.sweep.backend}, ${s.sweep.fault}, ${s.sweep.agents} agents/host, ${s.sweep.rounds} round(s) each`, line(head), ...rows.map(line)];
  for (const k of s.sweep.skipped) out.push(`skipped ttl ${k.ttl} refresh ${k.refresh}: ${k.why}`);
  for (const p of s.points) if (p.error) out.push(`${basename(p.dir)}: ${p.error}`);
  if (s.sweep.stopped) out.push(`stopped: ${s.sweep.stopped}`);
  return out.join('\n') + '\n';
}

/** The sweep page's charts: failover p50/p99/max, flap rate, notify p99 per point. */
export function sweepCharts(s: SweepJson): ChartSpec[] {
  const categories = s.points.map(label);
  const caption = `${s.sweep.backend} · ${s.sweep.fault} · ${s.sweep.agents} agents/host · ${s.sweep.rounds} round(s) per point`;
  return [
    {
      id: 'sweep-failover',
      kind: 'bars',
      title: 'Failover per point',
      caption,
      xLabel: 'TTL and refresh',
      yLabel: 'failover (ms since the fault)',
      categories,
      series: (['p50', 'p99', 'max'] as const).map((k) => ({ name: `failover ${k}`, values: s.points.map((p) => p.failoverMs[k]) })),
    },
    {
      id: 'sweep-flaps',
      kind: 'bars',
      title: 'Flap rate per point',
      caption: 'rounds in which a healthy master lost its lease (stepdown for deadline, lease-lost or key-lost by a master other than the faulted one) / rounds',
      xLabel: 'TTL and refresh',
      yLabel: 'flap rate',
      categories,
      series: [{ name: 'flap rate', values: s.points.map((p) => p.flapRate) }],
      yDomain: [0, 1],
    },
    {
      id: 'sweep-notify',
      kind: 'bars',
      title: 'Agent notify p99 per point',
      caption,
      xLabel: 'TTL and refresh',
      yLabel: 'agent notify p99 (ms since the fault)',
      categories,
      series: [{ name: 'notify p99', values: s.points.map((p) => p.notifyMs.p99) }],
    },
  ];
}

function pointsTable(s: SweepJson): string {
  const head = ['TTL', 'refresh', 'rounds', 'failover p50', 'p99', 'max', 'notify p99', 'flap rate', 'ok', 'point report'];
  const rows = s.points.map((p) => {
    const cells = [String(p.ttl), String(p.refresh), `${p.rounds}/${s.sweep.rounds}`, fmtMs(p.failoverMs.p50), fmtMs(p.failoverMs.p99), fmtMs(p.failoverMs.max), fmtMs(p.notifyMs.p99), rate(p.flapRate), p.ok ? 'ok' : `FAILED${p.error ? `: ${p.error}` : ''}`];
    const link = `<a href="${esc(`${basename(p.dir)}/report.html`)}">${esc(basename(p.dir))}</a>`;
    return `<tr class="${p.ok ? 'ok' : 'bad'}">${cells.map((c, i) => `<td${i >= 3 && i <= 7 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}<td>${link}</td></tr>`;
  });
  return `<table class="points"><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

/** The sweep's report.html. */
export function renderSweep(s: SweepJson, script: string): string {
  const skipped = s.sweep.skipped.map((k) => `skipped TTL ${k.ttl} s, refresh ${k.refresh} s: ${k.why}`);
  const notes = [...skipped, ...(s.sweep.stopped ? [`stopped: ${s.sweep.stopped}`] : [])];
  const header = `<p class="facts">${esc(s.sweep.backend)} · ${esc(s.sweep.fault)} · <b>${s.sweep.agents}</b> agents/host · <b>${s.sweep.rounds}</b> round(s) per point · <b>${s.points.length}</b> point(s) on one cluster</p>${notes.length ? `<div class="notes">${notes.map(esc).join('<br>')}</div>` : ''}`;
  const charts = { sections: [{ heading: 'Points', charts: sweepCharts(s) }] };
  return pageHtml({ title: `etcd-election-bench sweep ${basename(s.sweep.dir)}`, headerHtml: header, charts, tailHtml: `<section><h2>Points</h2>${pointsTable(s)}</section>`, script });
}

/** Write sweep.json and report.html into the sweep's dir; returns the report's path. BenchError when the chart script cannot be built. */
export async function writeSweep(s: SweepJson): Promise<string> {
  const write = (name: string, text: string) => {
    const p = join(s.sweep.dir, name);
    writeFileSync(`${p}.tmp`, text);
    renameSync(`${p}.tmp`, p);
    return p;
  };
  write('sweep.json', JSON.stringify(s, null, 2) + '\n');
  return write('report.html', renderSweep(s, await clientScript()));
}
