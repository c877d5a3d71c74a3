/**
 * Agents: get the master and ego_conf, watch, re-get when the master changes
 * (DESIGN §3). One loop per agent, each on its own connection (the seed ran
 * one curl per agent). "got-master" means both the master key and an
 * ego_conf written by that master (mod revision >= the master's create
 * revision) were read: an agent never reports the old master's config.
 *
 *   {"ev":"notified","id":"h2-a17",...}   {"ev":"got-master","id":"h2-a17","master":"h1-m2",...}
 */
import { now } from '../clock.ts';
import type { Kv } from '../etcd/codec.ts';
import { revAdd, revCmp } from '../etcd/codec.ts';
import type { EtcdV3, WatchEvent, WatchSpec } from '../etcd/v3.ts';
import { EtcdV2, EtcdV2Error, V2_EVENT_INDEX_CLEARED, type V2Node } from '../etcd/v2.ts';
import { egoOwner, sleep } from './common.ts';
import { electionPrefix } from './v3-election.ts';
import { isVacatingAction } from './v2-ttl.ts';
import type { AgentLoop, ElectionSettings, Emit, SeedRecorder } from './types.ts';

interface Known {
  value: string;
  /** create revision (v3) / createdIndex (v2) of the master key */
  created: string;
}

/** Bookkeeping every backend's agent shares: rounds, notified/got events, seed records. */
abstract class AgentBase implements AgentLoop {
  protected known: Known | null = null;
  private round = 0;
  private since = now();
  private notifiedSinceGot = true;

  constructor(
    protected readonly s: ElectionSettings,
    protected readonly emit: Emit,
    protected readonly seed: SeedRecorder | null,
  ) {}

  abstract run(signal: AbortSignal): Promise<void>;

  protected notified(): void {
    if (this.notifiedSinceGot) return;
    this.notifiedSinceGot = true;
    this.since = now();
    this.emit('notified');
  }

  protected got(m: Known): void {
    const initial = this.round === 0;
    if (!initial && this.known && this.known.value === m.value && this.known.created === m.created) return;
    this.notified(); // a new master without a seen delete still counts as a notification
    this.known = m;
    this.round++;
    this.notifiedSinceGot = false;
    const t = now();
    this.emit('got-master', { master: m.value, initial, round: this.round });
    this.seed?.agent(this.round, m.value, this.since, t).catch(() => {});
  }

  protected lostMaster(): void {
    this.known = null;
    this.notified();
  }

  /** retry a failing loop without spinning */
  protected async guard(signal: AbortSignal, body: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try {
        await body();
        if (!signal.aborted) throw new Error('watch ended');
      } catch (e) {
        if (signal.aborted) return;
        this.emit('error', { message: (e as Error).message });
        await sleep(200 + Math.random() * 300, signal);
      }
    }
  }
}

/**
 * A v3 agent follows both the master and ego_conf on one watch stream (its
 * own connection): the master key goes (DELETE) -> notified; the next master
 * arrives as a PUT, and its ego_conf as the PUT after it, in revision order,
 * with no extra request and no second connection during the failover.
 */
abstract class V3Follower extends AgentBase {
  private current: Kv | null = null;
  private ego: { by: string | null; rev: string } = { by: null, rev: '0' };

  constructor(
    protected readonly etcd: EtcdV3,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  /** read the current master; reset whatever the backend tracks */
  protected abstract readMaster(signal: AbortSignal): Promise<{ master: Kv | null; revision: string }>;
  protected abstract masterWatch(startRevision: string): WatchSpec;
  /** a master-side event; returns the master now (null: none) */
  protected abstract onMasterEvent(e: WatchEvent): Kv | null;

  run(signal: AbortSignal): Promise<void> {
    return this.guard(signal, async () => {
      const [m, ego] = await Promise.all([this.readMaster(signal), this.etcd.get(this.s.egoKey, signal)]);
      if (ego.kv) this.ego = { by: egoOwner(ego.kv.value), rev: ego.kv.modRevision };
      this.setMaster(m.master);
      const from = revAdd(revCmp(m.revision, ego.revision) < 0 ? m.revision : ego.revision, 1);
      await this.etcd.watchMany([this.masterWatch(from), { key: this.s.egoKey, startRevision: from }], signal, {
        onCreated: () => this.emit('watch-created'),
        onEvents: (events) => {
          for (const e of events) {
            if (e.kv.key !== this.s.egoKey) this.setMaster(this.onMasterEvent(e));
            else if (e.type === 'PUT') this.ego = { by: egoOwner(e.kv.value), rev: e.kv.modRevision };
          }
          this.check();
        },
      });
    });
  }

  private setMaster(kv: Kv | null): void {
    const cur = this.current;
    const changed = kv === null ? cur !== null : !cur || cur.key !== kv.key || cur.createRevision !== kv.createRevision;
    if (!changed) return;
    // the master we knew is gone (deleted, or replaced in the same batch): notified now
    if (cur || this.known) this.lostMaster();
    this.current = kv;
    this.check();
  }

  /** got-master once the ego_conf this master wrote (after it took the key) is in */
  private check(): void {
    const m = this.current;
    if (m && this.ego.by === m.value && revCmp(this.ego.rev, m.createRevision) >= 0) this.got({ value: m.value, created: m.createRevision });
  }
}

/** v3-lease agents: the master is the master key. */
export class V3LeaseAgent extends V3Follower {
  protected async readMaster(signal: AbortSignal) {
    const { kv, revision } = await this.etcd.get(this.s.masterPath, signal);
    return { master: kv, revision };
  }
  protected masterWatch(startRevision: string): WatchSpec {
    return { key: this.s.masterPath, startRevision };
  }
  protected onMasterEvent(e: WatchEvent): Kv | null {
    return e.type === 'DELETE' ? null : e.kv;
  }
}

/**
 * v3-election agents: the leader is the oldest key under `<name>/` (what
 * etcd's Observe computes on the server). Agents keep that set themselves
 * from the watch: /v3/election/observe through the JSON gateway lost leader
 * changes for a few of 200 concurrent observers in our runs.
 */
export class V3ElectionAgent extends V3Follower {
  private keys = new Map<string, Kv>();

  protected async readMaster(signal: AbortSignal) {
    const r = await this.etcd.range(electionPrefix(this.s.masterPath), { prefix: true, signal });
    this.keys = new Map(r.kvs.map((kv) => [kv.key, kv]));
    return { master: oldest(this.keys), revision: r.revision };
  }
  protected masterWatch(startRevision: string): WatchSpec {
    return { key: electionPrefix(this.s.masterPath), prefix: true, startRevision };
  }
  protected onMasterEvent(e: WatchEvent): Kv | null {
    if (e.type === 'DELETE') this.keys.delete(e.kv.key);
    else if (!this.keys.has(e.kv.key)) this.keys.set(e.kv.key, e.kv);
    return oldest(this.keys);
  }
}

function oldest(keys: Map<string, Kv>): Kv | null {
  let best: Kv | null = null;
  for (const kv of keys.values()) if (!best || revCmp(kv.createRevision, best.createRevision) < 0) best = kv;
  return best;
}

/** v2-ttl agents: the seed's wait=true&waitIndex loop, with 401 -> re-get. */
export class V2TtlAgent extends AgentBase {
  constructor(
    private readonly etcd: EtcdV2,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  run(signal: AbortSignal): Promise<void> {
    return this.guard(signal, async () => {
      let { node, etcdIndex } = await this.etcd.get(this.s.masterPath, { signal });
      if (node) await this.fetch(node, signal);
      else if (this.known) this.lostMaster();
      let waitIndex = etcdIndex + 1;
      this.emit('watch-created');
      while (!signal.aborted) {
        try {
          const ev = await this.etcd.wait(this.s.masterPath, waitIndex, signal);
          waitIndex = ev.node.modifiedIndex + 1;
          // after expire/delete the next master comes as the create on the next wait
          if (isVacatingAction(ev.action)) this.lostMaster();
          else await this.fetch(ev.node, signal);
        } catch (e) {
          if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
          ({ node, etcdIndex } = await this.etcd.get(this.s.masterPath, { signal }));
          if (node) await this.fetch(node, signal);
          else if (this.known) this.lostMaster();
          waitIndex = etcdIndex + 1;
        }
      }
    });
  }

  private async fetch(master: V2Node, signal: AbortSignal): Promise<void> {
    const created = String(master.createdIndex);
    if (this.known && this.known.created === created) return;
    await fetchEgoV2(this.etcd, this.s.egoKey, master.value ?? '', signal);
    this.got({ value: master.value ?? '', created });
  }
}

export async function fetchEgoV2(etcd: EtcdV2, key: string, master: string, signal: AbortSignal): Promise<V2Node> {
  let { node, etcdIndex } = await etcd.get(key, { signal });
  for (;;) {
    if (node && egoOwner(node.value ?? '') === master) return node;
    try {
      const ev = await etcd.wait(key, etcdIndex + 1, signal);
      node = ev.node;
      etcdIndex = ev.node.modifiedIndex;
    } catch (e) {
      if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
      ({ node, etcdIndex } = await etcd.get(key, { signal }));
    }
  }
}
