/**
 * A master told to release (SIGTERM, stdin closed) gives up its claim once
 * and for all: one stepdown 'term' (not also 'key-lost' from its own watch
 * seeing its own delete), and it never campaigns again, so a term round sees
 * exactly one master change. Before, the master's key watch reported its own
 * release as key-lost and its loop campaigned again while the process was
 * exiting: with no standby quick enough it could take the key back for a
 * moment. Every backend, real masters (no worker process) against a real
 * 3-member cluster.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { electionTransport } from '../../src/etcd/transport.ts';
import { MemberHealth } from '../../src/etcd/health.ts';
import { createMaster } from '../../src/election/factory.ts';
import { BACKENDS } from '../../src/events.ts';
import type { ElectionSettings } from '../../src/election/types.ts';

describe('a master that releases', () => {
  let etcd: EmbeddedCluster;
  before(async () => {
    etcd = await startTestCluster();
  });
  after(() => etcd?.stop());

  for (const backend of BACKENDS) {
    test(`${backend}: one stepdown 'term', and its campaign loop ends by itself`, async (t) => {
      const base = `/release-${backend}`;
      const s: ElectionSettings = { endpoints: etcd.endpoints, backend, ttl: 2, refresh: 0.5, masterPath: `${base}/master`, egoKey: `${base}/ego_conf`, egoSize: 0, seedKeys: false };
      const events: { ev: string; reason?: unknown }[] = [];
      const master = createMaster(backend, s, electionTransport(s.endpoints, s.ttl, { health: new MemberHealth() }), 'rel-m1', (ev, f) => void events.push({ ev, ...f }), null);
      const ac = new AbortController();
      t.after(() => ac.abort());
      let ended = false;
      const running = master.run(ac.signal).finally(() => (ended = true));
      await waitFor('elected and ego_conf written', () => events.some((e) => e.ev === 'ego-written'));
      const at = events.length;

      await master.release();
      // the run loop ends without the abort
      await waitFor('the campaign loop ended', () => ended, 5000);
      await running;
      const afterRelease = events.slice(at).filter((e) => e.ev !== 'refresh');
      assert.deepEqual(afterRelease, [{ ev: 'stepdown', reason: 'term' }], JSON.stringify(afterRelease));
      assert.equal(master.isMaster, false);
    });
  }
});
