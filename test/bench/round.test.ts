/** RoundTracker: the round's figures from a known sequence of events (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundTracker } from '../../src/bench/round.ts';
import type { WorkerEvent } from '../../src/events.ts';

const ev = (tc: number, role: 'master' | 'agent', id: string, e: WorkerEvent['ev'], extra: Partial<WorkerEvent> = {}): WorkerEvent => ({
  t: tc + 5000, // host clock 5 s ahead: only tc counts
  tc,
  host: 'h',
  pid: 1,
  role,
  id,
  ev: e,
  ...extra,
});

test('Given a kill at 1000: failover, detect, election and agent figures come from the events', () => {

  const fresh = new RoundTracker(1, 'kill', 1000, 'm1', new Set(['a1', 'a2']));
  for (const e of [
    ev(3000, 'agent', 'a1', 'notified'),
    ev(3001, 'master', 'm2', 'notified'),
    ev(3002, 'master', 'm3', 'notified'),
    ev(3010, 'agent', 'a2', 'notified'),
    ev(3020, 'master', 'm2', 'elected'),
    ev(3030, 'master', 'm3', 'elected'), // a second "elected" does not replace the first
    ev(3040, 'agent', 'a1', 'got-master', { master: 'm2' }),
  ])
    fresh.feed(e);
  assert.equal(fresh.done, false, 'a2 does not know the new master yet');
  assert.match(fresh.missing(), /1 of 2 agents/);
  fresh.feed(ev(3050, 'agent', 'a2', 'got-master', { master: 'm2' }));
  assert.equal(fresh.done, true);
  const res = fresh.result();
  assert.equal(res.ok, true);
  assert.equal(res.newMaster, 'm2');
  assert.equal(res.failoverMs, 2020);
  assert.equal(res.detectMs, 2001);
  assert.equal(res.electionMs, 19);
  assert.equal(res.dualLeaderMs, null);
  assert.equal(res.agents.notified, 2);
  assert.deepEqual([res.agents.notifyMs.min, res.agents.notifyMs.max], [2000, 2010]);
  assert.deepEqual([res.agents.regetMs.min, res.agents.regetMs.max], [40, 40]);
});

test('Given a pause: the round waits for the old master to step down; the window is stepdown - elected', () => {
  const r = new RoundTracker(2, 'pause', 0, 'm1', new Set());
  r.feed(ev(2400, 'master', 'm2', 'elected'));
  assert.equal(r.done, false);
  r.feed(ev(3600, 'master', 'm1', 'stepdown', { reason: 'deadline' }));
  assert.equal(r.done, true);
  assert.equal(r.result().dualLeaderMs, 1200);
});

test('Given no new master by the deadline: the result says so and is not ok', () => {
  const r = new RoundTracker(3, 'kill', 0, 'm1', new Set(['a1']));
  const res = r.result();
  assert.equal(res.ok, false);
  assert.equal(res.failoverMs, null);
  assert.equal(res.error, 'no new master was elected');
});

test('Given an etcd leader loss the master survives: done at its first keep-alive after the fault', () => {
  const r = new RoundTracker(4, 'etcd-leader', 100, 'm1', new Set());
  r.feed(ev(50, 'master', 'm1', 'refresh'));
  assert.equal(r.done, false);
  r.feed(ev(1300, 'master', 'm1', 'refresh'));
  assert.equal(r.done, true);
  assert.equal(r.result().recoveryMs, 1200);
  assert.equal(r.result().failoverMs, null);
});

test('Given the new master steps down during the round (it flapped): the round is not ok and says why', () => {
  const r = new RoundTracker(5, 'kill', 0, 'm1', new Set());
  r.feed(ev(2000, 'master', 'm2', 'elected'));
  r.feed(ev(3500, 'master', 'm2', 'stepdown', { reason: 'deadline' }));
  const res = r.result();
  assert.equal(res.ok, false);
  assert.match(res.error!, /new master m2 stepped down \(deadline\)/);
});
