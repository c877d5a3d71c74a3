/**
 * `report DIR` and `compare DIR DIR` through the real CLI, on two real
 * one-round runs (v3-lease and v2-ttl against a real cluster): the report is
 * (re)written, also for a run that has only events.jsonl; compare prints the
 * ratios, writes --html and --json; bad input is one line, exit 2.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { benchRun, type BenchRun } from '../helpers/bench-run.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 120_000, env: { CI: 'true' } });

describe('report and compare commands', () => {
  let etcd: EmbeddedCluster;
  let a: BenchRun;
  let b: BenchRun;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    etcd = await startTestCluster();
    const t = { after: (fn: () => unknown) => cleanups.push(fn) };
    a = await benchRun(t, etcd, ['--rounds', '1', '--agents', '3']);
    b = await benchRun(t, etcd, ['--rounds', '1', '--agents', '3', '--backend', 'v2-ttl']);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await etcd?.stop();
  });

  test('Given a finished run and one with events.jsonl only, When report DIR..., Then each report.html is (re)written and its path printed', async () => {
    // the run already wrote its report at its end
    assert.ok(existsSync(join(a.dir, 'report.html')));
    const killed = join(a.dir, '..', 'killed');
    mkdirSync(killed);
    copyFileSync(join(a.dir, 'events.jsonl'), join(killed, 'events.jsonl'));
    const before = statSync(join(a.dir, 'report.html')).mtimeMs;
    const r = await cli(['report', a.dir, killed]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [join(a.dir, 'report.html'), join(killed, 'report.html')]);
    assert.ok(statSync(join(a.dir, 'report.html')).mtimeMs >= before);
    assert.match(readFileSync(join(killed, 'report.html'), 'utf8'), /summary\.json is missing/);
    assert.ok(existsSync(join(killed, 'histograms.json')));
  });

  test('When compare A B --html F --json G, Then the text has the ratios, the page and the JSON are written', async () => {
    const html = join(a.dir, '..', 'cmp.html');
    const json = join(a.dir, '..', 'cmp.json');
    const r = await cli(['compare', a.dir, b.dir, '--html', html, '--json', json]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^A {2}\S+ {2}v3-lease · kill/m);
    assert.match(r.stdout, /^B {2}\S+ {2}v2-ttl · kill/m);
    assert.match(r.stdout, /^failover p50 +\d+ ms +\d+ ms ×\d+\.\d\d$/m);
    assert.match(readFileSync(html, 'utf8'), /<figure class="chart" data-chart="cmp-failover"/);
    const o = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(o.runs.map((x: { letter: string; dir: string }) => [x.letter, x.dir]), [['A', a.dir], ['B', b.dir]]);
    const row = o.rows.find((x: { figure: string }) => x.figure === 'failover p50');
    assert.equal(row.ratios[1], row.values[1] / row.values[0]);
    // --json -: the JSON alone on stdout
    const j = await cli(['compare', a.dir, b.dir, '--json', '-']);
    assert.equal(j.exitCode, 0, j.stderr);
    assert.equal(JSON.parse(j.stdout).rows.length, o.rows.length);
  });

  test('bad input: one line naming it, exit 2', async () => {
    for (const [args, re] of [
      [['compare'], /compare: expected results directories/],
      [['compare', a.dir, join(a.dir, 'nope')], /nope: neither events\.jsonl nor summary\.json is readable/],
      [['compare', a.dir, '--html', a.dir], /--html: .* is a directory/],
      [['report'], /report: expected a results directory/],
      [['report', join(a.dir, 'nope')], /nope: neither events\.jsonl nor summary\.json is readable/],
    ] as [string[], RegExp][]) {
      const r = await cli(args);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    }
    rmSync(join(a.dir, 'nope'), { recursive: true, force: true });
  });
});
