/**
 * The session's edges against a real 3-member etcd: stopping or closing
 * while a round is in flight cancels it (no failed round, nothing
 * restarted), a master key held by something this run did not write is
 * reported at once, a pause shorter than T is a round with no failover.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { openTestSession } from '../helpers/session.ts';
import type { BenchEvent } from '../../src/events.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';

describe('session edges', () => {
  let etcd: EmbeddedCluster;
  before(async () => {
    etcd = await startTestCluster();
  });
  after(() => etcd?.stop());

  test('stopAll during a rounds series: the round in flight is cancelled, not failed; the series ends; nothing restarts', async (t) => {
    const s = await openTestSession(t, etcd, { agents: 5, masterPath: '/stop-series', roundTimeout: 30 });
    const events: BenchEvent[] = [];
    s.subscribe((e) => events.push(e));
    await s.startMasters();
    await s.startAgents();
    // When a long series runs and the operator stops everything during round 1
    const series = s.runRounds(99_999, 'kill');
    await waitFor('round 1 injected', () => events.some((e) => e.kind === 'fault'), 15_000);
    const t0 = performance.now();
    await s.stopAll();
    await series;
    // Then the series ended at once, round 1 is cancelled, and no round (ok or failed) was recorded
    assert.ok(performance.now() - t0 < 10_000, `stop took ${performance.now() - t0} ms`);
    assert.ok(events.some((e) => e.kind === 'round-cancelled' && e.round === 1));
    assert.equal(events.filter((e) => e.kind === 'round-end').length, 0);
    assert.deepEqual(s.model.rounds, []);
    // and the killed master was not started again, nor anything else after the stop began
    const fault = events.findIndex((e) => e.kind === 'fault');
    assert.equal(events.slice(fault).filter((e) => e.kind === 'worker-started').length, 0);
    assert.equal([...s.model.processes.values()].filter((p) => p.alive).length, 0, 'no worker process is alive');
    // and the next action starts again from a clean state
    await s.startMasters();
    assert.ok(s.model.active);
  });

  test('kill aimed at the master the dialog named: another active master means nothing is done', async (t) => {
    const s = await openTestSession(t, etcd, { agents: 2, masterPath: '/aimed' });
    const events: BenchEvent[] = [];
    s.subscribe((e) => events.push(e));
    await s.startMasters();
    await s.startAgents();
    const active = s.model.active!;
    const other = [...s.model.masters.keys()].find((id) => id !== active)!;
    await assert.rejects(s.kill(other), new RegExp(`the active master is now ${active}, not ${other}: nothing was done`));
    assert.equal(events.filter((e) => e.kind === 'fault').length, 0, 'no fault was injected');
    await s.kill(active);
    const f = events.find((e) => e.kind === 'fault');
    assert.ok(f && f.kind === 'fault' && f.target === active, 'the kill hit the master that was named');
  });

  test('close() during a round returns within 5 s and restarts nothing', async (t) => {
    const s = await openTestSession(t, etcd, { agents: 5, masterPath: '/close-mid' });
    const events: BenchEvent[] = [];
    s.subscribe((e) => events.push(e));
    await s.startMasters();
    await s.startAgents();
    const round = s.round('kill');
    await waitFor('the kill', () => events.some((e) => e.kind === 'fault'), 15_000);
    const t0 = performance.now();
    await s.close();
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `close took ${ms.toFixed(0)} ms`);
    assert.equal(await round, null, 'the round resolves as cancelled');
    const fault = events.findIndex((e) => e.kind === 'fault');
    assert.equal(events.slice(fault).filter((e) => e.kind === 'worker-started').length, 0);
    await assert.rejects(s.startMasters(), /closed/);
  });

  test('a master key held by a value this run did not write: startMasters fails at once, naming the key and its lease', async (t) => {
    const v3 = new EtcdV3(new Transport(etcd.endpoints));
    await v3.put('/x/master', 'someone-else');
    t.after(() => v3.delete('/x/master'));
    const s = await openTestSession(t, etcd, { agents: 2, masterPath: '/x/master', egoKey: '/x/ego' });
    const t0 = performance.now();
    await assert.rejects(s.startMasters(), (e: Error) => {
      assert.match(e.message, /the master key \/x\/master is held by "someone-else" with no lease/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.ok(performance.now() - t0 < 8000, 'it does not wait for a timeout');
    assert.equal(s.model.active, null, 'the foreign value never becomes the active master');
  });

  test('a pause shorter than T - R: the master keeps its lease, the round is ok with no failover', async (t) => {
    const s = await openTestSession(t, etcd, { agents: 3, masterPath: '/short-pause', ttl: 2, refresh: 0.5, pause: 0.5, fault: 'pause' });
    await s.startMasters();
    await s.startAgents();
    const old = s.model.active;
    const r = (await s.round('pause'))!;
    assert.equal(r.ok, true, r.error);
    assert.equal(r.outcome, 'none');
    assert.equal(r.newMaster, null);
    assert.equal(r.failoverMs, null);
    assert.equal(s.model.active, old, 'the same master is active');
  });
});
