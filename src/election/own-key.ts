/**
 * A master watches its own claim: the key is deleted (an operator's `etcdctl
 * del`) or overwritten (another value or lease) while its lease or TTL is
 * still alive, and the master must step down at once ('key-lost') rather than
 * stay master beside the one the standbys elect.
 *
 *   v3: watch /master from the claim's revision + 1: DELETE, or PUT with value != "h1-m2" or lease != 7587...
 *   v2: GET /v2/keys/master?wait=true&waitIndex=<createdIndex+1>: delete/expire, or a value != "h1-m2"
 *
 * Each resolves true when the key is lost, false when the signal aborts;
 * failures of etcd are retried (the watch itself survives hung members).
 */
import { revAdd } from '../etcd/codec.ts';
import { Backoff } from '../etcd/backoff.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2, EtcdV2Error, isVacatingAction, V2_EVENT_INDEX_CLEARED } from '../etcd/v2.ts';
import { childController } from './common.ts';

export interface V3Claim {
  key: string;
  value: string;
  lease: string;
  /** the revision that created the claim */
  revision: string;
}

export async function v3KeyLost(etcd: EtcdV3, claim: V3Claim, signal: AbortSignal): Promise<boolean> {
  const backoff = new Backoff();
  let from = revAdd(claim.revision, 1);
  let check = false;
  while (!signal.aborted) {
    const c = childController(signal);
    let lost = false;
    try {
      if (check) {
        // the watch failed (e.g. compacted past `from`): read the key, then watch on from there
        const { kv, revision } = await etcd.get(claim.key, signal);
        if (!kv || kv.value !== claim.value || kv.lease !== claim.lease) return true;
        from = revAdd(revision, 1);
        check = false;
      }
      await etcd.watch(claim.key, { startRevision: from, signal: c.signal }, {
        onEvents: (events) => {
          for (const e of events) {
            if (e.type === 'DELETE' || e.kv.value !== claim.value || e.kv.lease !== claim.lease) lost = true;
            else from = revAdd(e.kv.modRevision, 1);
          }
          if (lost) c.abort();
        },
      });
      if (lost) return true;
    } catch {
      if (signal.aborted) break;
      check = true;
      await backoff.wait(signal);
    } finally {
      c.abort();
    }
  }
  return false;
}

export async function v2KeyLost(etcd: EtcdV2, key: string, value: string, createdIndex: number, signal: AbortSignal): Promise<boolean> {
  const backoff = new Backoff();
  let waitIndex = createdIndex + 1;
  while (!signal.aborted) {
    try {
      const ev = await etcd.wait(key, waitIndex, signal);
      if (isVacatingAction(ev.action) || ev.node.value !== value) return true;
      waitIndex = ev.node.modifiedIndex + 1;
      backoff.reset();
    } catch (e) {
      if (signal.aborted) break;
      if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) await backoff.wait(signal);
      try {
        const { node, etcdIndex } = await etcd.get(key, { signal });
        if (!node || node.value !== value) return true;
        waitIndex = etcdIndex + 1;
      } catch {
        if (signal.aborted) break;
      }
    }
  }
  return false;
}
