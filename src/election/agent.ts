/**
 * Agents: get the master and ego_conf, watch, re-get when the master changes
 * (DESIGN §3). The rules (when an agent is notified, when it has got the
 * master) are written once here; a transport feeds them reads and watch
 * events: each agent's own HTTP connection (`own` mode, the seed's one curl
 * per agent: V3OwnAgent, V2TtlAgent) or a gRPC stream per etcd member shared
 * by the agents of a process (`grpc` mode, grpc-agents.ts). "got-master"
 * means both the master key and an ego_conf written by that master (mod
 * revision >= the master's create revision) were read: an agent never
 * reports the old master's config.
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

/** Bookkeeping every agent shares: rounds, notified/got events, seed records. */
export abstract class AgentState {
  protected known: Known | null = null;
  private round = 0;
  private since = now();
  private notifiedSinceGot = true;

  constructor(
    readonly s: ElectionSettings,
    readonly emit: Emit,
    protected readonly seed: SeedRecorder | null,
  ) {}

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
}

/**
 * Run `body` (read, then watch until the stream ends) again and again until
 * the signal aborts; a failure is emitted as 'error' and followed by a pause
 * of 200-500 ms, so a dead etcd is not hammered.
 */
export async function retryLoop(signal: AbortSignal, emit: Emit, body: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    try {
      await body();
      if (!signal.aborted) throw new Error('watch ended');
    } catch (e) {
      if (signal.aborted) return;
      emit('error', { message: (e as Error).message });
      await sleep(200 + Math.random() * 300, signal);
    }
  }
}

/**
 * What a v3 backend's master is, seen from an agent: the range it reads and
 * watches, and how a read or an event of that range moves the master.
 */
export interface MasterView {
  readonly key: string;
  readonly prefix: boolean;
  /** after a read of the range: the master now (null: none) */
  reset(kvs: Kv[]): Kv | null;
  /** after one watch event of the range: the master now */
  apply(e: WatchEvent): Kv | null;
}

/** v3-lease: the master is the master key. Stateless, so one serves every agent of a process. */
class LeaseView implements MasterView {
  readonly prefix = false;
  constructor(readonly key: string) {}
  reset(kvs: Kv[]): Kv | null {
    return kvs[0] ?? null;
  }
  apply(e: WatchEvent): Kv | null {
    return e.type === 'DELETE' ? null : e.kv;
  }
}

/**
 * v3-election: the leader is the oldest key under `<name>/` (what etcd's
 * Observe computes on the server). Agents keep that set themselves from the
 * watch: /v3/election/observe through the JSON gateway lost leader changes
 * for a few of 200 concurrent observers in our runs. One per agent.
 */
class ElectionView implements MasterView {
  readonly prefix = true;
  private keys = new Map<string, Kv>();
  constructor(readonly key: string) {}
  reset(kvs: Kv[]): Kv | null {
    this.keys = new Map(kvs.map((kv) => [kv.key, kv]));
    return oldest(this.keys);
  }
  apply(e: WatchEvent): Kv | null {
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

/** A maker of the master view for each agent of one process (the lease view is shared). */
export function masterViews(s: ElectionSettings): () => MasterView {
  if (s.backend === 'v3-election') return () => new ElectionView(electionPrefix(s.masterPath));
  const shared = new LeaseView(s.masterPath);
  return () => shared;
}

/** One read of everything an agent follows (both linearizable range reads). */
export interface V3Snapshot {
  /** the kvs of the master view's range */
  master: Kv[];
  ego: Kv | null;
}

/**
 * The v3 agent's rules, whatever carries its reads and watch events (its own
 * HTTP stream, or a gRPC stream shared with the other agents of its process):
 * the master key goes (DELETE) -> notified; the next master arrives as a
 * PUT, and its ego_conf as the PUT after it; got-master once both are in,
 * the ego_conf written by that master after it took the key.
 */
export class V3Follower extends AgentState {
  private current: Kv | null = null;
  private egoBy: string | null = null;
  private egoRev = '0';

  constructor(
    readonly view: MasterView,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  /**
   * After any (re-)read, everything is judged again, not only when the master
   * changed: a watch that broke between the new master's PUT and its ego_conf
   * PUT leaves a master that looks unchanged and an ego_conf that is new.
   */
  resync(snap: V3Snapshot): void {
    if (snap.ego) this.setEgo(snap.ego);
    this.setMaster(this.view.reset(snap.master));
    this.check();
  }

  onEvents(events: WatchEvent[]): void {
    for (const e of events) {
      if (e.kv.key !== this.s.egoKey) this.setMaster(this.view.apply(e));
      else if (e.type === 'PUT') this.setEgo(e.kv);
    }
    this.check();
  }

  private setEgo(kv: Kv): void {
    this.egoBy = egoOwner(kv.value);
    this.egoRev = kv.modRevision;
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
    if (m && this.egoBy === m.value && revCmp(this.egoRev, m.createRevision) >= 0) this.got({ value: m.value, created: m.createRevision });
  }
}

/**
 * A v3 agent on its own HTTP connection (`own` mode, the seed's one curl per
 * agent): read, then watch the master range and ego_conf on one stream, each
 * from just after its read; any break -> read again (and judge again).
 */
export class V3OwnAgent implements AgentLoop {
  constructor(
    private readonly etcd: EtcdV3,
    readonly follower: V3Follower,
  ) {}

  run(signal: AbortSignal): Promise<void> {
    const f = this.follower;
    const { view } = f;
    return retryLoop(signal, f.emit, async () => {
      const [m, ego] = await Promise.all([this.etcd.range(view.key, { prefix: view.prefix, signal }), this.etcd.get(f.s.egoKey, signal)]);
      f.resync({ master: m.kvs, ego: ego.kv });
      const specs: WatchSpec[] = [
        { key: view.key, prefix: view.prefix, startRevision: revAdd(m.revision, 1) },
        { key: f.s.egoKey, startRevision: revAdd(ego.revision, 1) },
      ];
      await this.etcd.watchMany(specs, signal, { onCreated: () => f.emit('watch-created'), onEvents: (events) => f.onEvents(events) });
    });
  }
}

/** v2-ttl agents: the seed's wait=true&waitIndex loop, with 401 -> re-get. */
export class V2TtlAgent extends AgentState implements AgentLoop {
  constructor(
    private readonly etcd: EtcdV2,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  run(signal: AbortSignal): Promise<void> {
    return retryLoop(signal, this.emit, async () => {
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
