/**
 * The control node's own observer of the master key: the live tail the
 * console shows, and what the run model learns of the key holder (value,
 * revision, lease; for a DELETE, who went). v3-lease watches the key with
 * prev_kv; v3-election follows the election prefix and reports leader
 * changes only (the oldest key under `<name>/`, what etcd's Observe
 * computes), not every candidate's key; v2-ttl runs a wait=true loop.
 *
 *   {"type":"PUT","value":"local-m2","rev":"41","lease":"7587868923547912345","t":1764083012345.1}
 *   {"type":"DELETE","value":null,"prev":"local-m2","rev":"45","t":1764083014721.9}
 */
import { now } from '../clock.ts';
import type { BackendName, MasterWatchLine } from '../events.ts';
import { revAdd, revCmp, type Kv } from '../etcd/codec.ts';
import { EtcdV2, EtcdV2Error, V2_EVENT_INDEX_CLEARED, type V2Node } from '../etcd/v2.ts';
import type { EtcdV3, WatchEvent } from '../etcd/v3.ts';
import { sleep } from './common.ts';
import { electionPrefix } from './v3-election.ts';
import { isVacatingAction } from './v2-ttl.ts';

type OnLine = (l: MasterWatchLine) => void;

const leaseOf = (kv: Kv): string | null => (kv.lease && kv.lease !== '0' ? kv.lease : null);

/** Observe until the signal aborts; errors are reported and the observer starts again from a fresh read. */
export async function observeMaster(backend: BackendName, masterPath: string, v3: EtcdV3, v2: EtcdV2, signal: AbortSignal, onLine: OnLine, onError: (e: Error) => void): Promise<void> {
  while (!signal.aborted) {
    try {
      if (backend === 'v2-ttl') await observeV2(masterPath, v2, signal, onLine);
      else if (backend === 'v3-election') await observeElection(masterPath, v3, signal, onLine);
      else await observeKey(masterPath, v3, signal, onLine);
    } catch (e) {
      if (signal.aborted) return;
      onError(e as Error);
      await sleep(500, signal);
    }
  }
}

async function observeKey(key: string, v3: EtcdV3, signal: AbortSignal, onLine: OnLine): Promise<void> {
  const r = await v3.range(key, { signal });
  for (const kv of r.kvs) onLine({ type: 'PUT', value: kv.value, rev: kv.modRevision, lease: leaseOf(kv), t: now() });
  await v3.watch(key, { startRevision: revAdd(r.revision, 1), prevKv: true, signal }, {
    onEvents: (events) => {
      for (const e of events) {
        if (e.type === 'PUT') onLine({ type: 'PUT', value: e.kv.value, rev: e.kv.modRevision, lease: leaseOf(e.kv), t: now() });
        else onLine({ type: 'DELETE', value: null, prev: e.prevKv?.value ?? null, rev: e.kv.modRevision, t: now() });
      }
    },
  });
}

/** The leader of an election: the oldest key under its prefix. */
export function oldestKey(keys: ReadonlyMap<string, Kv>): Kv | null {
  let best: Kv | null = null;
  for (const kv of keys.values()) if (!best || revCmp(kv.createRevision, best.createRevision) < 0) best = kv;
  return best;
}

async function observeElection(name: string, v3: EtcdV3, signal: AbortSignal, onLine: OnLine): Promise<void> {
  const prefix = electionPrefix(name);
  const r = await v3.range(prefix, { prefix: true, signal });
  const keys = new Map(r.kvs.map((kv) => [kv.key, kv]));
  let leader = oldestKey(keys);
  if (leader) onLine({ type: 'PUT', value: leader.value, rev: leader.createRevision, lease: leaseOf(leader), t: now() });
  const onEvent = (e: WatchEvent) => {
    if (e.type === 'DELETE') keys.delete(e.kv.key);
    else if (!keys.has(e.kv.key)) keys.set(e.kv.key, e.kv);
    const next = oldestKey(keys);
    if (next?.key === leader?.key) return;
    // the leader's key went: that is a DELETE of the master, whoever follows
    if (leader && !keys.has(leader.key)) onLine({ type: 'DELETE', value: null, prev: leader.value, rev: e.kv.modRevision, t: now() });
    if (next) onLine({ type: 'PUT', value: next.value, rev: next.createRevision, lease: leaseOf(next), t: now() });
    leader = next;
  };
  await v3.watch(prefix, { prefix: true, startRevision: revAdd(r.revision, 1), signal }, {
    onEvents: (events) => {
      for (const e of events) onEvent(e);
    },
  });
}

const v2Lease = (n: V2Node): string | null => (n.ttl ? `ttl ${n.ttl}s` : null);

async function observeV2(key: string, v2: EtcdV2, signal: AbortSignal, onLine: OnLine): Promise<void> {
  let { node, etcdIndex } = await v2.get(key, { signal });
  if (node) onLine({ type: 'PUT', value: node.value ?? null, rev: String(node.modifiedIndex), lease: v2Lease(node), t: now() });
  let waitIndex = etcdIndex + 1;
  while (!signal.aborted) {
    try {
      const ev = await v2.wait(key, waitIndex, signal);
      waitIndex = ev.node.modifiedIndex + 1;
      const rev = String(ev.node.modifiedIndex);
      if (isVacatingAction(ev.action)) onLine({ type: 'DELETE', value: null, prev: ev.prevNode?.value ?? null, rev, t: now() });
      else onLine({ type: 'PUT', value: ev.node.value ?? null, rev, lease: v2Lease(ev.node), t: now() });
    } catch (e) {
      if (signal.aborted) return;
      if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
      ({ node, etcdIndex } = await v2.get(key, { signal }));
      waitIndex = etcdIndex + 1;
    }
  }
}
