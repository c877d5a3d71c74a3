/**
 * Many watchers on few gRPC streams: one Watch stream per etcd member and
 * process, as every real etcd client does (Go clientv3, jetcd, the etcd3 npm
 * package). A watcher names the member it starts on (agents spread as i mod M);
 * the member's stream carries the create requests of all its watchers, each
 * with a client-chosen watch_id (etcd >= 3.4), and routes replies by it.
 *
 *   const hub = new WatchHub(['http://127.0.0.1:2379', ...], { onNote: console.log });
 *   const w = hub.watch(1, { key: '/master', startRevision: '43' }, target);
 *   hub.cancel(w);
 *
 * A stream that breaks (member down, reset, GOAWAY, keepalive timeout, or no
 * reply to STALL_TICKS progress requests in a row, ~STALL_MS: a member that
 * accepts the connection but never answers) hands all its watchers to the next member that is not marked
 * down, where each is created again from its next revision (last event's
 * mod_revision + 1, as clientv3 resumes), so no event is lost or repeated. A
 * watcher etcd cancels (compact_revision: history before its next revision
 * is gone; or any other cancel) is dropped and its target told to read again.
 * Notes about breaks go to `onNote`, once per stream, not once per watcher:
 *
 *   watch stream on http://127.0.0.1:22379 broke (14 UNAVAILABLE: Connection dropped); 6668 watchers move to http://127.0.0.1:32379
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { b64PrefixRangeEnd, revAdd } from '../codec.ts';
import type { WatchEvent } from '../v3.ts';
import { GrpcMember, KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, PROGRESS_EVERY_MS } from './member.ts';
import { eventOf, PROGRESS_WATCH_ID, type WatchRequest, type WatchResponse } from './protos.ts';

/** no reply at all (progress replies come every PROGRESS_EVERY_MS) for about this long: the stream is dead */
export const STALL_MS = KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS + 500;
/**
 * The rule counts progress requests sent without any reply since, not wall
 * time: a process too busy to read (GC, a fan-out to 10,000 agents, CPU
 * starvation) finds its timers due before it reads the replies waiting in the
 * socket (Node runs timers before I/O), and must not give every stream up at
 * once; between two requests the event loop reads what came.
 */
export const STALL_TICKS = Math.ceil(STALL_MS / PROGRESS_EVERY_MS);
/** a member whose stream broke is not chosen again for this long */
export const DOWN_MS = 1000;

export interface WatchTarget {
  /** etcd created the watcher (again after a move) */
  onCreated(): void;
  /** this watcher's events, in revision order */
  onEvents(events: WatchEvent[]): void;
  /** etcd canceled the watcher (`compacted` when its next revision is compacted): it is gone; read again */
  onCanceled(reason: string, compacted: boolean): void;
}

export interface WatchSpec {
  key: string;
  prefix?: boolean;
  /** the first revision to deliver (a read's revision + 1) */
  startRevision: string;
}

/** A watcher on the hub. Only the hub changes its fields. */
export class HubWatcher {
  /** the stream it is on (null while it moves, or once gone) */
  stream: MemberStream | null = null;
  canceled = false;
  constructor(
    readonly id: number,
    readonly key: string,
    readonly prefix: boolean,
    /** the next revision it has not seen: where a re-creation starts */
    public nextRev: string,
    readonly target: WatchTarget,
  ) {}

  createRequest(): WatchRequest {
    const key = Buffer.from(this.key);
    const range_end = this.prefix ? Buffer.from(b64PrefixRangeEnd(this.key), 'base64') : undefined;
    return { create_request: { key, range_end, start_revision: this.nextRev, watch_id: this.id } };
  }
}

/** The one Watch stream on one member, opened on demand. */
class MemberStream {
  private call: ClientDuplexStream<WatchRequest, WatchResponse> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** progress requests sent since the last reply */
  private unanswered = 0;
  /** watchers by watch_id as the replies carry it (a decimal string) */
  readonly watchers = new Map<string, HubWatcher>();
  downUntil = 0;

  constructor(
    private readonly hub: WatchHub,
    readonly member: GrpcMember,
  ) {}

  get open(): boolean {
    return this.call !== null;
  }

  add(w: HubWatcher): void {
    if (w.canceled) return;
    w.stream = this;
    this.watchers.set(String(w.id), w);
    if (this.call) this.call.write(w.createRequest());
    else this.start();
  }

  remove(w: HubWatcher): void {
    w.stream = null;
    if (this.watchers.delete(String(w.id)) && this.call) this.call.write({ cancel_request: { watch_id: w.id } });
  }

  private start(): void {
    const call = this.member.watch();
    this.call = call;
    this.unanswered = 0;
    call.on('data', (r: WatchResponse) => {
      if (this.call === call) this.reply(r);
    });
    // grpc-js's message reads "14 UNAVAILABLE: Connection dropped"
    call.on('error', (e: Error) => this.broken(call, e.message));
    call.on('end', () => this.broken(call, 'stream ended'));
    for (const w of this.watchers.values()) call.write(w.createRequest());
    this.timer = setInterval(() => this.tick(call), PROGRESS_EVERY_MS);
  }

  /** liveness: a progress request keeps replies (and etcd's ping policy) coming; silence breaks the stream */
  private tick(call: ClientDuplexStream<WatchRequest, WatchResponse>): void {
    if (++this.unanswered > STALL_TICKS) this.broken(call, `no reply to ${STALL_TICKS} progress requests`);
    else call.write({ progress_request: {} });
  }

  private reply(r: WatchResponse): void {
    this.unanswered = 0;
    const id = r.watch_id ?? '0';
    if (id === PROGRESS_WATCH_ID) return;
    const w = this.watchers.get(id);
    if (!w) return; // a reply to a cancel of ours, or a watcher that moved on
    if (r.events?.length) {
      const events = r.events.map(eventOf);
      w.nextRev = revAdd(events[events.length - 1].kv.modRevision, 1);
      w.target.onEvents(events);
    }
    if (r.created && !r.canceled) w.target.onCreated();
    const compacted = r.compact_revision !== undefined && r.compact_revision !== '0';
    if (r.canceled || compacted) {
      this.watchers.delete(id);
      w.stream = null;
      w.canceled = true;
      const reason = compacted ? `watch from revision ${w.nextRev} compacted (compact_revision ${r.compact_revision})` : `watch canceled: ${r.cancel_reason ?? ''}`;
      w.target.onCanceled(reason, compacted);
    }
  }

  /** the stream is gone: its watchers move to another member */
  private broken(call: ClientDuplexStream<WatchRequest, WatchResponse>, why: string): void {
    if (this.call !== call) return;
    this.close();
    this.downUntil = Date.now() + DOWN_MS;
    const moving = [...this.watchers.values()];
    this.watchers.clear();
    this.hub.rehome(this, moving, why);
  }

  close(): void {
    const call = this.call;
    this.call = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    call?.cancel();
  }
}

export class WatchHub {
  private readonly streams: MemberStream[];
  private nextId = 1;
  private closed = false;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    readonly endpoints: string[],
    private readonly opts: { onNote?: (message: string) => void } = {},
  ) {
    this.streams = endpoints.map((e) => new MemberStream(this, new GrpcMember(e)));
  }

  /** the member channel agent `i` reads through (unary calls share its connection) */
  member(i: number): GrpcMember {
    return this.streams[i % this.streams.length].member;
  }

  /** index of the member a watcher is on now (-1 when canceled) */
  memberOf(w: HubWatcher): number {
    return w.stream ? this.streams.indexOf(w.stream) : -1;
  }

  /** streams open now, one per member at most */
  openStreams(): number {
    return this.streams.filter((s) => s.open).length;
  }

  /** Watch `spec` on the stream of member `i mod M`. */
  watch(i: number, spec: WatchSpec, target: WatchTarget): HubWatcher {
    const w = new HubWatcher(this.nextId++, spec.key, spec.prefix ?? false, spec.startRevision, target);
    if (!this.closed) this.streams[i % this.streams.length].add(w);
    return w;
  }

  cancel(w: HubWatcher): void {
    w.canceled = true;
    w.stream?.remove(w);
  }

  /** Move the watchers of a broken stream to the next member not marked down (or wait for one). */
  rehome(from: MemberStream, watchers: HubWatcher[], why: string): void {
    if (this.closed || watchers.length === 0) return;
    const k = this.streams.indexOf(from);
    const now = Date.now();
    let to: MemberStream | null = null;
    for (let d = 1; d <= this.streams.length && !to; d++) {
      const s = this.streams[(k + d) % this.streams.length];
      if (s.downUntil <= now) to = s;
    }
    this.opts.onNote?.(`watch stream on ${from.member.endpoint} broke (${why}); ${watchers.length} watchers move to ${to ? to.member.endpoint : 'the first member back up'}`);
    if (to) {
      for (const w of watchers) to.add(w);
      return;
    }
    // every member is marked down: try again once the first mark runs out
    const first = this.streams.reduce((a, b) => (b.downUntil < a.downUntil ? b : a));
    const t = setTimeout(() => {
      this.retries.delete(t);
      if (!this.closed) for (const w of watchers) first.add(w);
    }, first.downUntil - now);
    this.retries.add(t);
  }

  close(): void {
    this.closed = true;
    for (const t of this.retries) clearTimeout(t);
    for (const s of this.streams) {
      s.close();
      s.member.close();
    }
  }
}
