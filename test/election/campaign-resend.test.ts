/**
 * v3-election: a campaign given up on a hung member must not be sent again
 * under the same lease. etcd's Campaign, when its client goes away while it
 * waits, resigns: it deletes the candidate key `<name>/<lease hex>` if its
 * create revision is the one it saw (clientv3 concurrency.Election.Campaign,
 * "clean up in case of context cancel"). A campaign re-sent with the same
 * lease to another member finds that very key and waits with it; once the
 * hung member wakes and notices its client is gone, it deletes the key of the
 * live campaign, or of the master it became. That was the grpc-agents flake:
 * after SIGCONT a freshly elected master lost its key (key-lost) or was
 * "elected" with no key at all, so no agent could ever get it.
 *
 * Against a real 3-member cluster: a holder keeps the election; a standby
 * master (V3ElectionMaster) campaigns on a follower, which is then paused; the
 * holder resigns and the standby wins elsewhere; then the follower wakes, and
 * once it has handled the abandoned campaign (etcd's own counter of finished
 * Campaign calls), the standby must still hold its key and be the leader.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startTestCluster, waitFor, type EmbeddedCluster, type Member } from '../helpers/etcd-cluster.ts';
import { followerFirst, pauseMember } from '../helpers/pause.ts';
import { electionTransport } from '../../src/etcd/transport.ts';
import { MemberHealth } from '../../src/etcd/health.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { createMaster } from '../../src/election/factory.ts';
import { electionPrefix } from '../../src/election/v3-election.ts';
import type { ElectionSettings } from '../../src/election/types.ts';

const T = 2;

/** Campaign calls this member's gRPC server has finished (any code), from its /metrics */
async function campaignsHandled(m: Member): Promise<number> {
  const text = await request(`${m.clientUrl}/metrics`, { headersTimeout: 2000, bodyTimeout: 2000 }).then((r) => r.body.text());
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('grpc_server_handled_total{') && line.includes('grpc_method="Campaign"')) n += Number(line.split(' ').pop());
  return n;
}

describe('v3-election: a campaign abandoned on a hung member', () => {
  let etcd: EmbeddedCluster;
  before(async () => {
    etcd = await startTestCluster();
  });
  after(() => etcd?.stop());

  test('is not re-sent with its lease: after the member wakes and drops it, the master elected meanwhile keeps its key', async (t) => {
    await waitFor('all members up with a leader', async () => {
      const s = await etcd.status();
      return s.leader && s.members.every((m) => m.up);
    });
    const { follower, members } = await followerFirst(etcd);
    const name = '/resend-election';
    const s: ElectionSettings = { endpoints: members.map((m) => m.clientUrl), backend: 'v3-election', ttl: T, refresh: 0.5, masterPath: name, egoKey: '/resend-ego', egoSize: 0, seedKeys: false };
    // Given a holder of the election, through the other members
    const holder = new EtcdV3(electionTransport(s.endpoints.slice(1), T, { health: new MemberHealth() }));
    const lease = await holder.leaseGrant(30);
    t.after(() => holder.leaseRevoke(lease.id).catch(() => {}));
    const first = await holder.campaign(name, lease.id, 'holder', AbortSignal.timeout(5000));
    // ... and a standby master whose client starts on the follower
    const events: { ev: string; reason?: unknown; message?: unknown }[] = [];
    const master = createMaster('v3-election', s, electionTransport(s.endpoints, T, { start: 0, health: new MemberHealth() }), 'standby', (ev, f) => void events.push({ ev, ...f }), null);
    const ac = new AbortController();
    const running = master.run(ac.signal);
    t.after(async () => {
      ac.abort();
      await running;
      await master.release().catch(() => {});
    });
    const candidates = async () => (await holder.range(electionPrefix(name), { prefix: true })).kvs.filter((kv) => kv.value === 'standby');
    await waitFor('the standby campaigning on the follower', async () => (await candidates()).length === 1);
    const handledBefore = await campaignsHandled(follower);

    // When the follower hangs with the standby's campaign on it, and the holder resigns
    const resume = pauseMember(t, follower);
    await holder.resign(first);
    // Then the standby is elected on a live member
    await waitFor('the standby elected', () => events.some((e) => e.ev === 'elected'), 15_000);
    const [key] = await candidates();
    assert.ok(key, 'the elected standby has a candidate key');

    // When the follower wakes, and has finished the campaign it was given before it hung
    resume();
    await waitFor('the woken follower dropped the abandoned campaign', async () => (await campaignsHandled(follower)) > handledBefore, 15_000);
    // Then the standby still holds its key, is etcd's leader, and never stepped down
    const now = await candidates();
    assert.deepEqual(
      now.map((kv) => [kv.key, kv.createRevision]),
      [[key.key, key.createRevision]],
      'the master key survives the cleanup of the abandoned campaign',
    );
    const leader = await holder.leader(name);
    assert.equal(leader?.value, 'standby', 'etcd says the standby leads');
    assert.equal(events.filter((e) => e.ev === 'stepdown').length, 0, `no stepdown: ${JSON.stringify(events.filter((e) => e.ev !== 'refresh'))}`);
    assert.ok(master.isMaster);
  });
});
