/**
 * The seed's result records, written to the v2 keyspace whatever the backend
 * (so the seed's curl queries and summary script keep working):
 *
 *   /new_master/<host>_<start s>  = "<start s>|<elected s>"
 *   /agents/<round>/<agent id>    = "<master>|<agent id>|<start s>|<got s>"
 *
 * Times are Unix seconds with a millisecond fraction (the seed had whole seconds).
 */
import { EtcdV2 } from '../etcd/v2.ts';
import { secs } from './common.ts';
import type { SeedRecorder } from './types.ts';

export function newMasterRecord(host: string, startMs: number, electedMs: number): { key: string; value: string } {
  return { key: `/new_master/${host}_${secs(startMs)}`, value: `${secs(startMs)}|${secs(electedMs)}` };
}

export function agentRecord(round: number, master: string, id: string, startMs: number, gotMs: number): { key: string; value: string } {
  return { key: `/agents/${round}/${id}`, value: `${master}|${id}|${secs(startMs)}|${secs(gotMs)}` };
}

export function seedRecorder(etcd: EtcdV2, host: string, id: string): SeedRecorder {
  return {
    async newMaster(startMs, electedMs) {
      const r = newMasterRecord(host, startMs, electedMs);
      await etcd.set(r.key, r.value);
    },
    async agent(round, master, startMs, gotMs) {
      const r = agentRecord(round, master, id, startMs, gotMs);
      await etcd.set(r.key, r.value);
    },
  };
}
