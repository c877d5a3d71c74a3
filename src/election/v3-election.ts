/**
 * v3-election: etcd's election service. A master grants a lease, keeps it
 * alive from the start, and campaigns under the election name (the master
 * path): etcd creates `<name>/<lease hex>` and answers when that key is the
 * oldest under the name. The same keys `etcdctl elect <name>` uses, so both
 * interoperate. While it waits, the candidate watches the prefix so that it
 * can report when it saw the leader go ('notified'). Each attempt has a lease
 * of its own: a campaign that fails (a hung member) is never sent again with
 * its lease, which is revoked; the next attempt grants a new one (see
 * EtcdV3.campaign: etcd deletes the key of a campaign whose client left).
 *
 *   POST /v3/election/campaign {"name":"L21hc3Rlcg==","lease":"7587...","value":"aDEtbTI="}
 *     -> {"leader":{"name":...,"key":"L21hc3Rlci82OTRk...","rev":"4","lease":"7587..."}}
 */
import { now } from '../clock.ts';
import type { EtcdV3, Leader } from '../etcd/v3.ts';
import { revAdd } from '../etcd/codec.ts';
import { leaseKeeper } from './keeper.ts';
import { childController, egoBlob, MasterBase, type Attempt } from './common.ts';
import { v3KeyLost } from './own-key.ts';
import type { ElectionSettings, Emit, SeedRecorder } from './types.ts';

/** The election's key prefix: `<name>/`. */
export function electionPrefix(name: string): string {
  return name.endsWith('/') ? name : name + '/';
}

export class V3ElectionMaster extends MasterBase {
  private leader: Leader | null = null;

  constructor(
    private readonly etcd: EtcdV3,
    private readonly s: ElectionSettings,
    id: string,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(id, emit, seed, s.ttl * 1000);
  }

  protected async attempt(signal: AbortSignal): Promise<Attempt> {
    const sentAt = now();
    const lease = await this.etcd.leaseGrant(this.s.ttl, signal);
    const keeper = leaseKeeper(this.etcd, lease.id, this.s, this.emit, sentAt).start();
    const c = childController(signal);
    void keeper.lost.then(() => c.abort());
    const watching = this.watchWhileWaiting(c.signal);
    try {
      const leader = await this.etcd.campaign(this.s.masterPath, lease.id, this.id, c.signal);
      this.leader = leader;
      return {
        won: true,
        revision: leader.rev,
        holding: {
          keeper,
          release: () => this.etcd.leaseRevoke(lease.id),
          resign: async () => {
            await this.etcd.resign(leader);
            await this.etcd.leaseRevoke(lease.id).catch(() => {});
          },
          // our candidate key under the prefix: deleted or overwritten -> step down
          keyLost: (sig) => v3KeyLost(this.etcd, { key: leader.key, value: this.id, lease: lease.id, revision: leader.rev }, sig),
        },
      };
    } catch (e) {
      keeper.stop();
      await this.etcd.leaseRevoke(lease.id).catch(() => {});
      if (signal.aborted) return { won: false, holder: null, revision: '0' };
      throw c.signal.aborted ? new Error('lease lost while campaigning') : e;
    } finally {
      c.abort();
      await watching;
    }
  }

  /** While the campaign waits: report the holder ('lost') and when it goes ('notified'). */
  private async watchWhileWaiting(signal: AbortSignal): Promise<void> {
    try {
      const prefix = electionPrefix(this.s.masterPath);
      const r = await this.etcd.range(prefix, { prefix: true, signal });
      const others = r.kvs.filter((kv) => kv.value !== this.id).sort((a, b) => Number(BigInt(a.createRevision) - BigInt(b.createRevision)));
      if (signal.aborted || others.length === 0) return;
      let holderKey = others[0].key;
      this.emit('lost', { master: others[0].value, rev: r.revision });
      await this.etcd.watch(prefix, { prefix: true, startRevision: revAdd(r.revision, 1), signal }, {
        onCreated: () => this.emit('watch-created'),
        onEvents: (events) => {
          for (const e of events) {
            if (e.type === 'DELETE' && e.kv.key === holderKey) {
              this.emit('notified');
              holderKey = '';
            }
          }
        },
      });
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `election watch: ${(e as Error).message}` });
    }
  }

  protected async writeEgo(signal: AbortSignal): Promise<void> {
    await this.etcd.put(this.s.egoKey, egoBlob(this.id, this.s.egoSize), { signal });
  }

  protected async waitVacant(): Promise<void> {
    // never reached: a campaign only returns when it has won
  }

  protected async waitSuccessor(signal: AbortSignal): Promise<void> {
    const mine = this.leader?.key;
    const c = childController(signal);
    try {
      await this.etcd.observe(this.s.masterPath, c.signal, (kv) => {
        if (kv.key !== mine) c.abort();
      });
    } finally {
      c.abort();
    }
  }
}
