/**
 * `bench`: a small real run (20 watchers per peer, one round, its own
 * embedded cluster) prints the three peer rows with finite ratios, writes the
 * JSON and leaves no process behind; bad flags are one line and exit 2.
 * No timing assertions: the figures are ratios for people to read.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs } from '../../src/perf/command.ts';
import { BenchError } from '../../src/errors.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 240_000, env: { CI: 'true' } });

/** pids of live processes whose command line mentions `needle` */
function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eeb-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('Given 20 watchers and one round, When bench runs, Then ours, the bare floor and etcdctl are rows with finite ratios', async () => {
    const json = join(dir, 'bench.json');
    const r = await cli(['bench', '--agents', '20', '--rounds', '1', '--json', json]);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);

    assert.match(r.stdout, /^ours \(agents worker\)\s+20\s+\d/m);
    assert.match(r.stdout, /^bare watchers \(floor\)\s+20\s+\d/m);
    assert.match(r.stdout, /^etcdctl watch \(processes\)\s+20\s+\d/m);
    assert.match(r.stdout, /^ours \/ bare\s+[\d.]+x/m);
    assert.match(r.stdout, /^ours \/ etcdctl\s+[\d.]+x/m);
    assert.match(r.stdout, /^Memory: /m);

    const o = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(o.ok, true, o.errors.join('; '));
    assert.deepEqual(o.config.agents, [20]);
    assert.equal(o.fanout.length, 1);
    const f = o.fanout[0];
    for (const peer of ['ours', 'bare', 'etcdctl']) {
      assert.equal(f[peer].failed, null, `${peer}: ${f[peer].failed}`);
      assert.equal(f[peer].notifyMs.n, 20, `${peer} notify samples`);
      assert.equal(f[peer].newMasterMs.n, 20, `${peer} new master samples`);
      assert.equal(f[peer].missing, 0);
    }
    for (const set of ['oursOverBare', 'oursOverEtcdctl']) {
      for (const [k, v] of Object.entries(f.ratios[set])) assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${set}.${k} = ${v}`);
    }
    const m = o.memory[0];
    for (const k of ['oursRssKiB', 'bareRssKiB', 'oursBaseKiB', 'bareBaseKiB']) assert.ok(m[k] > 0, `${k} = ${m[k]}`);
    assert.ok(Number.isFinite(m.ratio), `memory ratio ${m.ratio}`);
    if (o.reducer !== null) assert.ok(Number.isFinite(o.reducer.ratio) && o.reducer.ratio > 0);

    // nothing of this run survives it: every process it started named one of its endpoints
    for (const ep of o.config.endpoints) assert.deepEqual(processesMentioning(ep), [], `processes still using ${ep}`);
  });

  test('Given a bad flag value, Then one line naming the flag and exit 2', async () => {
    for (const args of [
      ['--rounds', '0'],
      ['--agents', '100,x'],
      ['extra'],
    ]) {
      const r = await cli(['bench', ...args]);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, args[0].startsWith('--') ? new RegExp(args[0]) : /unexpected argument/);
      assert.equal(r.stdout, '');
    }
  });

  test('Given --quick or nothing, Then the default sizes and rounds', () => {
    assert.deepEqual(parseBenchArgs([]), { agents: [100, 1000, 5000], rounds: 3, quick: false, json: null });
    assert.deepEqual(parseBenchArgs(['--quick']), { agents: [100, 1000], rounds: 2, quick: true, json: null });
    assert.deepEqual(parseBenchArgs(['--quick', '--agents', '50, 500', '--json', 'x.json']), { agents: [50, 500], rounds: 2, quick: true, json: 'x.json' });
    assert.throws(() => parseBenchArgs(['--agents', '0']), (e: unknown) => e instanceof BenchError && e.exitCode === 2 && /--agents/.test(e.message));
    assert.throws(() => parseBenchArgs(['--fast']), (e: unknown) => e instanceof BenchError && e.exitCode === 2 && /--fast/.test(e.message));
  });
});
