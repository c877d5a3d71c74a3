/**
 * `cluster start|status|stop` through clusterCommand, with a throw-away
 * ETCD_BENCH_STATE_DIR: detached members, the state file, reuse, repair of
 * a killed member, and that stop leaves no process, data or state behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../../src/cli.ts';
import { etcdPidsUnder, isEtcdProcess } from '../../src/cluster/embedded.ts';
import { attachCluster, readState, runningCluster, stateFilePath, writeState, type ClusterState } from '../../src/cluster/state.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand('cluster', argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, '');
  return { code, out, err };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('cluster start / status / stop', () => {
  let stateDir: string;
  const savedEnv = process.env.ETCD_BENCH_STATE_DIR;
  let state: ClusterState | null = null;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'etcd-bench-state-'));
    process.env.ETCD_BENCH_STATE_DIR = stateDir;
  });

  after(async () => {
    // whatever happened above, nothing may survive the test
    await run('stop').catch(() => {});
    if (state) {
      for (const pid of await etcdPidsUnder(state.dataDir)) process.kill(pid, 'SIGKILL');
      await rm(state.dataDir, { recursive: true, force: true });
    }
    await rm(stateDir, { recursive: true, force: true });
    if (savedEnv === undefined) delete process.env.ETCD_BENCH_STATE_DIR;
    else process.env.ETCD_BENCH_STATE_DIR = savedEnv;
  });

  test('status before any start: a clear line, exit 1', async () => {
    const r = await run('status');
    assert.equal(r.code, 1);
    assert.match(r.out.join('\n'), /no embedded etcd cluster started/);
    assert.equal(await runningCluster(), null);
  });

  test('start: detached members, endpoints on one line, a state file', async (t) => {
    const t0 = performance.now();
    const r = await run('start');
    t.diagnostic(`cluster start took ${Math.round(performance.now() - t0)} ms`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out.length, 1);
    const endpoints = r.out[0]!.split(',');
    assert.equal(endpoints.length, 3);
    for (const e of endpoints) assert.match(e, /^http:\/\/127\.0\.0\.1:\d+$/);

    assert.equal(stateFilePath(), join(stateDir, 'cluster.json'));
    state = await readState();
    assert.ok(state);
    assert.deepEqual(state.endpoints, endpoints);
    assert.ok(state.started);
    for (const m of state.members) assert.ok(await isEtcdProcess(m.pid, m.dataDir), `${m.name} pid ${m.pid} is etcd`);
    assert.deepEqual(JSON.parse(await readFile(stateFilePath(), 'utf8')).members.length, 3);
  });

  test('start again: already running, same endpoints', async () => {
    const r = await run('start');
    assert.equal(r.code, 0);
    assert.match(r.err.join('\n'), /already running/);
    assert.deepEqual(r.out, [state!.endpoints.join(',')]);
  });

  test('status: members, leader, revision; exit 0; runningCluster() reuses it', async () => {
    const r = await run('status');
    assert.equal(r.code, 0, r.out.join('\n'));
    const text = r.out.join('\n');
    assert.match(text, /healthy \(3\/3 up\)/);
    for (const m of state!.members) assert.match(text, new RegExp(`${m.name}\\s+${m.clientUrl}\\s+pid ${m.pid}\\s+up`));
    assert.match(text, /^leader m\d, revision \d+$/m);

    const json = await run('status', '--json');
    const parsed = JSON.parse(json.out[0]!) as { healthy: boolean; leader: string; members: unknown[] };
    assert.equal(parsed.healthy, true);
    assert.match(parsed.leader, /^m\d$/);

    assert.deepEqual((await runningCluster())?.endpoints, state!.endpoints);
  });

  test('a killed member: status partial (exit 1), start restarts it', async () => {
    const cluster = attachCluster(state!);
    const leader = await cluster.leader();
    assert.ok(leader);
    const victim = state!.members.find((m) => m.name !== leader.name)!;
    await cluster.killMember(victim.name);
    assert.equal(await isEtcdProcess(victim.pid), false);

    const down = await run('status');
    assert.equal(down.code, 1);
    assert.match(down.out.join('\n'), /partial \(2\/3 up\)/);
    assert.match(down.out.join('\n'), new RegExp(`${victim.name}\\s+\\S+\\s+pid \\d+\\s+down`));
    // a quorum is left: still usable for a run
    assert.ok(await runningCluster());

    const r = await run('start');
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), new RegExp(`restarting etcd member ${victim.name}`));
    const after = await readState();
    const newPid = after!.members.find((m) => m.name === victim.name)!.pid;
    assert.notEqual(newPid, victim.pid, 'the state file has the new pid');
    assert.ok(await isEtcdProcess(newPid, victim.dataDir));
    assert.equal((await run('status')).code, 0);
    state = after;
  });

  test('stop: processes, data dir and state file are gone', async () => {
    const pids = state!.members.map((m) => m.pid);
    const r = await run('stop');
    assert.equal(r.code, 0);
    assert.match(r.out.join('\n'), /stopped embedded etcd cluster/);
    for (const pid of pids) assert.equal(await exists(`/proc/${pid}`), false, `pid ${pid} gone`);
    assert.deepEqual(await etcdPidsUnder(state!.dataDir), []);
    assert.equal(await exists(state!.dataDir), false);
    assert.equal(await exists(stateFilePath()), false);

    assert.equal((await run('status')).code, 1);
    assert.equal((await run('stop')).code, 0, 'stop with nothing started is fine');
    assert.equal(await runningCluster(), null);
  });

  test('stop never signals a recorded pid that is no longer etcd', async () => {
    // a stale record whose pid now belongs to some other program
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise((r) => other.once('exit', r));
    try {
      const dataDir = await mkdtemp(join(tmpdir(), 'etcd-bench-stale-'));
      await writeState({
        version: 1,
        started: new Date().toISOString(),
        endpoints: ['http://127.0.0.1:9'],
        token: 't',
        host: '127.0.0.1',
        dataDir,
        ownsDataDir: true,
        etcdBin: '/usr/bin/etcd',
        extraArgs: [],
        members: [{ name: 'm1', clientUrl: 'http://127.0.0.1:9', peerUrl: 'http://127.0.0.1:10', pid: other.pid!, dataDir: join(dataDir, 'm1') }],
      });
      const r = await run('stop');
      assert.equal(r.code, 0);
      assert.equal(other.exitCode, null);
      assert.equal(other.signalCode, null);
      assert.equal(await exists(`/proc/${other.pid}`), true, 'the other program still runs');
      assert.equal(await exists(dataDir), false);
      assert.equal(await exists(stateFilePath()), false);
    } finally {
      other.kill('SIGKILL');
      await exited;
    }
  });

  test('usage errors: one line, exit 2', async () => {
    for (const argv of [['bogus'], [], ['start', '--members', '0'], ['stop', 'now'], ['status', '--nope'], ['stop', '--json']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err.length, 1);
      assert.match(r.err[0]!, /^cluster: /);
      assert.deepEqual(r.out, []);
    }
  });
});
