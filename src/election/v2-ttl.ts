/**
 * v2-ttl: the seed's protocol, exactly. Campaign is a create with
 * prevExist=false and ttl=T; the master refreshes with refresh=true
 * (prevExist=true, and prevValue=<id> so it only ever refreshes its own
 * key), which moves the index without waking watchers; candidates wait with
 * wait=true&waitIndex=<index+1>; an index older than etcd's 1,000-event
 * window (error 401) makes them re-get and wait from the new index.
 *
 *   PUT /v2/keys/master?prevExist=false  value=h1-m1&ttl=2
 *   PUT /v2/keys/master?refresh=true&prevExist=true&ttl=2&prevValue=h1-m1
 *   GET /v2/keys/master?wait=true&waitIndex=9 -> {"action":"expire",...}
 */
import { now } from '../clock.ts';
import { EtcdV2, EtcdV2Error, isVacatingAction, V2_COMPARE_FAILED, V2_EVENT_INDEX_CLEARED, V2_KEY_NOT_FOUND } from '../etcd/v2.ts';
import { Keeper } from './keeper.ts';
import { egoBlob, MasterBase, type Attempt } from './common.ts';
import { v2KeyLost } from './own-key.ts';
import type { ElectionSettings, Emit, SeedRecorder } from './types.ts';

/** (moved to the v2 client; re-exported for the agents and the master tail) */
export { isVacatingAction };

export class V2TtlMaster extends MasterBase {
  constructor(
    private readonly etcd: EtcdV2,
    private readonly s: ElectionSettings,
    id: string,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(id, emit, seed, s.ttl * 1000);
  }

  protected async attempt(signal: AbortSignal): Promise<Attempt> {
    const sentAt = now();
    const r = await this.etcd.create(this.s.masterPath, this.id, this.s.ttl, signal);
    let node = r.created ? r.node : null;
    if (!r.created) {
      const held = await this.etcd.get(this.s.masterPath, { signal });
      if (held.node?.value !== this.id) return { won: false, holder: held.node?.value ?? null, revision: String(r.index) };
      // our own value: an earlier try of this create that timed out did get through; confirm it by a refresh
      node = await this.etcd.refresh(this.s.masterPath, this.s.ttl, this.id, { signal }).catch(() => null);
      if (!node) return { won: false, holder: null, revision: String(held.etcdIndex) };
    }
    const keeper = new Keeper(
      async (budgetMs) => {
        try {
          const n = await this.etcd.refresh(this.s.masterPath, this.s.ttl, this.id, { budgetMs });
          return { ok: true, ttl: n.ttl ?? this.s.ttl };
        } catch (e) {
          // the key went (deleted) or is another's (compare failed) before our deadline: v2 has no lease, the key is the claim
          if (e instanceof EtcdV2Error && (e.code === V2_KEY_NOT_FOUND || e.code === V2_COMPARE_FAILED)) return { ok: false, reason: 'key-lost' };
          throw e;
        }
      },
      this.s.ttl * 1000,
      this.s.refresh * 1000,
      this.emit,
      sentAt,
    );
    const created = node!.createdIndex;
    return {
      won: true,
      revision: String(created),
      holding: {
        keeper,
        release: async () => void (await this.etcd.delete(this.s.masterPath, { prevValue: this.id })),
        keyLost: (sig) => v2KeyLost(this.etcd, this.s.masterPath, this.id, created, sig),
      },
    };
  }

  protected async writeEgo(signal: AbortSignal): Promise<void> {
    await this.etcd.set(this.s.egoKey, egoBlob(this.id, this.s.egoSize), { signal });
  }

  protected async waitVacant(revision: string, signal: AbortSignal): Promise<void> {
    let waitIndex = Number(revision) + 1;
    let announced = false;
    while (!signal.aborted) {
      if (!announced) {
        // a v2 wait has no "created" reply: the request is in flight from here
        this.emit('watch-created');
        announced = true;
      }
      try {
        const ev = await this.etcd.wait(this.s.masterPath, waitIndex, signal);
        if (isVacatingAction(ev.action)) return;
        waitIndex = ev.node.modifiedIndex + 1;
      } catch (e) {
        if (signal.aborted) return;
        if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
        const { node, etcdIndex } = await this.etcd.get(this.s.masterPath, { signal });
        if (!node) return;
        waitIndex = etcdIndex + 1;
      }
    }
  }

  protected async waitSuccessor(signal: AbortSignal): Promise<void> {
    let { node, etcdIndex } = await this.etcd.get(this.s.masterPath, { signal });
    while (!signal.aborted && !(node && node.value !== this.id)) {
      try {
        const ev = await this.etcd.wait(this.s.masterPath, etcdIndex + 1, signal);
        if (!isVacatingAction(ev.action)) return;
        etcdIndex = ev.node.modifiedIndex;
      } catch (e) {
        if (signal.aborted) return;
        if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
        ({ node, etcdIndex } = await this.etcd.get(this.s.masterPath, { signal }));
      }
    }
  }
}
