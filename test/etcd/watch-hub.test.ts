/**
 * The gRPC watch hub (src/etcd/grpc/watch-hub.ts) against a real 3-member
 * etcd: no watch break can lose or repeat a change, however often streams
 * break and watchers move (issue 9's rule), and a busy process is not a dead
 * member.
 *
 *   - churn: a TCP proxy in front of every member cuts every stream right
 *     after a change has passed (the worst moment: the watcher has it, its
 *     next revision must be after it), holds the reconnections while more is
 *     written, then lets them through; again and again. Every watcher gets
 *     every change once, in revision order;
 *   - a stalled event loop (2.5 s of synchronous work, longer than the
 *     no-reply rule) with the replies waiting in the socket: the stream is
 *     not given up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3, type WatchEvent } from '../../src/etcd/v3.ts';
import { revAdd } from '../../src/etcd/codec.ts';
import { STALL_MS, WatchHub, type WatchTarget } from '../../src/etcd/grpc/watch-hub.ts';

/** A watcher's target that records what it got. */
function recorder(): WatchTarget & { values: string[]; revs: string[]; created: number; canceled: string[] } {
  const r = {
    values: [] as string[],
    revs: [] as string[],
    created: 0,
    canceled: [] as string[],
    onCreated: () => void r.created++,
    onEvents: (events: WatchEvent[]) => {
      for (const e of events) {
        r.values.push(e.kv.value);
        r.revs.push(e.kv.modRevision);
      }
    },
    onCanceled: (reason: string) => void r.canceled.push(reason),
  };
  return r;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

describe('gRPC watch hub', () => {
  let etcd: EmbeddedCluster;
  let v3: EtcdV3;
  before(async () => {
    etcd = await startTestCluster();
    v3 = new EtcdV3(new Transport(etcd.endpoints));
  });
  after(() => etcd?.stop());

  test('streams cut again and again right after a change: every watcher gets every change once, in order', async (t) => {
    const proxies = await Promise.all(etcd.endpoints.map((e) => startTcpProxy(t, e)));
    const notes: string[] = [];
    const hub = new WatchHub(
      proxies.map((p) => p.url),
      { onNote: (m) => void notes.push(m) },
    );
    t.after(() => hub.close());
    const key = '/hub-churn/k';
    const from = revAdd(await v3.put(key, 'v0'), 1);
    // two watchers per member, as agents i mod 3
    const targets = Array.from({ length: 6 }, () => recorder());
    targets.forEach((r, i) => hub.watch(i, { key, startRevision: from }, r));
    await waitFor('every watcher created', () => targets.every((r) => r.created >= 1));
    const written: string[] = [];
    const allHave = (v: string) => targets.every((r) => r.values.includes(v));
    const ROUNDS = 8;
    for (let k = 1; k <= ROUNDS; k++) {
      // When every stream is cut right after the change passed its proxy (the
      // watchers may all sit on one member by now: a proxy without streams never sees it)
      const marker = `v${k}-cut`;
      const cuts = proxies.map((p) => p.cutAfter([Buffer.from(marker)]));
      await v3.put(key, marker);
      written.push(marker);
      await withDeadline(Promise.race(cuts), 10_000, `${marker} through a proxy`);
      // ... and more changes are written while the reconnections are held
      for (const v of [`v${k}-a`, `v${k}-b`]) {
        await v3.put(key, v);
        written.push(v);
      }
      for (const p of proxies) p.resume();
      // Then every watcher gets them once its watchers moved
      await waitFor(`every watcher got v${k}-b`, () => allHave(`v${k}-b`), 15_000);
    }
    for (const [i, r] of targets.entries()) {
      assert.deepEqual(r.values, written, `watcher ${i}: every change once, in order`);
      const revs = r.revs.map(BigInt);
      assert.ok(
        revs.every((x, j) => j === 0 || x > revs[j - 1]),
        `watcher ${i}: revisions ascend`,
      );
      assert.deepEqual(r.canceled, [], `watcher ${i}: never canceled`);
    }
    assert.ok(notes.filter((n) => n.includes('broke')).length >= ROUNDS, `streams broke and moved: ${notes.length} notes`);
    t.diagnostic(`${ROUNDS} cut rounds, ${notes.length} stream moves, ${written.length} changes, none lost or repeated`);
  });

  test(`a stalled event loop (longer than the ${STALL_MS} ms no-reply rule) does not give a live stream up`, async (t) => {
    const notes: string[] = [];
    const hub = new WatchHub(etcd.endpoints, { onNote: (m) => void notes.push(m) });
    t.after(() => hub.close());
    const key = '/hub-stall/k';
    const from = revAdd(await v3.put(key, 'a'), 1);
    const r = recorder();
    const w = hub.watch(0, { key, startRevision: from }, r);
    await waitFor('the watcher created', () => r.created === 1);
    await v3.put(key, 'b');
    await waitFor('the first change', () => r.values.length === 1);
    // When the process is busy for longer than the rule, etcd's progress replies waiting unread
    const until = Date.now() + STALL_MS + 500;
    while (Date.now() < until) {
      // synchronous work: no timer, no socket read
    }
    // Then the next change comes on the same stream, and nothing broke
    await v3.put(key, 'c');
    await waitFor('the second change', () => r.values.length === 2);
    assert.deepEqual(r.values, ['b', 'c']);
    assert.deepEqual(notes, [], 'no stream given up');
    assert.equal(hub.memberOf(w), 0);
    assert.equal(r.created, 1, 'not created again (no move)');
  });
});
