/**
 * The partition fault against real etcd and real network namespaces (root;
 * CI runs as root): every master runs in a namespace of its own and reaches
 * the run's embedded cluster over a veth link; the round cuts the active
 * master's link while it keeps running, and heals it after --pause s.
 * Per backend: a standby is elected inside the physical bound, the cut-off
 * master steps down on its own (the local deadline guard) so its stale-leader
 * window is ~0, it rejoins as a candidate once the link is back, and no
 * namespace or link of the run is left afterwards. Also: a namespace a
 * crashed run left is swept when a session starts; without root the fault is
 * refused before anything starts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BACKENDS, type BenchEvent, type WorkerEvent } from '../../src/events.ts';
import { loadConfig, type Settings } from '../../src/config/load.ts';
import { Session } from '../../src/run/session.ts';
import { checkPartition } from '../../src/run/preflight.ts';
import { createVethNs, freeBlocks, labName, listLab } from '../../src/lab/netns.ts';
import { labDir, runShort, writeOwner } from '../../src/lab/owner.ts';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { labLeft, testRunId } from '../helpers/netns.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const T = 2;
const R = 0.5;

describe('partition fault (real etcd, real network namespaces)', () => {
  let dir: string;
  const savedState = process.env.ETCD_BENCH_STATE_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eeb-partition-'));
    // no cluster left running by `cluster start` elsewhere is reused: each run starts its own
    process.env.ETCD_BENCH_STATE_DIR = join(dir, 'state');
  });
  after(() => {
    if (savedState === undefined) delete process.env.ETCD_BENCH_STATE_DIR;
    else process.env.ETCD_BENCH_STATE_DIR = savedState;
    rmSync(dir, { recursive: true, force: true });
  });

  async function partitionSession(t: { after: (fn: () => unknown) => void }, o: Partial<Settings>): Promise<{ s: Session; events: BenchEvent[] }> {
    const config = loadConfig(undefined, { endpoints: 'embedded', out: join(dir, 'results'), fault: 'partition', masters: 3, agents: 5, ttl: T, refresh: R, ...o });
    const s = Session.create(config);
    const events: BenchEvent[] = [];
    s.subscribe((e) => events.push(e));
    t.after(async () => {
      await s.close();
      // Then nothing of the run's lab is left: no namespace, no link
      assert.deepEqual(await labLeft(s.runId), [], 'no eeb- namespace or link of the run is left');
    });
    await s.start();
    return { s, events };
  }

  const worker = (e: BenchEvent): WorkerEvent | null => (e.kind === 'worker' ? e.event : null);

  for (const backend of BACKENDS) {
    test(`${backend}: the cut-off master steps down on its own, a standby is elected in (T-R-50, T+2500) ms, the old one rejoins as a candidate`, async (t) => {
      const { s, events } = await partitionSession(t, { backend, masterPath: `/partition-${backend}` });
      // Given masters each in a namespace of their own
      const ns = (await listLab()).namespaces.filter((n) => n.startsWith(`eeb-${runShort(s.runId)}-`));
      assert.equal(ns.length, 3, `one namespace per master: ${ns.join(', ')}`);
      await s.startMasters();
      await s.startAgents();
      // When the active master is cut off from etcd for T + 1.5 s
      const r = (await s.round('partition'))!;
      // Then a standby took over inside the physical bound, and every agent followed
      assert.equal(r.ok, true, r.error);
      assert.equal(r.outcome, 'failover');
      assert.notEqual(r.newMaster, r.oldMaster);
      assert.ok(r.failoverMs! > (T - R) * 1000 - 50 && r.failoverMs! < T * 1000 + 500 + 2000, `failover ${r.failoverMs} ms`);
      assert.equal(r.agents.notified, r.agents.count);
      // and the old master stepped down by its own deadline guard, before or soon after the heal
      const healedAt = (events.find((e) => e.kind === 'fault-healed') as Extract<BenchEvent, { kind: 'fault-healed' }>).t;
      const stepdown = events.map(worker).find((w) => w?.id === r.oldMaster && w.ev === 'stepdown')!;
      assert.equal(stepdown.reason, 'deadline', 'the guard, not etcd, ended its mastership');
      assert.ok(stepdown.tc! < healedAt + 500, `stepdown ${(stepdown.tc! - healedAt).toFixed(0)} ms after the heal`);
      assert.ok(r.staleLeaderMs !== null && r.staleLeaderMs < 500, `stale leader ${r.staleLeaderMs} ms`);
      assert.ok(r.dualLeaderMs !== null && r.dualLeaderMs >= 0, `dual leader ${r.dualLeaderMs} ms`);
      // and once the link was back it reached etcd and saw the new master: a candidate again
      const back = events.map(worker).find((w) => w?.id === r.oldMaster && w.ev === 'lost' && w.tc! > healedAt);
      assert.equal(back?.master, r.newMaster, 'the old master, back, names the new one as holder');
      assert.equal(s.model.masters.get(r.oldMaster!)!.state, 'candidate');
      t.diagnostic(`${backend}: failover ${r.failoverMs!.toFixed(0)} ms, dual-leader ${r.dualLeaderMs!.toFixed(0)} ms, stale-leader ${r.staleLeaderMs!.toFixed(0)} ms, stepdown ${(stepdown.tc! - r.faultAt).toFixed(0)} ms after the cut`);
    });
  }

  test('a session sweeps the namespace and link a crashed run left (its owner process is gone)', async (t) => {
    // Given a namespace of a run whose process died without removing it
    const deadRun = testRunId();
    const name = labName(runShort(deadRun), 1);
    const dead = spawnSync('true');
    writeOwner(labDir(), runShort(deadRun), deadRun, dead.pid!);
    t.after(() => spawnSync('ip', ['-batch', '-', '-force'], { input: `link del ${name}\nnetns del ${name}\n` }));
    await createVethNs(name, (await freeBlocks(1))[0]!);
    assert.deepEqual(await labLeft(deadRun), [name, name], 'namespace and link exist');
    // When a session starts (any fault)
    const etcd: EmbeddedCluster = await startTestCluster();
    t.after(() => etcd.stop());
    const config = loadConfig(undefined, { endpoints: etcd.endpoints, out: join(dir, 'results'), fault: 'kill', masters: 2, agents: 0 });
    const s = Session.create(config);
    const logs: string[] = [];
    s.subscribe((e) => e.kind === 'log' && logs.push(e.message));
    t.after(() => s.close());
    await s.start();
    // Then they are gone, and the log says so
    await waitFor('the swept namespace gone', async () => (await labLeft(deadRun)).length === 0, 5000);
    assert.ok(logs.some((l) => l.includes(name) && /left by runs that are gone/.test(l)), logs.join('\n'));
  });

  test('not root: the partition fault is refused before anything starts, in one line (exit 2)', async () => {
    // the check, with the capability probe injected
    const config = loadConfig(undefined, { endpoints: 'embedded', out: join(dir, 'results'), fault: 'partition' });
    assert.throws(() => checkPartition(config, { uid: () => 1000, ip: () => '/usr/sbin/ip' }), {
      message: '--fault: the partition fault cannot run here: network namespaces need root (running as uid 1000)',
    });
    // and for real: the CLI run as an unprivileged user (setpriv, util-linux)
    const out = join(dir, 'nobody-results');
    const r = await execa('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, bin, 'run', '--fault', 'partition', '--endpoints', 'embedded', '--out', out], {
      reject: false,
      cwd: tmpdir(),
      timeout: 60_000,
      env: { CI: 'true', PATH: process.env.PATH },
    });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trim(), 'etcd-election-bench: --fault: the partition fault cannot run here: network namespaces need root (running as uid 65534)');
  });
});
