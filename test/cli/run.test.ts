/**
 * The real command line: `run` against a real cluster writes the JSON
 * contract (DESIGN §6) and the results dir; bad flags and conf lines give one
 * line naming the flag or file:line and exit 2; `summary DIR` reads it back.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[], opts: { cwd?: string } = {}) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 120_000, ...opts, env: { CI: 'true' } });

describe('run', () => {
  let etcd: EmbeddedCluster;
  let dir: string;
  before(async () => {
    etcd = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'eeb-cli-'));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes the JSON object and the results dir; exit 0', async () => {
    const json = join(dir, 'out.json');
    const r = await cli(['run', '--endpoints', etcd.endpoints.join(','), '--rounds', '2', '--agents', '10', '--fault', 'term', '--out', join(dir, 'results'), '--json', json]);
    assert.equal(r.exitCode, 0, r.stderr);
    const o = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(Object.keys(o).sort(), ['config', 'errors', 'hosts', 'ok', 'rounds', 'summary', 'warnings']);
    assert.equal(o.ok, true);
    assert.deepEqual(o.hosts, [{ host: 'localhost', roles: ['master', 'agent'], transport: 'local', nodeVersion: process.version, clockOffsetMs: 0, clockUncertaintyMs: 0 }]);
    assert.equal(o.rounds.length, 2);
    for (const round of o.rounds) {
      for (const k of ['round', 'fault', 'faultAt', 'oldMaster', 'newMaster', 'failoverMs', 'detectMs', 'electionMs', 'dualLeaderMs', 'agents']) assert.ok(k in round, k);
      assert.equal(typeof round.failoverMs, 'number');
      assert.equal(round.dualLeaderMs, null);
      assert.ok(Math.abs(round.faultAt - Date.now()) < 120_000, 'faultAt is epoch ms');
      assert.deepEqual(Object.keys(round.agents.notifyMs).sort(), ['max', 'mean', 'min', 'n', 'p50', 'p95', 'p99']);
      assert.equal(round.agents.notified, 10);
    }
    for (const k of ['failoverMs', 'detectMs', 'electionMs', 'dualLeaderMs', 'agentNotifyMs', 'agentRegetMs', 'agentGetMs']) assert.ok(k in o.summary, k);
    assert.equal(o.summary.agentGetMs.n, 10);
    const runDir = join(dir, 'results', o.config.runId);
    for (const f of ['events.jsonl', 'rounds.csv', 'summary.json']) assert.ok(existsSync(join(runDir, f)), f);
    assert.equal(readFileSync(join(runDir, 'rounds.csv'), 'utf8').trim().split('\n').length, 3);

    // summary DIR reads it back
    const s = await cli(['summary', runDir]);
    assert.equal(s.exitCode, 0, s.stderr);
    assert.match(s.stdout, /2 round\(s\), 2 ok/);
    assert.match(s.stdout, /failover/);
  });

  test('a bad flag value: one line naming the flag, exit 2', async () => {
    const r = await cli(['run', '--endpoints', etcd.endpoints[0], '--ttl', 'abc']);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--ttl/);
  });

  test('an endpoint where no etcd answers: one line naming --endpoints, exit 2', async () => {
    const r = await cli(['run', '--endpoints', 'http://127.0.0.1:9', '--out', join(dir, 'results-bad')]);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^etcd-election-bench: --endpoints: etcd does not answer at http:\/\/127\.0\.0\.1:9/);
  });

  test('an unknown flag: one line, exit 2', async () => {
    const r = await cli(['run', '--ttx', '3']);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--ttx/);
  });

  test('a bad conf line: one line naming file:line, exit 2', async () => {
    const conf = join(dir, 'conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'bench.conf'), '# settings\nbackend = v3-lease\nrefresh = fast\n');
    const r = await cli(['run', '--conf', conf, '--endpoints', etcd.endpoints[0]]);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bench\.conf:3/);
    writeFileSync(join(conf, 'bench.conf'), '');
    writeFileSync(join(conf, 'master-ips.conf'), 'localhost\nroot@bad host\n');
    const h = await cli(['run', '--conf', conf, '--endpoints', etcd.endpoints[0]]);
    assert.equal(h.exitCode, 2);
    assert.match(h.stderr, /master-ips\.conf:2/);
  });
});
