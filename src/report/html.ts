/**
 * report.html: one self-contained page. The charts' data is embedded as JSON
 * and drawn by the inlined client (./client/charts.ts with Observable Plot,
 * see ./client-bundle.ts); a Content-Security-Policy of `default-src 'none'`
 * keeps the opened file from reaching any network. Pure: data in, text out.
 *
 *   renderReport(buildReportData(await loadRun(dir)), await clientScript())
 *   // "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">..."
 */
import type { ChartsPayload } from './chart-spec.ts';
import type { ReportData } from './model.ts';
import { etcdSectionHtml } from './etcd-section.ts';
import { distributionTable, esc, roundsTable, valueHtml } from './tables.ts';
import { fmtMs } from '../stats/format.ts';

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#1b1f24;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}
.facts{color:#444}.facts b{color:#1b1f24}
.notes{background:#fff8c5;border:1px solid #d4a72c;padding:.4em .8em;border-radius:4px}
.errors li{color:#b3261e}.asserts li.broken{color:#b3261e;font-weight:bold}.asserts li.ok{color:#1a7f37}.warnings li{color:#8a6100}
figure.chart{margin:1.2em 0;padding:.6em;border:1px solid #eaeef2;border-radius:6px}
figure.chart figcaption{margin-bottom:.4em}figure.chart .cap{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #d0d7de;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#ffebe9}tr.moved td{background:#fff8c5}table.kv table{margin:0}.none{color:#999}code{font-size:.9em}
nav a{margin-right:1em}.plot-error{color:#b3261e}
`;

/** Escape JSON for a <script type="application/json"> body: no "</script>" or "<!--" can appear. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline a script's code safely: no "</script" inside it can end the element early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export interface PageParts {
  title: string;
  /** HTML under the h1: facts, notes, errors */
  headerHtml: string;
  charts: ChartsPayload;
  /** HTML sections after the charts (tables) */
  tailHtml: string;
  /** the client bundle (Plot + ./client/charts.ts) */
  script: string;
}

/** The page shared by report.html and compare.html. */
export function pageHtml(p: PageParts): string {
  const nav = p.charts.sections.map((s, i) => `<a href="#s${i}">${esc(s.heading)}</a>`).join('');
  const sections = p.charts.sections.map((s, i) => {
    const figs = s.charts.map(
      (c) =>
        `<figure class="chart" data-chart="${esc(c.id)}" data-kind="${esc(c.kind)}"><figcaption><b>${esc(c.title)}</b><br><span class="cap">${esc(c.caption)}</span></figcaption><div class="plot"></div></figure>`,
    );
    return `<section id="s${i}"><h2>${esc(s.heading)}</h2>${figs.join('')}</section>`;
  });
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(p.title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${esc(p.title)}</h1>${p.headerHtml}</header>`,
    `<nav>${nav}<a href="#tables">Tables</a></nav>`,
    ...sections,
    `<div id="tables">${p.tailHtml}</div>`,
    `<script type="application/json" id="charts-data">${jsonForScript(p.charts)}</script>`,
    `<script>${inlineScript(p.script)}</script>`,
    '</body></html>',
  ].join('\n');
}

/** The run's --assert verdicts: "SLO failover.p99<2600 ok (1842 ms)" each. */
function assertsHtml(asserts: ReportData['asserts']): string {
  if (!asserts || asserts.length === 0) return '';
  const item = (a: NonNullable<ReportData['asserts']>[number]) => `<li class="${a.ok ? 'ok' : 'broken'}"><code>${esc(a.expr)}</code> ${a.ok ? 'holds' : 'BROKEN'} (${esc(a.value === null ? 'no sample' : String(Math.round(a.value * 10) / 10))})</li>`;
  return `<ul class="asserts">${asserts.map(item).join('')}</ul>`;
}

function list(cls: string, items: readonly string[]): string {
  return items.length === 0 ? '' : `<ul class="${cls}">${items.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
}

function etcdVersion(etcd: unknown): string | null {
  const v = typeof etcd === 'object' && etcd !== null ? (etcd as { version?: unknown }).version : null;
  return typeof v === 'string' ? v : null;
}

function facts(d: ReportData): string {
  const c = d.config;
  const ttl = typeof c.ttl === 'number' ? c.ttl : null;
  const refresh = typeof c.refresh === 'number' ? c.refresh : null;
  const items: [string, unknown][] = [
    ['backend', c.backend],
    ['fault', c.fault],
    ['T / R', ttl !== null && refresh !== null ? `${ttl} s / ${refresh} s` : null],
    ['masters', c.masters],
    ['agents per host', c.agents],
    ['agent mode', c.agentMode],
    ['rounds', `${d.rounds.length}${typeof c.rounds === 'number' ? ` of ${c.rounds}` : ''}`],
    ['etcd', etcdVersion(d.etcd)],
    ['failover p50', fmtMs(d.summary.failoverMs.p50)],
    ['result', d.ok === null ? 'incomplete' : d.ok ? 'ok' : 'FAILED'],
  ];
  return `<p class="facts">${items
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${esc(k)} <b>${esc(v)}</b>`)
    .join(' · ')}</p>`;
}

/**
 * The whole report.html for one run. `script` is the client bundle
 * (./client-bundle.ts clientScript()), passed in so this stays pure.
 */
export function renderReport(data: ReportData, script: string): string {
  const notes = data.notes.length > 0 ? `<div class="notes">${data.notes.map(esc).join('<br>')}</div>` : '';
  const header = `${facts(data)}${assertsHtml(data.asserts)}${notes}${list('errors', data.errors)}${list('warnings', data.warnings)}`;
  const source = { 'summary.json': 'from summary.json', 'round-end': 'from the last round-end event', events: 'rebuilt from events.jsonl' }[data.summarySource];
  const tail = [
    `<section><h2>Summary</h2><p>Distributions over every round (${esc(source)}); ms.</p>${distributionTable(data.summary as unknown as Record<string, unknown>)}</section>`,
    `<section><h2>Rounds</h2>${roundsTable(data.rounds)}</section>`,
    `<section><h2>Settings</h2>${valueHtml(data.config)}</section>`,
    `<section><h2>Hosts</h2>${valueHtml(data.hosts)}</section>`,
    data.etcd === null || data.etcd === undefined ? '' : `<section><h2>What determined the numbers (etcd)</h2>${etcdSectionHtml(data.etcd)}</section>`,
  ].join('\n');
  return pageHtml({ title: `etcd-election-bench run ${data.runId}`, headerHtml: header, charts: { sections: data.sections }, tailHtml: tail, script });
}
