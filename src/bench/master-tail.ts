/**
 * The control node's own watch on the master key: the live tail the console
 * shows (type, value, revision, arrival time). v3-lease watches the key,
 * v3-election the election prefix, v2-ttl runs a wait=true loop.
 *
 *   {"type":"DELETE","value":null,"rev":"41","t":1764083012345.1}
 */
import { now } from '../clock.ts';
import type { BackendName, MasterWatchLine } from '../events.ts';
import { revAdd } from '../etcd/codec.ts';
import { EtcdV2, EtcdV2Error, V2_EVENT_INDEX_CLEARED } from '../etcd/v2.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import { sleep } from '../election/common.ts';
import { electionPrefix } from '../election/v3-election.ts';
import { isVacatingAction } from '../election/v2-ttl.ts';

export async function tailMaster(
  backend: BackendName,
  masterPath: string,
  v3: EtcdV3,
  v2: EtcdV2,
  signal: AbortSignal,
  onLine: (l: MasterWatchLine) => void,
  onError: (e: Error) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      if (backend === 'v2-ttl') await tailV2(masterPath, v2, signal, onLine);
      else {
        const prefix = backend === 'v3-election';
        const key = prefix ? electionPrefix(masterPath) : masterPath;
        const r = await v3.range(key, { prefix, signal });
        for (const kv of r.kvs) onLine({ type: 'PUT', value: kv.value, rev: kv.modRevision, t: now() });
        await v3.watch(key, { prefix, startRevision: revAdd(r.revision, 1), signal }, {
          onEvents: (events) => {
            for (const e of events) onLine({ type: e.type, value: e.type === 'PUT' ? e.kv.value : null, rev: e.kv.modRevision, t: now() });
          },
        });
      }
    } catch (e) {
      if (signal.aborted) return;
      onError(e as Error);
      await sleep(500, signal);
    }
  }
}

async function tailV2(key: string, v2: EtcdV2, signal: AbortSignal, onLine: (l: MasterWatchLine) => void): Promise<void> {
  let { node, etcdIndex } = await v2.get(key, { signal });
  if (node) onLine({ type: 'PUT', value: node.value ?? null, rev: String(node.modifiedIndex), t: now() });
  let waitIndex = etcdIndex + 1;
  while (!signal.aborted) {
    try {
      const ev = await v2.wait(key, waitIndex, signal);
      waitIndex = ev.node.modifiedIndex + 1;
      const gone = isVacatingAction(ev.action);
      onLine({ type: gone ? 'DELETE' : 'PUT', value: gone ? null : (ev.node.value ?? null), rev: String(ev.node.modifiedIndex), t: now() });
    } catch (e) {
      if (signal.aborted) return;
      if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
      ({ node, etcdIndex } = await v2.get(key, { signal }));
      waitIndex = etcdIndex + 1;
    }
  }
}
