/**
 * `grpc` agent mode: the agents of one process share one gRPC Watch stream
 * per etcd member (src/etcd/grpc/watch-hub.ts), as every real etcd client
 * does; agent i reads through member i mod M and puts its two watchers (the
 * master range, ego_conf) on that member's stream. The rules are the own
 * mode's (V3Follower in agent.ts); only the transport differs:
 *
 *   - a read (one KV.Txn of two ranges: one call, one revision) at the
 *     start, then both watchers from just after it: as own mode's first read;
 *   - a stream that breaks moves its watchers to another member, each
 *     resuming from its next revision: nothing is missed, nothing re-read;
 *   - a watcher etcd cancels (compacted past its next revision) -> the agent
 *     drops its other watcher, reads both again, and is judged again (issue
 *     9: a master that looks unchanged after the read may have a new ego_conf).
 *
 *   worker agents 10000 --endpoints http://10.0.0.1:2379,... --agent-mode grpc
 *
 * Why @grpc/grpc-js + @grpc/proto-loader and not the etcd3 package (which
 * uses them too): measured on one etcd 3.4 member with one stream, heap per
 * watcher was ~0.15-0.2 KB with grpc-js (a Map entry and our object) against
 * ~2.3 KB with etcd3 (a Watcher EventEmitter and its builder per watch), RSS
 * 1.7 vs 3.5 KB at 20,000 watchers, and one PUT reached 20,000 watchers in
 * 1.2 s against 1.9 s. An agent has two watchers, so etcd3 alone would exceed
 * the 3 KB per agent budget; it also picks members by itself, where we need
 * agent i on member i mod M and control over where a broken stream's
 * watchers go and from which revision.
 *
 * Measured (3 loopback members, 1 KiB ego_conf, VmRSS ~10 s after the last
 * watcher is in place, minus an idle worker's; etcd: the 3 members' live Go
 * heap after a GC): 10,000 grpc agents cost ~2.7-3.7 KB of RSS each (live V8
 * heap ~1.1 KB) and ~1.1 KB in etcd; 2,000 own agents ~55-66 KB each and
 * ~44 KB in etcd. V8's start-up garbage of 10,000 agents would otherwise keep
 * the heap at ~150 MB (~13 KB per agent): hence optimize-for-size below, which
 * costs start-up time (~6 -> ~9 s for 10,000 agents on an idle machine).
 */
import v8 from 'node:v8';
import { revAdd } from '../etcd/codec.ts';
import type { WatchEvent } from '../etcd/v3.ts';
import { WatchHub, type HubWatcher, type WatchTarget } from '../etcd/grpc/watch-hub.ts';
import { sleep } from './common.ts';
import { masterViews, V3Follower } from './agent.ts';
import { agentId, breathe, within, type AgentsProcess, type AgentsSpec } from './agents-process.ts';
import type { ElectionSettings } from './types.ts';

/** agents whose first reads are in flight at once, so 10,000 agents do not send 10,000 Txns together */
const START_BATCH = 50;

/** One agent: its follower, the member it reads through, its two watchers on the hub. */
class GrpcAgent implements WatchTarget {
  private watchers: HubWatcher[] = [];
  private created = 0;

  constructor(
    private readonly hub: WatchHub,
    private member: number,
    private readonly f: V3Follower,
    private readonly signal: AbortSignal,
  ) {}

  /** Read the master range and ego_conf (one Txn), judge, watch both from just after it; retry on the next member. */
  async read(): Promise<void> {
    const { f } = this;
    const { view } = f;
    while (!this.signal.aborted) {
      const m = this.hub.member(this.member);
      try {
        const { ranges, revision } = await m.rangeAll([{ key: view.key, prefix: view.prefix }, { key: f.s.egoKey }]);
        if (this.signal.aborted) return;
        f.resync({ master: ranges[0], ego: ranges[1][0] ?? null });
        this.created = 0;
        const from = revAdd(revision, 1);
        this.watchers = [
          this.hub.watch(this.member, { key: view.key, prefix: view.prefix, startRevision: from }, this),
          this.hub.watch(this.member, { key: f.s.egoKey, startRevision: from }, this),
        ];
        return;
      } catch (e) {
        if (this.signal.aborted) return;
        f.emit('error', { message: (e as Error).message });
        this.member++;
        await sleep(200 + Math.random() * 300, this.signal);
      }
    }
  }

  onCreated(): void {
    // once per read, not again when a moved stream re-creates the watchers
    if (++this.created === 2) this.f.emit('watch-created');
  }

  onEvents(events: WatchEvent[]): void {
    this.f.onEvents(events);
  }

  onCanceled(reason: string, compacted: boolean): void {
    // read again through the member the stream is on now
    const here = this.watchers.map((w) => this.hub.memberOf(w)).find((i) => i >= 0);
    if (here !== undefined) this.member = here;
    for (const w of this.watchers) this.hub.cancel(w);
    this.watchers = [];
    void this.reread(reason, compacted);
  }

  private async reread(reason: string, compacted: boolean): Promise<void> {
    // a compaction is the normal way to lose a watcher's history: read at once, no error;
    // any other cancel (etcd refused the watch) is an error, and not retried in a tight loop
    if (!compacted) {
      this.f.emit('error', { message: reason });
      await sleep(200 + Math.random() * 300, this.signal);
    }
    await this.read();
  }
}

export function grpcAgents(s: ElectionSettings, spec: AgentsSpec): AgentsProcess {
  // V8 otherwise grows the heap to ~150 MB on the start-up garbage of 10,000
  // agents and keeps it: ~13 KB of RSS per agent instead of ~3 (see above)
  v8.setFlagsFromString('--optimize-for-size');
  const hub = new WatchHub(s.endpoints, { onNote: (message) => spec.note('error', { message }) });
  const view = masterViews(s);
  const reads: Promise<void>[] = [];
  return {
    async start(signal) {
      let batch: Promise<void>[] = [];
      for (let i = 0; i < spec.count && !signal.aborted; i++) {
        const id = agentId(spec.prefix, i);
        const emit = spec.emitter(id);
        const agent = new GrpcAgent(hub, i, new V3Follower(view(), s, emit, spec.seedFor(id)), signal);
        emit('start');
        batch.push(agent.read());
        if (batch.length === START_BATCH) {
          // bounded: with etcd down, reads retry until the stop, and start() must still return
          await within(Promise.all(batch), 2000);
          batch = [];
        }
        await breathe(i);
      }
      reads.push(...batch);
    },
    async stop() {
      await within(Promise.all(reads), 1000);
      hub.close();
    },
  };
}
