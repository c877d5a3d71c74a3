/**
 * A member that accepts connections but never answers (SIGSTOP, quorum and
 * the raft leader intact) costs a client one bounded timeout, then the client
 * goes on with another member: unary calls, keep-alives, v3 watches (resumed
 * from the next revision, nothing lost or repeated), v2 waits; a v3 campaign
 * fails within the same bound and is not re-sent with its lease. Against a real 3-member cluster; the paused member is a
 * follower and the FIRST endpoint; it gets SIGCONT when each test ends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { followerFirst, pauseMember } from '../helpers/pause.ts';
import { electionTransport, spreadIndex, Transport } from '../../src/etcd/transport.ts';
import { livenessFor, MemberHealth } from '../../src/etcd/health.ts';
import { Backoff } from '../../src/etcd/backoff.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { EtcdV2 } from '../../src/etcd/v2.ts';
import { now } from '../../src/clock.ts';
import { EtcdUnavailableError } from '../../src/errors.ts';

const T = 2;
const { timeoutMs, liveness } = livenessFor(T);
/** a stream on a hung member is given up within one probe interval + one probe timeout */
const STREAM_COST = liveness.probeIntervalMs + liveness.probeTimeoutMs;
/** scheduling slack on a loaded 2-core machine */
const SLACK = 700;

describe('liveness of etcd connections (a hung follower as the first endpoint)', () => {
  let etcd: EmbeddedCluster;
  before(async () => {
    etcd = await startTestCluster();
  });
  after(() => etcd?.stop());

  /** a client starting on a follower, its own health monitor (no state shared between tests) */
  async function setup(t: { after: (fn: () => unknown) => void }) {
    await waitFor('all members up with a leader', async () => {
      const s = await etcd.status();
      return s.leader && s.members.every((m) => m.up);
    });
    const { follower, members } = await followerFirst(etcd);
    const endpoints = members.map((m) => m.clientUrl);
    const health = new MemberHealth();
    const client = electionTransport(endpoints, T, { health });
    // a second client that never touches the paused member, to make changes
    const other = new Transport(endpoints.slice(1));
    return { follower, endpoints, client, other, pause: () => pauseMember(t, follower) };
  }

  test('a unary call costs one timeout, then the client stays on a live member', async (t) => {
    const { client, other, pause, follower } = await setup(t);
    const v3 = new EtcdV3(client);
    await new EtcdV3(other).put('/live/unary', 'a');
    assert.equal(client.current, follower.clientUrl);
    pause();
    const t0 = now();
    const r = await v3.get('/live/unary');
    const first = now() - t0;
    assert.equal(r.kv?.value, 'a');
    assert.notEqual(client.current, follower.clientUrl);
    // it waited for the timeout on the hung member, and not much longer
    assert.ok(first >= timeoutMs - 20 && first < timeoutMs + SLACK, `first call ${first.toFixed(0)} ms (timeout ${timeoutMs})`);
    const t1 = now();
    await v3.get('/live/unary');
    const second = now() - t1;
    assert.ok(second < 300, `second call ${second.toFixed(0)} ms`);
    t.diagnostic(`hung member costs a unary call ${first.toFixed(0)} ms (timeout ${timeoutMs} ms); the next call ${second.toFixed(1)} ms`);
  });

  test('a keep-alive moves on after its attempt timeout, well inside the lease', async (t) => {
    const { client, other, pause } = await setup(t);
    const lease = await new EtcdV3(other).leaseGrant(T);
    pause();
    const t0 = now();
    const ttl = await new EtcdV3(client).leaseKeepAlive(lease.id, { budgetMs: T * 1000 });
    const ms = now() - t0;
    assert.equal(ttl, T);
    assert.ok(ms >= liveness.keepAliveTimeoutMs - 20 && ms < liveness.keepAliveTimeoutMs + SLACK, `keep-alive ${ms.toFixed(0)} ms`);
    assert.ok(ms < T * 1000 - 500, 'inside the lease, with a refresh interval to spare');
    t.diagnostic(`hung member costs a keep-alive ${ms.toFixed(0)} ms (attempt timeout ${liveness.keepAliveTimeoutMs} ms)`);
  });

  test('a v3 watch re-opens on the next endpoint from the next revision: nothing lost or repeated', async (t) => {
    const { client, other, pause, follower } = await setup(t);
    const v3 = new EtcdV3(client);
    const writer = new EtcdV3(other);
    const seen: { value: string; at: number }[] = [];
    let created = 0;
    const ac = new AbortController();
    t.after(() => ac.abort());
    const watching = v3.watch('/live/watch', { signal: ac.signal }, {
      onCreated: () => created++,
      onEvents: (events) => events.forEach((e) => seen.push({ value: e.kv.value, at: now() })),
    });
    await waitFor('watch created', () => created === 1);
    await writer.put('/live/watch', 'v1');
    await waitFor('v1 seen', () => seen.length === 1);
    pause();
    const pausedAt = now();
    await writer.put('/live/watch', 'v2');
    await writer.put('/live/watch', 'v3');
    await waitFor('v2 and v3 seen', () => seen.length >= 3, STREAM_COST + 5000);
    const delay = seen[1].at - pausedAt;
    assert.deepEqual(seen.map((s) => s.value), ['v1', 'v2', 'v3']);
    assert.equal(created, 1, 'onCreated fires once, not again on the re-open');
    assert.notEqual(client.current, follower.clientUrl);
    assert.ok(delay < STREAM_COST + SLACK, `watch resumed ${delay.toFixed(0)} ms after the pause`);
    t.diagnostic(`hung member costs a watch ${delay.toFixed(0)} ms (probe every ${liveness.probeIntervalMs} ms, timeout ${liveness.probeTimeoutMs} ms)`);
    ac.abort();
    await watching;
  });

  test('a v2 wait is waited again on the next endpoint', async (t) => {
    const { client, other, pause } = await setup(t);
    const writer = new EtcdV2(other);
    await writer.set('/live/wait', 'a');
    const { etcdIndex } = await writer.get('/live/wait');
    const ac = new AbortController();
    t.after(() => ac.abort());
    pause();
    const pausedAt = now();
    const waiting = new EtcdV2(client).wait('/live/wait', etcdIndex + 1, ac.signal);
    await writer.set('/live/wait', 'b');
    const ev = await waiting;
    const ms = now() - pausedAt;
    assert.equal(ev.node.value, 'b');
    assert.ok(ms < STREAM_COST + SLACK, `wait answered ${ms.toFixed(0)} ms after the pause`);
    t.diagnostic(`hung member costs a v2 wait ${ms.toFixed(0)} ms`);
  });

  test('a v3 campaign on a hung member fails within the stream bound and is not re-sent with its lease', async (t) => {
    // etcd resigns a campaign whose client went away (deletes <name>/<lease hex>):
    // a re-sent campaign with the same lease would wait with, or win with, that
    // key, and lose it when the hung member wakes (test/election/campaign-resend.test.ts)
    const { client, other, pause, follower } = await setup(t);
    const holder = new EtcdV3(other);
    const ours = new EtcdV3(client);
    const l1 = await holder.leaseGrant(10);
    const first = await holder.campaign('/live/election', l1.id, 'holder', AbortSignal.timeout(5000));
    const l2 = await holder.leaseGrant(10);
    // revoked before the member is woken (hooks run in order): its late campaign then cannot put a key with l2
    t.after(() => Promise.all([holder.leaseRevoke(l1.id).catch(() => {}), holder.leaseRevoke(l2.id).catch(() => {})]));
    pause();
    const t0 = now();
    const err = await ours.campaign('/live/election', l2.id, 'ours', AbortSignal.timeout(15_000)).then(
      () => null,
      (e: unknown) => e,
    );
    const ms = now() - t0;
    assert.ok(err instanceof EtcdUnavailableError, `the campaign fails with EtcdUnavailableError: ${String(err)}`);
    assert.ok(ms < STREAM_COST + SLACK, `given up ${ms.toFixed(0)} ms after it was sent`);
    assert.notEqual(client.current, follower.clientUrl, 'the next call goes to a live member');
    const keys = (await holder.range('/live/election/', { prefix: true })).kvs;
    assert.deepEqual(keys.map((kv) => kv.value), ['holder'], 'no live member got the campaign with our lease');
    // a campaign with a new lease on the live member wins once the holder resigns
    const l3 = await holder.leaseGrant(10);
    t.after(() => holder.leaseRevoke(l3.id).catch(() => {}));
    const campaign = ours.campaign('/live/election', l3.id, 'ours', AbortSignal.timeout(10_000));
    await waitFor('our candidate key', async () => (await holder.range('/live/election/', { prefix: true })).kvs.some((kv) => kv.value === 'ours'));
    await holder.resign(first);
    assert.equal((await campaign).lease, l3.id);
    t.diagnostic(`hung member costs a campaign ${ms.toFixed(0)} ms, then a new lease campaigns elsewhere`);
  });
});

describe('retry pacing and client spreading (pure)', () => {
  test('backoff: full jitter under a doubling, capped ceiling; reset starts over', () => {
    const b = new Backoff(100, 2000);
    const ceilings = [100, 200, 400, 800, 1600, 2000, 2000];
    for (const c of ceilings) {
      const w = b.next();
      assert.ok(w >= 0 && w <= c, `${w} within [0, ${c}]`);
    }
    assert.equal(b.failures, ceilings.length);
    b.reset();
    assert.equal(b.failures, 0);
    // jitter: many first waits spread over [0, 100), mean near 50
    const firsts = Array.from({ length: 2000 }, () => new Backoff(100, 2000).next());
    const mean = firsts.reduce((a, x) => a + x, 0) / firsts.length;
    assert.ok(mean > 40 && mean < 60, `mean first wait ${mean}`);
  });

  test('masters of one host start on different endpoints', () => {
    const starts = ['local-m1', 'local-m2', 'local-m3'].map((id) => spreadIndex(id, 3));
    assert.equal(new Set(starts).size, 3, String(starts));
    assert.ok([0, 1, 2].includes(spreadIndex('h1', 3)));
  });
});
