/**
 * report.html of a real run (real etcd, the real CLI), opened from disk in
 * Debian's headless chromium with the network blocked: every chart draws,
 * nothing is logged as an error, no request leaves the page. And the same
 * for a run that was killed: events.jsonl only, its last line torn.
 *
 * Set EEB_REPORT_SCREENSHOTS=DIR to keep a copy of the screenshots (the
 * test's own temp dir is removed when it ends).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { benchRun, type BenchRun } from '../helpers/bench-run.ts';
import { openChromium, type OpenedFile } from '../helpers/chromium.ts';
import { writeReport } from '../../src/report/write.ts';
import { loadRun } from '../../src/report/load.ts';
import { decodeHistogram } from '../../src/stats/hdr.ts';
import { fmtMs } from '../../src/stats/format.ts';
import type { ChartsPayload, ChartSpec } from '../../src/report/chart-spec.ts';

/** Per chart: SVG marks Plot drew (its mark groups carry aria-label "line", "rect", "rule"). */
async function drawnMarks(p: OpenedFile) {
  return p.page.$$eval('figure[data-chart]', (figs) =>
    figs.map((f) => ({
      id: f.getAttribute('data-chart') ?? '',
      svgs: f.querySelectorAll('svg').length,
      lines: [...f.querySelectorAll('g[aria-label="line"] path')].filter((x) => (x.getAttribute('d') ?? '').length > 10).length,
      rects: f.querySelectorAll('g[aria-label="rect"] rect').length,
      rules: f.querySelectorAll('g[aria-label="rule"] line').length,
      error: f.querySelector('.plot-error')?.textContent ?? null,
    })),
  );
}

async function embeddedCharts(p: OpenedFile): Promise<ChartSpec[]> {
  const text = await p.page.textContent('#charts-data');
  return (JSON.parse(text ?? '{}') as ChartsPayload).sections.flatMap((s) => s.charts);
}

function keepScreenshot(path: string, name: string): void {
  const keep = process.env.EEB_REPORT_SCREENSHOTS;
  if (!keep) return;
  mkdirSync(keep, { recursive: true });
  copyFileSync(path, join(keep, name));
}

describe('report.html', () => {
  let etcd: EmbeddedCluster;
  let run: BenchRun;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    etcd = await startTestCluster();
    // one real run for both tests: its temp dir goes with the suite
    run = await benchRun({ after: (fn) => cleanups.push(fn) }, etcd, ['--rounds', '2', '--agents', '20']);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await etcd?.stop();
  });

  test('Given a real 2-round kill run, When its report opens offline in chromium, Then every chart draws with no error and no request', async (t) => {
    const path = await writeReport(run.dir);
    assert.equal(path, join(run.dir, 'report.html'));
    // beside it, the agents' latencies as encoded HdrHistograms, the same samples as the summary's
    const hist = JSON.parse(readFileSync(join(run.dir, 'histograms.json'), 'utf8')) as { histograms: Record<string, string> };
    const notify = decodeHistogram(hist.histograms['all/agentNotifyMs']);
    const agentNotify = (run.json.summary as { agentNotifyMs: { n: number; p50: number } }).agentNotifyMs;
    assert.equal(notify.totalCount, agentNotify.n);
    assert.ok(Math.abs(notify.getValueAtPercentile(50) / 1000 - agentNotify.p50) <= agentNotify.p50 * 1e-3, 'p50 within 3 significant digits');
    t.diagnostic(`report.html: ${statSync(path).size} bytes`);
    const html = readFileSync(path, 'utf8');
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`), 'a CSP forbids any fetch');
    const external = html.match(/<(script|img|iframe|link|object|embed)\b[^>]*\b(src|href|data)=[^>]*>/i);
    assert.equal(external, null, 'no element loads anything');

    const browser = await openChromium(t);
    const p = await browser.openFile(path);
    await p.page.waitForSelector('body[data-charts]', { timeout: 30_000 });
    const expected = ['round-1', 'round-2', 'hist-failoverMs', 'hist-detectMs', 'hist-electionMs', 'cdf-rounds', 'cdf-notify-by-host', 'hist-notify', 'hist-reget'];
    assert.equal(await p.page.getAttribute('body', 'data-charts'), String(expected.length));
    const marks = await drawnMarks(p);
    assert.deepEqual(marks.map((m) => m.id), expected);
    for (const m of marks) {
      assert.equal(m.error, null, m.id);
      assert.ok(m.svgs >= 1, `${m.id}: an svg`);
      if (m.id.startsWith('round-')) {
        assert.ok(m.lines >= 2, `${m.id}: notify and re-get curves, got ${m.lines}`);
        assert.ok(m.rects >= 1, `${m.id}: the SIGKILL band`);
        assert.ok(m.rules >= 3, `${m.id}: fault, detected, elected, got ${m.rules}`);
      } else if (m.id.startsWith('hist-')) assert.ok(m.rects >= 1, `${m.id}: bars`);
      else assert.ok(m.lines >= 1, `${m.id}: a curve`);
    }
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.offPage(), [], 'no request left the page');
    assert.deepEqual(p.blocked, []);

    // what it shows is the run's: the band from T = 2 s, R = 0.5 s, the summary's failover p50
    const charts = await embeddedCharts(p);
    const r1 = charts.find((c) => c.id === 'round-1');
    assert.ok(r1 && r1.kind === 'timeline');
    const round1 = run.json.rounds[0] as { failoverMs: number; electionMs: number };
    const band = r1.bands.find((b) => b.name === 'SIGKILL bound');
    assert.deepEqual(band && [band.x1, band.x2], [1500, Math.round((2500 + round1.electionMs) * 100) / 100]);
    assert.equal(r1.rules.find((r) => r.name === 'new master elected')?.x, Math.round(round1.failoverMs * 100) / 100);
    assert.equal(r1.series.find((s) => s.name === 'agents notified')?.y.at(-1), 1, 'all 20 agents notified');
    const summary = run.json.summary as { failoverMs: { p50: number } };
    const table = await p.page.textContent('table.dist');
    assert.ok(table?.includes(`failoverMs3`) === false && table?.includes(fmtMs(summary.failoverMs.p50)), `summary table shows failover p50 ${fmtMs(summary.failoverMs.p50)}`);

    const shot = join(run.dir, 'report.png');
    await p.page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
    t.diagnostic(`screenshot: ${shot}`);
    keepScreenshot(shot, 'report.png');
  });

  test('Given a killed run (events.jsonl only, last line torn), Then the report rebuilds its rounds and still draws', async (t) => {
    const killed = join(run.dir, '..', 'killed');
    mkdirSync(killed);
    const lines = readFileSync(join(run.dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    // cut inside round 2: after its fault and some agents' events, before its round-end
    const fault2 = lines.findIndex((l) => l.includes('"kind":"fault"') && l.includes('"round":2'));
    const end2 = lines.findIndex((l) => l.includes('"kind":"round-end"') && l.includes('"round":2'));
    assert.ok(fault2 > 0 && end2 > fault2);
    const cut = lines.slice(0, end2);
    const torn = lines[end2].slice(0, Math.floor(lines[end2].length / 2));
    writeFileSync(join(killed, 'events.jsonl'), cut.join('\n') + '\n' + torn);
    assert.ok(!existsSync(join(killed, 'summary.json')));

    const data = await loadRun(killed);
    assert.equal(data.rounds.length, 1, 'round 1 from its round-end event');
    assert.equal(data.timelines.length, 2);
    assert.equal(data.timelines[1].result, null);
    assert.equal(data.summary.failoverMs.n, 1);
    assert.equal(data.ok, null);
    assert.ok(data.notes.some((n) => /1 torn line/.test(n)), data.notes.join('; '));
    assert.ok(data.notes.some((n) => /round 2 did not end/.test(n)), data.notes.join('; '));

    const path = await writeReport(killed);
    const browser = await openChromium(t);
    const p = await browser.openFile(path);
    await p.page.waitForSelector('body[data-charts]', { timeout: 30_000 });
    const marks = await drawnMarks(p);
    assert.deepEqual(marks.map((m) => m.id).slice(0, 2), ['round-1', 'round-2']);
    for (const m of marks) assert.equal(m.error, null, m.id);
    const r2 = marks.find((m) => m.id === 'round-2');
    assert.ok(r2 && r2.rules >= 3 && r2.lines >= 1, `the unfinished round is drawn from its events: ${JSON.stringify(r2)}`);
    assert.match((await p.page.textContent('.notes')) ?? '', /torn line/);
    assert.match((await p.page.textContent('.facts')) ?? '', /incomplete/);
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.offPage(), []);
    const shot = join(killed, 'report.png');
    await p.page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    keepScreenshot(shot, 'killed-report.png');
  });
});
