/**
 * Delete the benchmark's keys (the seed's initETCD.sh): the master key, the
 * election prefix, ego_conf, in both keyspaces, and the seed records
 * /new_master and /agents (v2).
 */
import { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { electionPrefix } from '../election/v3-election.ts';

export async function cleanKeys(endpoints: string[], s: { masterPath: string; egoKey: string }): Promise<number> {
  const t = new Transport(endpoints);
  const v3 = new EtcdV3(t);
  const v2 = new EtcdV2(t);
  let n = 0;
  for (const k of [s.masterPath, s.egoKey]) n += await v3.delete(k);
  n += await v3.delete(electionPrefix(s.masterPath), { prefix: true });
  // v2 may be disabled on an external cluster: then there is nothing there to clean
  const v2del = (key: string, o: Parameters<EtcdV2['delete']>[1] = {}) => v2.delete(key, o).catch(() => false);
  for (const k of [s.masterPath, s.egoKey]) if (await v2del(k)) n++;
  for (const d of ['/new_master', '/agents']) if (await v2del(d, { recursive: true, dir: true })) n++;
  return n;
}
