/**
 * `compare` on two real runs (v3-lease against v2-ttl, real etcd, the real
 * CLI): the text holds each figure with its ratio to the first run, right
 * for the summaries' own numbers; the page draws the overlaid CDFs offline
 * in Debian's headless chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { benchRun, type BenchRun } from '../helpers/bench-run.ts';
import { openChromium } from '../helpers/chromium.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { fmtMs } from '../../src/stats/format.ts';
import type { Distribution } from '../../src/events.ts';

type Summary = Record<string, Distribution>;

describe('compare', () => {
  let etcd: EmbeddedCluster;
  let a: BenchRun;
  let b: BenchRun;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    etcd = await startTestCluster();
    const t = { after: (fn: () => unknown) => cleanups.push(fn) };
    a = await benchRun(t, etcd, ['--rounds', '2', '--agents', '20']);
    b = await benchRun(t, etcd, ['--rounds', '2', '--agents', '20', '--backend', 'v2-ttl']);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await etcd?.stop();
  });

  test('Given a v3-lease and a v2-ttl run, Then the text gives each figure as value and ratio to the first', async (t) => {
    const { text } = await compareRuns([a.dir, b.dir]);
    t.diagnostic(`\n${text}`);
    const lines = text.split('\n');
    assert.match(lines[0], new RegExp(`^A  ${a.json.config.runId}  v3-lease · kill · 20 agents/host \\(own\\) · T 2 s / R 0\\.5 s · 2 rounds$`));
    assert.match(lines[1], new RegExp(`^B  ${b.json.config.runId}  v2-ttl · kill`));
    const sa = a.json.summary as unknown as Summary;
    const sb = b.json.summary as unknown as Summary;
    for (const [key, label, stat] of [
      ['failoverMs', 'failover', 'p50'],
      ['agentNotifyMs', 'agent notify', 'p99'],
      ['agentRegetMs', 'agent re-get', 'max'],
    ] as const) {
      const va = sa[key][stat] as number;
      const vb = sb[key][stat] as number;
      const row = lines.find((l) => l.startsWith(`${label} ${stat} `));
      assert.ok(row, `a row for ${label} ${stat}`);
      const expected = `${fmtMs(va)}  ${fmtMs(vb)} ×${(vb / va).toFixed(2)}`;
      assert.ok(row.replace(/\s+/g, ' ').endsWith(expected.replace(/\s+/g, ' ')), `${row} ends with ${expected}`);
    }
  });

  test('the html overlays both runs in every CDF and renders offline in chromium', async (t) => {
    const { html } = await compareRuns([a.dir, b.dir]);
    const path = join(a.dir, '..', 'compare.html');
    writeFileSync(path, html);
    t.diagnostic(`compare.html: ${statSync(path).size} bytes`);
    const browser = await openChromium(t);
    const p = await browser.openFile(path);
    await p.page.waitForSelector('body[data-charts]', { timeout: 30_000 });
    const charts = await p.page.$$eval('figure[data-chart]', (figs) =>
      figs.map((f) => ({
        id: f.getAttribute('data-chart'),
        curves: [...f.querySelectorAll('g[aria-label="line"] path')].filter((x) => (x.getAttribute('d') ?? '').length > 10).length,
        error: f.querySelector('.plot-error')?.textContent ?? null,
      })),
    );
    assert.deepEqual(charts.map((c) => c.id), ['cmp-failover', 'cmp-detect', 'cmp-notify', 'cmp-reget']);
    for (const c of charts) {
      assert.equal(c.error, null, String(c.id));
      assert.equal(c.curves, 2, `${c.id}: one curve per run`);
    }
    assert.match((await p.page.textContent('table.compare')) ?? '', /failover p50/);
    assert.deepEqual(p.consoleErrors, []);
    assert.deepEqual(p.offPage(), [], 'no request left the page');
    const shot = join(a.dir, '..', 'compare.png');
    await p.page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
  });

  test('no dir, or a dir that is no results dir: a ConfigError naming it', async () => {
    await assert.rejects(compareRuns([]), { name: 'ConfigError' });
    await assert.rejects(compareRuns([a.dir, join(a.dir, 'nope')]), (e: Error) => e.name === 'ConfigError' && e.message.startsWith(join(a.dir, 'nope')));
  });
});
