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
import { childController, sleep } from './common.ts';
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
            if (e.type === 'DELETE') {
              this.lostMaster();
              // re-get at once, as the seed's agents did; the PUT below covers a vacant key
              void this.reget(signal);
            } else void this.fetch(e.kv, signal);
          }
        },
      });
    });
  }

  private async reget(signal: AbortSignal): Promise<void> {
    try {
      const { kv } = await this.etcd.get(this.s.masterPath, signal);
      if (kv) await this.fetch(kv, signal);
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `re-get: ${(e as Error).message}` });
    }
  }

  private async fetch(master: Kv, signal: AbortSignal): Promise<void> {
    if (this.known && this.known.created === master.createRevision) return;
    try {
      await fetchEgoV3(this.etcd, this.s.egoKey, master.createRevision, signal);
      this.got({ value: master.value, created: master.createRevision });
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `ego_conf: ${(e as Error).message}` });
    }
  }
}

/** Read ego_conf no older than `minRevision`, waiting for it if the master has not written it yet. */
export async function fetchEgoV3(etcd: EtcdV3, key: string, minRevision: string, signal: AbortSignal): Promise<Kv> {
  const { kv } = await etcd.get(key, signal);
  if (kv && revCmp(kv.modRevision, minRevision) >= 0) return kv;
  const c = childController(signal);
  let found: Kv | null = null;
  try {
    await etcd.watch(key, { startRevision: minRevision, signal: c.signal }, {
      onEvents: (events) => {
        const put = events.find((e) => e.type === 'PUT');
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

/** v3-election agents: observe the election; each new leader -> re-get ego_conf. */
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
    return this.guard(signal, async () => {
      let first = true;
      await this.etcd.observe(this.s.masterPath, signal, (kv) => {
        if (first) this.emit('watch-created');
        first = false;
        if (this.known?.created === kv.createRevision) return;
        if (this.known) this.notified();
        void fetchEgoV3(this.etcd, this.s.egoKey, kv.createRevision, signal)
          .then(() => this.got({ value: kv.value, created: kv.createRevision }))
          .catch((e: Error) => !signal.aborted && this.emit('error', { message: `ego_conf: ${e.message}` }));
      });
    });
  }
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
          if (isVacatingAction(ev.action)) {
            this.lostMaster();
            // re-get; a vacant key is picked up by the next create event
            ({ node } = await this.etcd.get(this.s.masterPath, { signal }));
            if (node) await this.fetch(node, signal);
          } else await this.fetch(ev.node, signal);
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
    await fetchEgoV2(this.etcd, this.s.egoKey, master.createdIndex, signal);
    this.got({ value: master.value ?? '', created });
  }
}

export async function fetchEgoV2(etcd: EtcdV2, key: string, minIndex: number, signal: AbortSignal): Promise<V2Node> {
  for (;;) {
    const { node } = await etcd.get(key, { signal });
    if (node && node.modifiedIndex >= minIndex) return node;
    try {
      const ev = await etcd.wait(key, minIndex, signal);
      if (ev.node.modifiedIndex >= minIndex && ev.node.value !== undefined) return ev.node;
    } catch (e) {
      if (!(e instanceof EtcdV2Error && e.code === V2_EVENT_INDEX_CLEARED)) throw e;
    }
  }
}
