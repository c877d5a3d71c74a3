/**
 * What determined the numbers, pure: raft settings from the embedded
 * cluster's flags (with etcd's minimum lease TTL rule), and the metrics'
 * change over a run from readings at start and end (a member restarted in
 * between resets its counters). Real members are read in test/cli/run-end.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etcdFacts, FAILOVER_METRICS, raftSettings, type MemberReading } from '../../src/run/etcd-facts.ts';

const reading = (name: string, metrics: Record<string, number | null>, extra: Partial<MemberReading> = {}): MemberReading => ({
  name,
  version: '3.4.23',
  clusterVersion: '3.4.0',
  isLeader: false,
  metrics,
  error: null,
  ...extra,
});

describe('raftSettings', () => {
  it('embedded with no raft flags: etcd defaults 100 ms / 1000 ms, smallest lease TTL 2 s', () => {
    assert.deepEqual(raftSettings([]), { heartbeatMs: 100, electionTimeoutMs: 1000, minLeaseTtlS: 2, flags: [], source: 'embedded cluster: etcd defaults (no raft flags given)' });
  });
  it("embedded with flags: its own values; etcd's minimum TTL ceil((3 × ticks / 2) × heartbeat)", () => {
    const r = raftSettings(['--heartbeat-interval=50', '--election-timeout', '500', '--experimental-enable-lease-checkpoint']);
    assert.equal(r.heartbeatMs, 50);
    assert.equal(r.electionTimeoutMs, 500);
    assert.equal(r.minLeaseTtlS, 1, '10 ticks: 15 × 50 ms = 0.75 s -> 1 s');
    assert.equal(raftSettings(['--heartbeat-interval=300', '--election-timeout=3000']).minLeaseTtlS, 5, '15 × 300 ms = 4.5 s -> 5 s');
    assert.equal(r.source, 'embedded cluster: its flags');
  });
  it('external endpoints: unknown, and says so', () => {
    const r = raftSettings(null);
    assert.equal(r.heartbeatMs, null);
    assert.match(r.source, /^unknown: external endpoints/);
  });
});

describe('etcdFacts', () => {
  const refs = [
    { name: 'm1', clientUrl: 'http://127.0.0.1:1' },
    { name: 'm2', clientUrl: 'http://127.0.0.1:2' },
  ];
  const expired = 'etcd_debugging_server_lease_expired_total';
  const changes = 'etcd_server_leader_changes_seen_total';
  const slow = 'etcd_debugging_mvcc_slow_watcher_total';

  it('Given start and end readings, Then counters give their change (max or sum across members), gauges their end value', () => {
    const start = [reading('m1', { [expired]: 0, [changes]: 1, [slow]: 0 }, { isLeader: true }), reading('m2', { [expired]: 0, [changes]: 1, [slow]: 0 })];
    const end = [reading('m1', { [expired]: 3, [changes]: 2, [slow]: 4 }), reading('m2', { [expired]: 0, [changes]: 2, [slow]: 1 }, { isLeader: true })];
    const f = etcdFacts(refs, raftSettings([]), start, end);
    assert.equal(f.version, '3.4.23');
    assert.deepEqual(f.members.map((m) => [m.name, m.leaderAtStart, m.leaderAtEnd]), [['m1', true, false], ['m2', false, true]]);
    assert.deepEqual(Object.keys(f.metrics!), FAILOVER_METRICS.map((m) => m.name));
    assert.equal(f.metrics![expired].delta, 3, 'lease expiries: summed (the leader counts them)');
    assert.equal(f.metrics![changes].delta, 1, 'leader changes: every member saw the same one (max)');
    assert.deepEqual(f.metrics![changes].members.m2, { start: 1, end: 2, delta: 1 });
    assert.equal(f.metrics![slow].delta, 5, 'a gauge: its value at the end, summed');
  });

  it('a member restarted during the run (counter went down): its change is what it counted since, marked reset', () => {
    const f = etcdFacts(refs, raftSettings([]), [reading('m1', { [changes]: 5 }), reading('m2', { [changes]: 5 })], [reading('m1', { [changes]: 1 }), reading('m2', { [changes]: 7 })]);
    assert.deepEqual(f.metrics![changes].members.m1, { start: 5, end: 1, delta: 1, reset: true });
    assert.equal(f.metrics![changes].delta, 2);
  });

  it('a member that did not answer has its error and no figures; no end reading yet means no metrics', () => {
    const down = reading('m2', {}, { version: null, clusterVersion: null, isLeader: null, error: '/version: fetch failed' });
    const f = etcdFacts(refs, raftSettings(null), [reading('m1', { [expired]: 0 }), down], [reading('m1', { [expired]: 1 }), down]);
    assert.equal(f.members[1].error, '/version: fetch failed');
    assert.deepEqual(f.metrics![expired].members.m2, { start: null, end: null, delta: null });
    assert.equal(f.metrics![expired].delta, 1);
    assert.equal(etcdFacts(refs, raftSettings(null), [reading('m1', {})], null).metrics, null);
  });
});
