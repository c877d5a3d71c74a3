/**
 * The three election backends against a real 3-member etcd cluster, driven
 * through the bench session on local hosts: one master among three, SIGKILL
 * failover inside the physical bound, SIGTERM in milliseconds, every agent
 * notified and re-got the new master, a paused master steps down by itself,
 * a resign hands over, and the seed's records read back with a plain GET.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { openTestSession } from '../helpers/session.ts';
import { BACKENDS, type BenchEvent, type WorkerEvent } from '../../src/events.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { EtcdV2 } from '../../src/etcd/v2.ts';
import { electionPrefix } from '../../src/election/v3-election.ts';
import { pauseSeconds } from '../../src/config/settings.ts';

const T = 2;
const R = 0.5;
const AGENTS = 30;

for (const backend of BACKENDS) {
  describe(`backend ${backend}`, () => {
    let etcd: EmbeddedCluster;
    before(async () => {
      etcd = await startTestCluster();
    });
    after(() => etcd?.stop());

    test('elects one master among three, fails over within the physical bounds, agents follow', async (t) => {
      const s = await openTestSession(t, etcd, { backend, ttl: T, refresh: R, agents: AGENTS, seedKeys: true });
      const events: WorkerEvent[] = [];
      s.subscribe((e: BenchEvent) => e.kind === 'worker' && events.push(e.event));

      // Given three masters
      await s.startMasters();
      const elected = events.filter((e) => e.ev === 'elected');
      assert.equal(elected.length, 1, `exactly one elected: ${elected.map((e) => e.id)}`);
      const master = elected[0].id;
      assert.equal(s.model.active, master);
      // ... and etcd agrees on who holds the key
      const transport = new Transport(etcd.endpoints);
      if (backend === 'v2-ttl') assert.equal((await new EtcdV2(transport).get('/master')).node?.value, master);
      else if (backend === 'v3-lease') assert.equal((await new EtcdV3(transport).get('/master')).kv?.value, master);
      else assert.equal((await new EtcdV3(transport).leader('/master'))?.value, master);

      // Given agents that all know the master
      await s.startAgents();
      const initial = events.filter((e) => e.ev === 'got-master' && e.initial);
      assert.equal(initial.length, AGENTS);
      assert.ok(initial.every((e) => e.master === master));

      // When the master is SIGKILLed
      const kill = (await s.round('kill'))!;
      // Then a standby takes over once the key expires: T - R - 50 ms < failover < T + 700 ms
      assert.ok(kill.ok, kill.error);
      assert.notEqual(kill.newMaster, master);
      assert.ok(kill.failoverMs! > T * 1000 - R * 1000 - 50 && kill.failoverMs! < T * 1000 + 700, `failover ${kill.failoverMs} ms`);
      assert.ok(kill.detectMs! <= kill.failoverMs!);
      assert.ok(kill.electionMs! >= 0 && kill.electionMs! < 500, `election ${kill.electionMs} ms`);
      assert.equal(kill.agents.count, AGENTS);
      assert.equal(kill.agents.notified, AGENTS);
      assert.equal(kill.agents.regetMs.n, AGENTS);
      assert.ok(kill.agents.notifyMs.min! > 0);

      // When the new master gets SIGTERM: it releases at once
      const term = (await s.round('term'))!;
      assert.ok(term.ok, term.error);
      assert.ok(term.failoverMs! < 300, `term failover ${term.failoverMs} ms`);
      assert.equal(term.agents.notified, AGENTS);

      // When the master resigns on request
      const resign = (await s.round('resign'))!;
      assert.ok(resign.ok, resign.error);
      assert.notEqual(resign.newMaster, resign.oldMaster);
      assert.ok(resign.failoverMs! < 300, `resign failover ${resign.failoverMs} ms`);

      // Then the seed's records are there in the seed's format, for a plain GET
      const agents = await request(`${etcd.endpoints[0]}/v2/keys/agents/2?recursive=true`).then((r) => r.body.json() as Promise<{ node: { nodes: { value: string }[] } }>);
      assert.equal(agents.node.nodes.length, AGENTS);
      for (const n of agents.node.nodes) {
        const [m, id, start, got] = n.value.split('|');
        assert.equal(m, kill.newMaster);
        assert.match(id, /^local-a\d+$/);
        assert.ok(Number(got) >= Number(start) && Number(start) > 1.7e9, n.value);
      }
      const masters = await request(`${etcd.endpoints[0]}/v2/keys/new_master?recursive=true`).then((r) => r.body.json() as Promise<{ node: { nodes: { key: string; value: string }[] } }>);
      assert.ok(masters.node.nodes.length >= 4);
      for (const n of masters.node.nodes) assert.match(n.value, /^\d+\.\d{3}\|\d+\.\d{3}$/);
    });

    test('a paused master steps down on its own when it wakes; the dual-leader window is measured', async (t) => {
      const s = await openTestSession(t, etcd, { backend, ttl: T, refresh: R, agents: 5, masterPath: '/paused' });
      const events: WorkerEvent[] = [];
      s.subscribe((e: BenchEvent) => e.kind === 'worker' && events.push(e.event));
      await s.startMasters();
      await s.startAgents();
      const r = (await s.round('pause'))!;
      assert.ok(r.ok, r.error);
      assert.ok(r.newMaster && r.newMaster !== r.oldMaster);
      const stepdown = events.find((e) => e.ev === 'stepdown' && e.id === r.oldMaster);
      assert.ok(stepdown, 'the old master stepped down');
      assert.ok(['deadline', 'lease-lost', 'key-lost'].includes(String(stepdown.reason)), String(stepdown.reason));
      // woke after T + 1.5 s; the new master came at ~T: the window is about the difference
      assert.ok(r.dualLeaderMs !== null && r.dualLeaderMs >= 0 && r.dualLeaderMs < pauseSeconds(s.settings) * 1000, `dual ${r.dualLeaderMs}`);
      // and it is a candidate again, not a second master
      assert.equal(s.model.active, r.newMaster);
      if (backend === 'v3-election') {
        // all three campaign again under the election prefix (the old one re-queues as it wakes)
        const v3 = new EtcdV3(new Transport(etcd.endpoints));
        await waitFor('3 candidate keys', async () => (await v3.range(electionPrefix('/paused'), { prefix: true })).kvs.length === 3);
      }
    });
  });
}
