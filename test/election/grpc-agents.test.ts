/**
 * grpc agent mode against a real 3-member etcd, through the bench session on
 * local hosts (masters and agents as in backends.test.ts): the agents of one
 * process share one Watch stream per member (counted by etcd itself in
 * /metrics), follow failovers, and survive a member that stops answering
 * (SIGSTOP) or dies and comes back (SIGKILL + restart).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestCluster, waitFor, type EmbeddedCluster, type Member } from '../helpers/etcd-cluster.ts';
import { openTestSession } from '../helpers/session.ts';
import type { BenchEvent, RoundResult, WorkerEvent } from '../../src/events.ts';
import type { Session } from '../../src/run/session.ts';

const AGENTS = 30;

/** etcd's own count of watch streams and watchers on one member */
async function watchGauges(m: Member): Promise<{ streams: number; watchers: number }> {
  const text = await request(`${m.clientUrl}/metrics`).then((r) => r.body.text());
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { streams: gauge('etcd_debugging_mvcc_watch_stream_total'), watchers: gauge('etcd_debugging_mvcc_watcher_total') };
}

function assertAllFollowed(r: RoundResult, what: string): void {
  assert.ok(r.ok, `${what}: ${r.error}`);
  assert.notEqual(r.newMaster, r.oldMaster, what);
  assert.equal(r.agents.count, AGENTS, what);
  assert.equal(r.agents.notified, AGENTS, `${what}: every agent notified`);
  assert.equal(r.agents.regetMs.n, AGENTS, `${what}: every agent got the new master`);
}

/** A member that is neither the raft leader nor the first endpoint (which masters and the session talk to). */
async function sideMember(etcd: EmbeddedCluster): Promise<Member> {
  const leader = await etcd.leader();
  const m = etcd.members.find((x, i) => i > 0 && x.name !== leader?.name);
  assert.ok(m, 'a follower other than the first endpoint');
  return m;
}

async function grpcSession(t: Parameters<typeof openTestSession>[0], etcd: EmbeddedCluster, backend: 'v3-lease' | 'v3-election', masterPath: string) {
  const s = await openTestSession(t, etcd, { backend, ttl: 2, refresh: 0.5, agents: AGENTS, agentMode: 'grpc', masterPath });
  const events: WorkerEvent[] = [];
  s.subscribe((e: BenchEvent) => e.kind === 'worker' && events.push(e.event));
  await s.startMasters();
  return { s, events };
}

/** the agents process's notes that a stream broke and its watchers moved */
const moves = (events: WorkerEvent[], m: Member) =>
  events.filter((e) => e.role === 'agent' && e.ev === 'error' && String(e.message).startsWith(`watch stream on ${m.clientUrl} broke`));

async function startAgents(s: Session): Promise<void> {
  await s.startAgents();
}

/** start the agents and wait until each has said its watchers are created (got-master comes before: right after the read) */
async function startAgentsWatching(s: Session, events: WorkerEvent[]): Promise<void> {
  await s.startAgents();
  await waitFor('every agent watching', () => new Set(events.filter((e) => e.ev === 'watch-created' && e.role === 'agent').map((e) => e.id)).size === AGENTS);
}

for (const backend of ['v3-lease', 'v3-election'] as const) {
  describe(`grpc agents, backend ${backend}`, () => {
    let etcd: EmbeddedCluster;
    before(async () => {
      etcd = await startTestCluster();
    });
    after(() => etcd?.stop());

    test('one watch stream per member carries all agents; every agent follows three failovers', async (t) => {
      const { s, events: all } = await grpcSession(t, etcd, backend, '/g-follow');
      // Given the masters' own (HTTP gateway) watches, counted by each member once both standbys watch
      const standbys = () => new Set(all.filter((e) => e.role === 'master' && e.ev === 'watch-created' && e.id !== s.model.active).map((e) => e.id)).size;
      await waitFor('both standbys watching', () => standbys() === 2);
      const before = await Promise.all(etcd.members.map(watchGauges));
      // When one agents process starts 30 grpc agents, and all have their watchers in place
      await startAgentsWatching(s, all);
      const events = all.filter((e) => e.ev === 'watch-created' && e.role === 'agent');
      assert.equal(events.length, AGENTS);
      const afterStart = await Promise.all(etcd.members.map(watchGauges));
      // Then each member has exactly one more watch stream, carrying its 10 agents' 2 watchers each
      for (let i = 0; i < etcd.members.length; i++) {
        assert.equal(afterStart[i].streams - before[i].streams, 1, `member ${etcd.members[i].name}: one new stream (${before[i].streams} -> ${afterStart[i].streams})`);
        assert.equal(afterStart[i].watchers - before[i].watchers, (2 * AGENTS) / etcd.members.length, `member ${etcd.members[i].name}: watchers`);
      }
      // When the master is killed, then terminated, then asked to resign: every agent follows each time
      assertAllFollowed((await s.round('kill'))!, 'kill');
      assertAllFollowed((await s.round('term'))!, 'term');
      assertAllFollowed((await s.round('resign'))!, 'resign');
    });

    if (backend === 'v3-election') {
      test('a member that stops answering (SIGSTOP): its agents move, every agent gets the next master', async (t) => {
        const { s, events } = await grpcSession(t, etcd, backend, '/g-stop');
        await startAgents(s);
        const m = await sideMember(etcd);
        // When the member is paused (and woken again whatever happens)
        process.kill(m.pid, 'SIGSTOP');
        t.after(() => process.kill(m.pid, 'SIGCONT'));
        const stoppedAt = Date.now();
        // Then its stream is given up within the keepalive bound, and its watchers move
        await waitFor(`the stream on ${m.name} given up`, () => moves(events, m).length > 0, 10_000);
        const gaveUpMs = moves(events, m)[0].t - stoppedAt;
        assert.ok(gaveUpMs < 3000, `stream given up ${gaveUpMs.toFixed(0)} ms after SIGSTOP`);
        assert.match(String(moves(events, m)[0].message), new RegExp(`${AGENTS / 3 * 2} watchers move to http`));
        // ... and a failover reaches every agent
        assertAllFollowed((await s.round('kill'))!, 'kill with a paused member');
        process.kill(m.pid, 'SIGCONT');
        assertAllFollowed((await s.round('term'))!, 'term after it woke');
      });
    } else {
      test('a member killed and restarted: its agents re-attach, every agent gets each next master', async (t) => {
        const { s, events } = await grpcSession(t, etcd, backend, '/g-kill');
        await startAgents(s);
        const m = await sideMember(etcd);
        t.after(async () => {
          if (!(await memberAnswers(m))) await etcd.restartMember(m.name);
        });
        // When the member is killed
        await etcd.killMember(m.name, 'SIGKILL');
        // Then its agents' watchers move to a live member
        await waitFor(`the stream on ${m.name} moved`, () => moves(events, m).length > 0, 10_000);
        assertAllFollowed((await s.round('kill'))!, 'kill with a member down');
        // When it comes back, every agent still follows
        await etcd.restartMember(m.name);
        assertAllFollowed((await s.round('term'))!, 'term after the restart');
        assertAllFollowed((await s.round('kill'))!, 'kill after the restart');
      });
    }
  });
}

async function memberAnswers(m: Member): Promise<boolean> {
  try {
    const r = await request(`${m.clientUrl}/health`, { headersTimeout: 1000, bodyTimeout: 1000 });
    await r.body.text();
    return true;
  } catch {
    return false;
  }
}
