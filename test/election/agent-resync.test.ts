/**
 * Issue 9: no watch break can lose a master change. A v3 agent whose watch
 * breaks between the new master's PUT and its ego_conf PUT finds, after its
 * re-read, a master that looks unchanged; it must still judge ego_conf again
 * and report got-master. Both agent modes, against a real 3-member etcd, with
 * the break scripted by a TCP proxy in front of one member:
 *
 *   - a break: the stream is cut right after the PUT of the new master has
 *     been passed on; ego_conf is written while the agent is cut off;
 *   - a compaction: the same, and etcd compacts past the agent's revisions
 *     before it is let back, so a resuming watch gets compact_revision.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { b64 } from '../../src/etcd/codec.ts';
import { egoBlob } from '../../src/election/common.ts';
import { createAgents } from '../../src/election/factory.ts';
import type { AgentMode } from '../../src/config/settings.ts';
import type { ElectionSettings } from '../../src/election/types.ts';

interface Seen {
  id: string;
  ev: string;
  master?: unknown;
  message?: unknown;
}

const AGENTS = 3;

describe('an agent whose watch breaks between the master PUT and the ego_conf PUT', () => {
  let etcd: EmbeddedCluster;
  let v3: EtcdV3;
  before(async () => {
    etcd = await startTestCluster();
    v3 = new EtcdV3(new Transport(etcd.endpoints));
  });
  after(() => etcd?.stop());

  for (const mode of ['own', 'grpc'] as AgentMode[]) {
    for (const compaction of [false, true]) {
      test(`${mode} agents: ${compaction ? 'compaction while cut off' : 'a scripted break'} -> got-master for the new master`, async (t) => {
        const base = `/i9-${mode}-${compaction ? 'compact' : 'break'}`;
        const s: ElectionSettings = { endpoints: [], backend: 'v3-lease', ttl: 2, refresh: 0.5, masterPath: `${base}/master`, egoKey: `${base}/ego_conf`, egoSize: 0, seedKeys: false };
        // Given a master m1 with its ego_conf (written by hand, no lease: nothing expires on its own)
        await v3.put(s.masterPath, 'm1');
        await v3.put(s.egoKey, egoBlob('m1', 0));
        // ... and agents that reach etcd only through the proxy
        const proxy = await startTcpProxy(t, etcd.endpoints[0]);
        const seen: Seen[] = [];
        const emitFor = (id: string) => (ev: string, fields?: Record<string, unknown>) => void seen.push({ id, ev, ...fields });
        const ctl = new AbortController();
        const agents = createAgents(mode, { ...s, endpoints: [proxy.url] }, { count: AGENTS, prefix: 'i9', emitter: emitFor, seedFor: () => null, note: emitFor('i9') });
        t.after(async () => {
          ctl.abort();
          await agents.stop();
        });
        await agents.start(ctl.signal);
        const got = (m: string) => new Set(seen.filter((e) => e.ev === 'got-master' && e.master === m).map((e) => e.id)).size;
        await waitFor('every agent got m1', () => got('m1') === AGENTS);

        // When the master changes and the agents' streams are cut right after the new master's PUT
        const m2 = `m2-${mode}-${compaction}`;
        const cut = proxy.cutAfter([Buffer.from(m2), Buffer.from(b64(m2))]);
        await v3.delete(s.masterPath);
        await v3.put(s.masterPath, m2);
        await withDeadline(cut, 10_000, 'the PUT of m2 passed through the proxy');
        // ... and ego_conf of m2 is written while they are cut off
        const egoRev = await v3.put(s.egoKey, egoBlob(m2, 0));
        if (compaction) {
          // ... and history up to past it is compacted: a watch resuming from before it is canceled
          const rev = await v3.put(`${base}/filler`, 'x');
          assert.ok(BigInt(rev) > BigInt(egoRev));
          await v3.transport.json('/v3/kv/compaction', { revision: rev, physical: true });
        }
        assert.equal(got(m2), 0, 'nobody has the new master before the ego_conf could reach them');
        proxy.resume();

        // Then every agent ends with got-master for m2, each once
        await waitFor(`every agent got ${m2}`, () => got(m2) === AGENTS, 15_000);
        const notified = seen.filter((e) => e.ev === 'notified');
        assert.equal(new Set(notified.map((e) => e.id)).size, AGENTS, 'every agent was notified');
        assert.equal(seen.filter((e) => e.ev === 'got-master' && e.master === m2).length, AGENTS, 'one got-master each');
      });
    }
  }
});

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
