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
import type { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2, EtcdV2Error, V2_EVENT_INDEX_CLEARED, type V2Node } from '../etcd/v2.ts';
import { childController, egoOwner, sleep } from './common.ts';
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

/** v3-lease agents: watch the master key; DELETE -> notified -> re-get. */
export class V3LeaseAgent extends AgentBase {
  constructor(
    private readonly etcd: EtcdV3,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  run(signal: AbortSignal): Promise<void> {
    return this.guard(signal, async () => {
      const { kv, revision } = await this.etcd.get(this.s.masterPath, signal);
      if (kv) await this.fetch(kv, signal);
      else if (this.known) this.lostMaster();
      await this.etcd.watch(this.s.masterPath, { startRevision: revAdd(revision, 1), signal }, {
        onCreated: () => this.emit('watch-created'),
        onEvents: (events) => {
          for (const e of events) {
            // the key is surely absent right after its DELETE: a re-get now would only add
            // load to etcd during the election; the next master arrives as the PUT on this watch
            if (e.type === 'DELETE') this.lostMaster();
            else void this.fetch(e.kv, signal);
          }
        },
      });
    });
  }

  private async fetch(master: Kv, signal: AbortSignal): Promise<void> {
    if (this.known && this.known.created === master.createRevision) return;
    try {
      await fetchEgoV3(this.etcd, this.s.egoKey, master.value, signal);
      this.got({ value: master.value, created: master.createRevision });
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `ego_conf: ${(e as Error).message}` });
    }
  }
}

/** Read the ego_conf that `master` wrote, waiting for it if it has not written it yet. */
export async function fetchEgoV3(etcd: EtcdV3, key: string, master: string, signal: AbortSignal): Promise<Kv> {
  const { kv, revision } = await etcd.get(key, signal);
  if (kv && egoOwner(kv.value) === master) return kv;
  const c = childController(signal);
  let found: Kv | null = null;
  try {
    await etcd.watch(key, { startRevision: revAdd(revision, 1), signal: c.signal }, {
      onEvents: (events) => {
        const put = events.find((e) => e.type === 'PUT' && egoOwner(e.kv.value) === master);
        if (put && !found) {
          found = put.kv;
          c.abort();
        }
      },
    });
  } finally {
    c.abort();
  }
  if (!found) throw new Error('ego_conf did not arrive');
  return found;
}

/**
 * v3-election agents: the leader is the oldest key under `<name>/` (what
 * etcd's Observe computes on the server). Agents keep that set themselves
 * from one prefix watch: /v3/election/observe through the JSON gateway lost
 * leader changes for a few of 200 concurrent observers in our runs.
 */
export class V3ElectionAgent extends AgentBase {
  constructor(
    private readonly etcd: EtcdV3,
    s: ElectionSettings,
    emit: Emit,
    seed: SeedRecorder | null,
  ) {
    super(s, emit, seed);
  }

  run(signal: AbortSignal): Promise<void> {
    const prefix = electionPrefix(this.s.masterPath);
    return this.guard(signal, async () => {
      const keys = new Map<string, Kv>();
      const r = await this.etcd.range(prefix, { prefix: true, signal });
      for (const kv of r.kvs) keys.set(kv.key, kv);
      let leader = oldest(keys);
      if (leader) void this.fetch(leader, signal);
      else if (this.known) this.lostMaster();
      await this.etcd.watch(prefix, { prefix: true, startRevision: revAdd(r.revision, 1), signal }, {
        onCreated: () => this.emit('watch-created'),
        onEvents: (events) => {
          for (const e of events) {
            if (e.type === 'DELETE') keys.delete(e.kv.key);
            else if (!keys.has(e.kv.key)) keys.set(e.kv.key, e.kv);
          }
          const next = oldest(keys);
          if (next?.key === leader?.key) return;
          if (leader) this.lostMaster();
          leader = next;
          if (leader) void this.fetch(leader, signal);
        },
      });
    });
  }

  private async fetch(leader: Kv, signal: AbortSignal): Promise<void> {
    try {
      await fetchEgoV3(this.etcd, this.s.egoKey, leader.value, signal);
      this.got({ value: leader.value, created: leader.createRevision });
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `ego_conf: ${(e as Error).message}` });
    }
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
