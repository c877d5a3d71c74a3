/**
 * Issue 9.5: two runs on the same endpoints and election key. A run leaves a
 * leased marker beside the key; a second run on the same key is refused
 * before anything of it starts (one line naming the first run, exit 2), and
 * runs with another --master-path. The marker goes with its run (close
 * revokes it); a marker whose process on this machine is gone is stale at
 * once; `clean` refuses while another run holds the key and never deletes a
 * marker. Real 3-member etcd.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { openTestSession } from '../helpers/session.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Session } from '../../src/run/session.ts';
import { markerKey, MARKER_TTL_S } from '../../src/run/run-marker.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 60_000, env: { CI: 'true' } });

describe('one run per election key (run marker)', () => {
  let etcd: EmbeddedCluster;
  let v3: EtcdV3;
  let dir: string;
  before(async () => {
    etcd = await startTestCluster();
    v3 = new EtcdV3(new Transport(etcd.endpoints));
    dir = mkdtempSync(join(tmpdir(), 'eeb-marker-'));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second session on the same key is refused, naming the first run; with another --master-path it runs', async (t) => {
    // Given a live run on /shared
    const first = await openTestSession(t, etcd, { masterPath: '/shared', agents: 2 });
    await first.startMasters();
    const { kv } = await v3.get(markerKey('/shared'));
    assert.ok(kv, 'the marker is there');
    assert.notEqual(kv.lease, '0', 'on a lease');
    assert.deepEqual(JSON.parse(kv.value).runId, first.runId);
    // When a second session starts on the same key
    const second = Session.create(loadConfig(undefined, { endpoints: etcd.endpoints, out: join(dir, 'r2'), masterPath: '/shared' }));
    // Then it is refused before it starts anything, naming the first run
    await assert.rejects(second.start(), (e: Error & { exitCode?: number }) => {
      assert.equal(e.exitCode, 2);
      assert.equal(
        e.message,
        `another run ${first.runId} (pid ${process.pid} on ${hostname()}, started ${JSON.parse(kv.value).started}) is using the election key /shared on these endpoints: wait for it to end, or use another --master-path`,
      );
      return true;
    });
    assert.equal(second.model.masters.size, 0, 'no master of the second run was started');
    assert.equal(first.model.active !== null && first.model.masters.get(first.model.active)?.state, 'master', "the first run's master is untouched");
    // and the same from the command line: exit 2, one line
    const r = await cli(['run', '--endpoints', etcd.endpoints.join(','), '--master-path', '/shared', '--out', join(dir, 'cli'), '--rounds', '1', '--agents', '2']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`another run ${first.runId} \\(pid ${process.pid} on .*\\) is using the election key /shared on these endpoints: wait for it to end, or use another --master-path`));
    // With another master path, the second run starts and elects its own master
    const other = await openTestSession(t, etcd, { masterPath: '/shared-2', egoKey: '/ego-2', agents: 2 });
    await other.startMasters();
    assert.ok(other.model.active);
    // `clean` of the first run's key is refused while it runs, and deletes no marker
    const clean = await cli(['clean', '--endpoints', etcd.endpoints.join(','), '--master-path', '/shared']);
    assert.equal(clean.exitCode, 2, clean.stderr);
    assert.match(clean.stderr.trim(), new RegExp(`^etcd-election-bench: run ${first.runId} \\(pid \\d+ on .*\\) is using /shared now: its keys are its own while it runs; stop it first, or wait for its end \\(a crashed run's marker goes within ${MARKER_TTL_S} s\\)$`));
    assert.ok((await v3.get('/shared')).kv, 'the master key was not deleted');
    assert.ok((await v3.get(markerKey('/shared'))).kv, 'nor the marker');
    // When the first run closes, its marker goes with it, and the key is free for a new run
    await first.close();
    assert.equal((await v3.get(markerKey('/shared'))).kv, null, 'close revoked the marker');
    const third = await openTestSession(t, etcd, { masterPath: '/shared', agents: 0 });
    assert.equal(JSON.parse((await v3.get(markerKey('/shared'))).kv!.value).runId, third.runId);
  });

  test("a crashed run's marker on this machine (its pid is gone) does not hold a new run back", async (t) => {
    const dead = spawnSync('true');
    const lease = await v3.leaseGrant(60);
    t.after(() => v3.leaseRevoke(lease.id).catch(() => {}));
    await v3.put(markerKey('/crashed'), JSON.stringify({ runId: 'crashed-run', pid: dead.pid, host: hostname(), started: new Date().toISOString() }), { lease: lease.id });
    const s = await openTestSession(t, etcd, { masterPath: '/crashed', agents: 0 });
    assert.equal(JSON.parse((await v3.get(markerKey('/crashed'))).kv!.value).runId, s.runId);
  });

  test('a marker of a live run on another machine holds until its lease runs out', async (t) => {
    const lease = await v3.leaseGrant(60);
    t.after(() => v3.leaseRevoke(lease.id).catch(() => {}));
    await v3.put(markerKey('/remote-run'), JSON.stringify({ runId: 'elsewhere-1', pid: 1, host: 'ctl-elsewhere', started: '2026-11-29T23:00:00.000Z' }), { lease: lease.id });
    const s = Session.create(loadConfig(undefined, { endpoints: etcd.endpoints, out: join(dir, 'r3'), masterPath: '/remote-run' }));
    await assert.rejects(s.start(), /another run elsewhere-1 \(pid 1 on ctl-elsewhere, started 2026-11-29T23:00:00\.000Z\) is using the election key \/remote-run/);
    // its lease gone (that run ended or crashed), the key is free
    await v3.leaseRevoke(lease.id);
    const again = await openTestSession(t, etcd, { masterPath: '/remote-run', agents: 0 });
    assert.ok(again.runId);
  });
});
