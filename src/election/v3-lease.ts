/**
 * v3-lease (default backend): grant a lease of T, then a txn puts the master
 * key with that lease only if the key does not exist (create_revision == 0).
 * The winner keeps the lease alive every R; candidates and agents watch the
 * key from the txn's revision + 1 and campaign again on its DELETE.
 *
 *   txn compare create_revision(/master) == 0 -> put /master = "h1-m2" lease 694d...
 */
import { now } from '../clock.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import { revAdd } from '../etcd/codec.ts';
import { leaseKeeper, type Keeper } from './keeper.ts';
import { childController, egoBlob, MasterBase, type Attempt } from './common.ts';
import { v3KeyLost } from './own-key.ts';
import type { ElectionSettings, Emit, SeedRecorder } from './types.ts';

export class V3LeaseMaster extends MasterBase {
  constructor(
    private readonly etcd: EtcdV3,
    private readonly s: ElectionSettings,
    id: string,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(id, emit, seed, s.ttl * 1000);
  }

  /**
   * A candidate keeps its lease alive while it waits (as clientv3's
   * concurrency.Session does), so that on a vacancy its campaign is one txn,
   * not a lease grant and then a txn.
   */
  private spare: { id: string; keeper: Keeper } | null = null;

  private async lease(signal: AbortSignal): Promise<{ id: string; keeper: Keeper }> {
    const s = this.spare;
    if (s && now() < s.keeper.deadlineAt - this.s.refresh * 1000) return s;
    s?.keeper.stop();
    const sentAt = now();
    const lease = await this.etcd.leaseGrant(this.s.ttl, signal);
    const keeper = leaseKeeper(this.etcd, lease.id, this.s, (ev, f) => {
      // a candidate's keep-alives are not a master's: only report them once elected
      if (this.isMaster) this.emit(ev, f);
    }, sentAt);
    const spare = { id: lease.id, keeper };
    void keeper.lost.then(() => {
      if (this.spare === spare) this.spare = null;
    });
    this.spare = spare;
    return spare;
  }

  protected async attempt(signal: AbortSignal): Promise<Attempt> {
    const lease = await this.lease(signal);
    const r = await this.etcd.createIfAbsent(this.s.masterPath, this.id, lease.id, signal);
    // the holder carries our own lease: an earlier try of this txn that timed out did get through
    const ours = !r.won && r.holder?.lease === lease.id && r.holder.value === this.id;
    if (!r.won && !ours) {
      lease.keeper.start();
      return { won: false, holder: r.holder?.value ?? null, revision: r.revision };
    }
    this.spare = null;
    const revision = r.won ? r.revision : r.holder!.createRevision;
    return {
      won: true,
      revision,
      holding: {
        keeper: lease.keeper,
        // revoking deletes the key at once: watchers see DELETE within ms
        release: () => this.etcd.leaseRevoke(lease.id),
        keyLost: (sig) => v3KeyLost(this.etcd, { key: this.s.masterPath, value: this.id, lease: lease.id, revision }, sig),
      },
    };
  }

  /** the candidate's lease goes with it */
  override async release(): Promise<void> {
    this.stopCampaigning();
    const s = this.spare;
    this.spare = null;
    s?.keeper.stop();
    if (s) await this.etcd.leaseRevoke(s.id).catch(() => {});
    await super.release();
  }

  protected async writeEgo(signal: AbortSignal): Promise<void> {
    await this.etcd.put(this.s.egoKey, egoBlob(this.id, this.s.egoSize), { signal });
  }

  protected async waitVacant(revision: string, signal: AbortSignal): Promise<void> {
    const c = childController(signal);
    let vacant = false;
    try {
      await this.etcd.watch(this.s.masterPath, { startRevision: revAdd(revision, 1), signal: c.signal }, {
        onCreated: () => this.emit('watch-created'),
        onEvents: (events) => {
          if (events.some((e) => e.type === 'DELETE')) {
            vacant = true;
            c.abort();
          }
        },
      });
    } finally {
      c.abort();
    }
    if (!vacant && !signal.aborted) throw new Error('watch on the master key ended');
  }

  protected async waitSuccessor(signal: AbortSignal): Promise<void> {
    const c = childController(signal);
    const { kv, revision } = await this.etcd.get(this.s.masterPath, signal);
    if (kv && kv.value !== this.id) return;
    try {
      await this.etcd.watch(this.s.masterPath, { startRevision: revAdd(revision, 1), signal: c.signal }, {
        onEvents: (events) => {
          if (events.some((e) => e.type === 'PUT')) c.abort();
        },
      });
    } finally {
      c.abort();
    }
  }
}
