/**
 * The command line's edges (issue 8's failing inputs), against a real
 * cluster: checks that come before anything starts (exit 2, one line, fast),
 * warnings that reach stderr and the JSON, a master key held by something
 * else (exit 1, one line of reason, no stack).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { openFileLimit } from '../../src/fleet/limits.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 120_000, env: { CI: 'true' } });

/** exit 2, one line naming `what`, and quickly: nothing was started */
async function refused(args: string[], what: RegExp): Promise<void> {
  const t0 = performance.now();
  const r = await cli(args);
  const ms = performance.now() - t0;
  assert.equal(r.exitCode, 2, `${args.join(' ')}\n${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, what);
  assert.ok(ms < 10_000, `refused after ${ms.toFixed(0)} ms: it must not run first`);
}

describe('run: checked before anything starts', () => {
  let etcd: EmbeddedCluster;
  let dir: string;
  before(async () => {
    etcd = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'eeb-cli-edges-'));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = () => ['run', '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'results'), '--rounds', '1', '--agents', '2'];

  test('--json DIR, or a path in a missing directory: exit 2 naming --json', async () => {
    await refused([...base(), '--json', dir], /^etcd-election-bench: --json: .* is a directory/);
    await refused([...base(), '--json', join(dir, 'no', 'such', 'out.json')], /--json: the directory .*no\/such does not exist/);
    assert.ok(!existsSync(join(dir, 'results')) || readdirSync(join(dir, 'results')).length === 0, 'no run was started');
  });

  test('--out where nothing can be written: exit 2 naming --out', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    await refused([...base(), '--out', join(dir, 'a-file', 'results')], /--out: cannot write results to .*a-file\/results: a part of it is a file/);
    // a read-only place (sysfs refuses even root)
    await refused([...base(), '--out', '/sys/eeb-results'], /--out: cannot write results to \/sys\/eeb-results: permission denied/);
  });

  test('--masters 1 on one host: no standby for a kill round, exit 2 naming --masters', async () => {
    await refused([...base(), '--masters', '1'], /--masters: the kill fault needs a standby, but masters = 1 on 1 master host\(s\) runs 1/);
  });

  test('more own-mode agents than the open-file limit allows: exit 2 naming --agents', async () => {
    const limit = openFileLimit();
    assert.ok(limit !== null && limit <= 20_000, `this machine's limit: ${limit}`);
    await refused([...base(), '--agents', String(limit)], new RegExp(`--agents: ${limit} own-mode agents on this host need about \\d+ open files .* ulimit -n is ${limit}`));
  });

  test('a conf file setting that cannot be met names its file:line', async () => {
    const conf = join(dir, 'conf-masters');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'bench.conf'), '# one master\nmasters = 1\n');
    await refused(['run', '--conf', conf, '--endpoints', etcd.endpoints[0], '--out', join(dir, 'results')], /bench\.conf:2: the kill fault needs a standby/);
  });
});

describe('run: what it says while it runs', () => {
  let etcd: EmbeddedCluster;
  let dir: string;
  before(async () => {
    etcd = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'eeb-cli-says-'));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a warning from the settings reaches stderr, the JSON and summary.json', async () => {
    const json = join(dir, 'warn.json');
    const r = await cli(['run', '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'results'), '--ttl', '1', '--refresh', '0.3', '--fault', 'term', '--rounds', '1', '--agents', '2', '--json', json]);
    assert.equal(r.exitCode, 0, r.stderr);
    const warning = /ttl = 1 \(--ttl\): etcd silently raises lease TTLs below its minimum/;
    assert.match(r.stderr, new RegExp(`warn .*${warning.source}`));
    const o = JSON.parse(readFileSync(json, 'utf8'));
    assert.ok(o.warnings.some((w: string) => warning.test(w)), JSON.stringify(o.warnings));
    const summary = JSON.parse(readFileSync(join(dir, 'results', o.config.runId, 'summary.json'), 'utf8'));
    assert.ok(summary.warnings.some((w: string) => warning.test(w)));
  });

  test('a master key held by something this run did not write: exit 1, the key and its lease named, no stack', async (t) => {
    const v3 = new EtcdV3(new Transport(etcd.endpoints));
    await v3.put('/x/master', 'someone-else');
    t.after(() => v3.delete('/x/master'));
    const t0 = performance.now();
    const r = await cli(['run', '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'results'), '--master-path', '/x/master', '--ego-key', '/x/ego', '--rounds', '1', '--agents', '2']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /etcd-election-bench: the master key \/x\/master is held by "someone-else" with no lease \(it never expires\), which this run did not write/);
    assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|Cannot read properties/);
    assert.doesNotMatch(r.stderr, /active master null|all on master null/);
    assert.ok(performance.now() - t0 < 30_000, 'no waiting for a timeout');
  });
});
