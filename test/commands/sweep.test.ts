/**
 * `sweep` for real: the embedded cluster (started once by the sweep, in the
 * test's own temp dir and state dir), a 2 × 3 grid of which 2 points are
 * skipped (refresh >= ttl), one round of 5 agents per point. Every point has
 * its figures and its own results dir, all on one cluster; the sweep's
 * report draws offline in Debian's chromium; nothing is left running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdPidsUnder } from '../helpers/etcd-cluster.ts';
import { openChromium } from '../helpers/chromium.ts';
import type { SweepJson } from '../../src/report/sweep.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');

test('sweep --ttl 2,3 --refresh 0.5,1,3 --rounds 1 --agents 5: 4 points with figures on one cluster, 2 skipped, a sweep report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eeb-sweep-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { CI: 'true', TMPDIR: dir, ETCD_BENCH_STATE_DIR: join(dir, 'state') };
  const r = await execa(process.execPath, [bin, 'sweep', '--ttl', '2,3', '--refresh', '0.5,1,3', '--rounds', '1', '--agents', '5', '--out', join(dir, 'results'), '--json', '-'], { reject: false, timeout: 150_000, env });
  assert.equal(r.exitCode, 0, r.stderr);
  const s = JSON.parse(r.stdout) as SweepJson;
  t.diagnostic(r.stderr.split('\n').filter((l) => !/^ {2}\d\d:\d\d/.test(l)).join('\n'));

  // the grid: 4 points run, the 2 with refresh >= ttl skipped and said so
  assert.deepEqual(s.points.map((p) => [p.ttl, p.refresh]), [[2, 0.5], [2, 1], [3, 0.5], [3, 1]]);
  assert.deepEqual(s.sweep.skipped.map((k) => [k.ttl, k.refresh]), [[2, 3], [3, 3]]);
  assert.match(r.stderr, /sweep: skipped ttl 2 refresh 3: refresh must be shorter than ttl/);
  for (const p of s.points) {
    assert.equal(p.ok, true, `${p.ttl}/${p.refresh}: ${p.error}`);
    assert.equal(p.agents, 5);
    assert.equal(p.rounds, 1);
    assert.equal(p.failoverMs.n, 1);
    assert.equal(p.notifyMs.n, 5);
    assert.equal(p.flapRate, 0);
    // the physical bound of a SIGKILL failover (DESIGN §4), wide: (T - R, T + 0.5 s + election]
    const f = p.failoverMs.p99!;
    assert.ok(f > (p.ttl - p.refresh) * 1000 - 100 && f < (p.ttl + 0.5) * 1000 + 1500, `T ${p.ttl} R ${p.refresh}: failover ${f} ms`);
    assert.ok(existsSync(join(p.dir, 'summary.json')) && existsSync(join(p.dir, 'report.html')));
  }
  // each point its own results dir under the one sweep dir, all on one cluster (the embedded one: raft settings known)
  assert.deepEqual(readdirSync(s.sweep.dir).sort(), ['report.html', 'sweep.json', 'ttl2-r0.5', 'ttl2-r1', 'ttl3-r0.5', 'ttl3-r1']);
  const clusters = new Set(s.points.map((p) => JSON.parse(readFileSync(join(p.dir, 'summary.json'), 'utf8')).etcd.members.map((m: { clientUrl: string }) => m.clientUrl).join(',')));
  assert.equal(clusters.size, 1, `one cluster: ${[...clusters].join(' | ')}`);
  const facts = JSON.parse(readFileSync(join(s.points[0].dir, 'summary.json'), 'utf8')).etcd;
  assert.equal(facts.raft.heartbeatMs, 100);
  assert.equal(facts.metrics.etcd_debugging_server_lease_expired_total.delta, 1, 'one kill round: one lease expired');
  // the table
  assert.match(r.stderr, /^ttl +refresh +rounds +failover p50 +p99 +max +notify p99 +flap rate +ok +dir$/m);
  assert.match(r.stderr, /^ {2}3 +1 +1\/1 +\d+ ms +\d+ ms +\d+ ms +\d+ ms +0\.00 +ok +ttl3-r1$/m);
  assert.deepEqual(JSON.parse(readFileSync(join(s.sweep.dir, 'sweep.json'), 'utf8')), s);
  // nothing left running
  assert.deepEqual(await etcdPidsUnder(dir), []);

  // the sweep's report: failover and flap rate per point, drawn offline
  const browser = await openChromium(t);
  const page = await browser.openFile(join(s.sweep.dir, 'report.html'));
  await page.page.waitForSelector('body[data-charts]', { timeout: 30_000 });
  const charts = await page.page.$$eval('figure[data-chart]', (figs) =>
    figs.map((f) => ({ id: f.getAttribute('data-chart'), bars: f.querySelectorAll('g[aria-label="bar"] rect').length, error: f.querySelector('.plot-error')?.textContent ?? null })),
  );
  assert.deepEqual(charts.map((c) => c.id), ['sweep-failover', 'sweep-flaps', 'sweep-notify']);
  assert.equal(charts[0].bars, 12, 'p50, p99 and max for each of 4 points');
  assert.equal(charts[1].bars, 4, 'a flap rate bar per point (0 high)');
  for (const c of charts) assert.equal(c.error, null);
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.offPage(), []);
  const shot = join(dir, 'sweep.png');
  await page.page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);
});

test('sweep input is checked before anything starts: a bad list, or no valid point, is exit 2 in one line', async () => {
  for (const [args, re] of [
    [['--ttl', '2,x'], /--ttl: expected a whole number of seconds/],
    [['--ttl', '2,,3'], /--ttl: expected a comma-separated list/],
    [['--ttl', '2', '--refresh', '2,3'], /sweep: no point to run: every refresh is >= its ttl/],
  ] as [string[], RegExp][]) {
    const r = await execa(process.execPath, [bin, 'sweep', ...args, '--out', join(tmpdir(), 'eeb-sweep-never')], { reject: false, timeout: 30_000, env: { CI: 'true' } });
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  assert.ok(!existsSync(join(tmpdir(), 'eeb-sweep-never')));
});
