/**
 * etcd v3 through its JSON gateway (`POST /v3/...`, see ETCD-NOTES.md):
 * kv, lease, watch, election and maintenance calls, typed and decoded.
 *
 *   const c = new EtcdV3(new Transport(['http://127.0.0.1:2379']));
 *   const { id } = await c.leaseGrant(2);
 *   const won = await c.createIfAbsent('/master', 'h1-m1', id);
 */
import { EtcdError, EtcdUnavailableError } from '../errors.ts';
import { b64, b64PrefixRangeEnd, decodeKv, revAdd, unb64, type Kv, type RawKv } from './codec.ts';
import { jsonLines, Transport } from './transport.ts';

interface Header {
  revision?: string;
  member_id?: string;
  raft_term?: string;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: Kv;
  /** the key's previous version, when the watch asked for it (prevKv) */
  prevKv?: Kv;
}

export interface WatchSpec {
  key: string;
  startRevision?: string;
  prefix?: boolean;
  prevKv?: boolean;
}

export interface WatchHandlers {
  onCreated?: (revision: string) => void;
  onEvents: (events: WatchEvent[], revision: string) => void;
}

type WatchMsg = {
  result?: {
    header?: Header;
    watch_id?: string;
    created?: boolean;
    canceled?: boolean;
    compact_revision?: string;
    cancel_reason?: string;
    events?: { type?: 'PUT' | 'DELETE'; kv: RawKv; prev_kv?: RawKv }[];
  };
  error?: { message?: string; grpc_code?: number };
};

/** The watch stream's request body: one create_request per watcher, from `next[i]` when known. */
function watchBody(specs: WatchSpec[], next: (string | undefined)[]): string {
  return specs
    .map((w, i) => {
      const create: Record<string, unknown> = { key: b64(w.key) };
      if (w.prefix) create.range_end = b64PrefixRangeEnd(w.key);
      if (next[i]) create.start_revision = next[i];
      if (w.prevKv) create.prev_kv = true;
      return JSON.stringify({ create_request: create });
    })
    .join('');
}

export interface Leader {
  name: string;
  key: string;
  rev: string;
  lease: string;
}

export class EtcdV3 {
  constructor(readonly transport: Transport) {}

  async range(key: string, opts: { prefix?: boolean; signal?: AbortSignal; keysOnly?: boolean; countOnly?: boolean } = {}): Promise<{ kvs: Kv[]; revision: string; count: number }> {
    const body: Record<string, unknown> = { key: b64(key) };
    if (opts.prefix) body.range_end = b64PrefixRangeEnd(key);
    if (opts.keysOnly) body.keys_only = true;
    if (opts.countOnly) body.count_only = true;
    const r = await this.transport.json<{ header: Header; kvs?: RawKv[]; count?: string }>('/v3/kv/range', body, { signal: opts.signal });
    return { kvs: (r.kvs ?? []).map(decodeKv), revision: r.header.revision ?? '0', count: Number(r.count ?? 0) };
  }

  async get(key: string, signal?: AbortSignal): Promise<{ kv: Kv | null; revision: string }> {
    const r = await this.range(key, { signal });
    return { kv: r.kvs[0] ?? null, revision: r.revision };
  }

  async put(key: string, value: string, opts: { lease?: string; signal?: AbortSignal } = {}): Promise<string> {
    const body: Record<string, unknown> = { key: b64(key), value: b64(value) };
    if (opts.lease && opts.lease !== '0') body.lease = opts.lease;
    const r = await this.transport.json<{ header: Header }>('/v3/kv/put', body, { signal: opts.signal });
    return r.header.revision ?? '0';
  }

  async delete(key: string, opts: { prefix?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    const body: Record<string, unknown> = { key: b64(key) };
    if (opts.prefix) body.range_end = b64PrefixRangeEnd(key);
    const r = await this.transport.json<{ deleted?: string }>('/v3/kv/deleterange', body, { signal: opts.signal });
    return Number(r.deleted ?? 0);
  }

  /**
   * The election step of the v3-lease backend: put `key` (with the lease)
   * only if it does not exist. Lost -> the current holder.
   */
  async createIfAbsent(key: string, value: string, lease: string, signal?: AbortSignal): Promise<{ won: true; revision: string } | { won: false; revision: string; holder: Kv | null }> {
    const k = b64(key);
    const r = await this.transport.json<{ header: Header; succeeded?: boolean; responses?: { response_range?: { kvs?: RawKv[] } }[] }>(
      '/v3/kv/txn',
      {
        compare: [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
        success: [{ request_put: { key: k, value: b64(value), lease } }],
        failure: [{ request_range: { key: k } }],
      },
      { signal },
    );
    const revision = r.header.revision ?? '0';
    if (r.succeeded) return { won: true, revision };
    const kv = r.responses?.[0]?.response_range?.kvs?.[0];
    return { won: false, revision, holder: kv ? decodeKv(kv) : null };
  }

  /** Delete `key` only while it still carries `lease` (we hold it). */
  async deleteIfLease(key: string, lease: string, signal?: AbortSignal): Promise<boolean> {
    const k = b64(key);
    const r = await this.transport.json<{ succeeded?: boolean }>(
      '/v3/kv/txn',
      { compare: [{ key: k, target: 'LEASE', result: 'EQUAL', lease }], success: [{ request_delete_range: { key: k } }], failure: [] },
      { signal },
    );
    return r.succeeded === true;
  }

  async leaseGrant(ttlSeconds: number, signal?: AbortSignal): Promise<{ id: string; ttl: number }> {
    const r = await this.transport.json<{ ID?: string; TTL?: string; error?: string }>('/v3/lease/grant', { TTL: Math.ceil(ttlSeconds) }, { signal });
    if (!r.ID) throw new EtcdError(`lease grant returned no ID: ${JSON.stringify(r)}`, this.transport.current, '/v3/lease/grant');
    return { id: r.ID, ttl: Number(r.TTL ?? 0) };
  }

  /**
   * One keep-alive. Returns the TTL granted again, or 0 when the lease is
   * gone. Each attempt waits Liveness.keepAliveTimeoutMs (well below the
   * lease) before it moves to the next endpoint; `budgetMs` bounds them all.
   */
  async leaseKeepAlive(id: string, opts: { signal?: AbortSignal; budgetMs?: number; timeoutMs?: number } = {}): Promise<number> {
    const r = await this.transport.json<{ result?: { TTL?: string }; error?: unknown }>('/v3/lease/keepalive', { ID: id }, { timeoutMs: this.transport.liveness.keepAliveTimeoutMs, ...opts });
    if (r.error) throw new EtcdError(`keepalive: ${JSON.stringify(r.error)}`, this.transport.current, '/v3/lease/keepalive', 200, r);
    return Number(r.result?.TTL ?? 0);
  }

  async leaseRevoke(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.transport.json('/v3/lease/revoke', { ID: id }, { signal });
    } catch (e) {
      // revoking a lease that already expired is not a failure of ours
      if (e instanceof EtcdError && /not found/i.test(JSON.stringify(e.body ?? ''))) return;
      throw e;
    }
  }

  /**
   * Watch a key (or prefix) from `startRevision`. Resolves when the signal
   * aborts; rejects on errors, including a compacted start revision.
   */
  watch(key: string, opts: { startRevision?: string; prefix?: boolean; signal: AbortSignal; prevKv?: boolean }, h: WatchHandlers): Promise<void> {
    return this.watchMany([{ key, startRevision: opts.startRevision, prefix: opts.prefix, prevKv: opts.prevKv }], opts.signal, h);
  }

  /**
   * Several watchers on one stream (one connection): the gateway reads every
   * create_request in the request body. onCreated fires once all exist.
   * When the stream's member fails or stops answering, the stream re-opens on
   * the next endpoint from each watcher's next revision (the last delivered
   * event's + 1): no event lost or repeated, onCreated not fired again.
   * Resolves when the signal aborts.
   */
  async watchMany(specs: WatchSpec[], signal: AbortSignal, h: WatchHandlers): Promise<void> {
    const next = specs.map((w) => w.startRevision);
    let announced = false;
    await this.transport.stream('/v3/watch', () => ({ body: watchBody(specs, next), contentType: 'application/json', signal }), async (r) => {
      if (r.status !== 200) {
        const text = await r.body.text();
        throw new EtcdError(`watch HTTP ${r.status}: ${text.slice(0, 200)}`, r.endpoint, '/v3/watch', r.status);
      }
      // watch id -> spec: the server answers the create requests in order
      const ids = new Map<string, number>();
      try {
        for await (const msg of jsonLines<WatchMsg>(r.body)) {
          if (msg.error) throw new EtcdError(`watch: ${msg.error.message ?? JSON.stringify(msg.error)}`, r.endpoint, '/v3/watch', 200, msg);
          const res = msg.result;
          if (!res) continue;
          const rev = res.header?.revision ?? '0';
          if (res.compact_revision && res.compact_revision !== '0') {
            throw new EtcdError(`watch start revision compacted (compact_revision ${res.compact_revision})`, r.endpoint, '/v3/watch', 200, msg);
          }
          if (res.canceled) throw new EtcdError(`watch canceled: ${res.cancel_reason ?? ''}`, r.endpoint, '/v3/watch', 200, msg);
          const wid = res.watch_id ?? '0';
          if (res.created) {
            const i = ids.size;
            ids.set(wid, i);
            next[i] ??= revAdd(rev, 1);
            if (ids.size === specs.length && !announced) {
              announced = true;
              h.onCreated?.(rev);
            }
          }
          if (res.events?.length) {
            const events = res.events.map((e): WatchEvent => ({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv: decodeKv(e.kv), ...(e.prev_kv ? { prevKv: decodeKv(e.prev_kv) } : {}) }));
            const i = ids.get(wid);
            if (i !== undefined) next[i] = revAdd(events[events.length - 1].kv.modRevision, 1);
            h.onEvents(events, rev);
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (!signal.aborted) throw new EtcdUnavailableError('watch stream ended', r.endpoint, '/v3/watch');
    });
  }

  /**
   * Blocks until this lease's candidate key is the oldest under `name`. On a
   * failed or hung member it throws (EtcdUnavailableError, within the
   * transport's stream liveness bound) and is NOT sent again with this lease:
   * etcd resigns a campaign whose client went away, deleting `<name>/<lease
   * hex>` (clientv3 concurrency.Election.Campaign), which is the key a
   * re-sent campaign with the same lease would wait with, or win with; a hung
   * member does that whenever it wakes. Campaign again with a new lease
   * (revoke this one: etcd's late cleanup then finds no key of it, and its
   * put with the lease fails).
   */
  async campaign(name: string, lease: string, value: string, signal: AbortSignal): Promise<Leader> {
    const body = JSON.stringify({ name: b64(name), lease, value: b64(value) });
    return this.transport.streamOnce('/v3/election/campaign', { body, contentType: 'application/json', signal }, async (r) => {
      const text = await r.body.text();
      if (!text && r.status === 200) throw new EtcdUnavailableError('campaign reply ended early', r.endpoint, '/v3/election/campaign');
      const parsed = JSON.parse(text || '{}') as { leader?: { name: string; key: string; rev: string; lease: string }; error?: string; message?: string };
      if (r.status !== 200 || !parsed.leader) throw new EtcdError(`campaign HTTP ${r.status}: ${parsed.message ?? parsed.error ?? text.slice(0, 200)}`, r.endpoint, '/v3/election/campaign', r.status, parsed);
      const l = parsed.leader;
      return { name: unb64(l.name), key: unb64(l.key), rev: l.rev, lease: l.lease };
    });
  }

  async resign(leader: Leader, signal?: AbortSignal): Promise<void> {
    await this.transport.json('/v3/election/resign', { leader: { name: b64(leader.name), key: b64(leader.key), rev: leader.rev, lease: leader.lease } }, { signal });
  }

  /** Current leader kv, or null ("election: no leader"). */
  async leader(name: string, signal?: AbortSignal): Promise<Kv | null> {
    try {
      const r = await this.transport.json<{ kv?: RawKv }>('/v3/election/leader', { name: b64(name) }, { signal });
      return r.kv ? decodeKv(r.kv) : null;
    } catch (e) {
      if (e instanceof EtcdError && /no leader/.test(e.message)) return null;
      throw e;
    }
  }

  /** Stream of leaders as each one appears (again after a re-open on another member); ends when the signal aborts. */
  async observe(name: string, signal: AbortSignal, onLeader: (kv: Kv) => void): Promise<void> {
    const body = JSON.stringify({ name: b64(name) });
    await this.transport.stream('/v3/election/observe', () => ({ body, contentType: 'application/json', signal }), async (r) => {
      if (r.status !== 200) throw new EtcdError(`observe HTTP ${r.status}: ${(await r.body.text()).slice(0, 200)}`, r.endpoint, '/v3/election/observe', r.status);
      try {
        for await (const msg of jsonLines<{ result?: { kv?: RawKv }; error?: { message?: string } }>(r.body)) {
          if (msg.error) throw new EtcdError(`observe: ${msg.error.message ?? JSON.stringify(msg.error)}`, r.endpoint, '/v3/election/observe', 200, msg);
          if (msg.result?.kv) onLeader(decodeKv(msg.result.kv));
        }
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (!signal.aborted) throw new EtcdUnavailableError('observe stream ended', r.endpoint, '/v3/election/observe');
    });
  }

  /** Status of the endpoint the transport is on: raft leader and this member's id. */
  async status(signal?: AbortSignal): Promise<{ memberId: string; leader: string; revision: string; raftTerm: string }> {
    const r = await this.transport.json<{ header: Header; leader?: string; raftTerm?: string }>('/v3/maintenance/status', {}, { signal, timeoutMs: 1500 });
    return { memberId: r.header.member_id ?? '', leader: r.leader ?? '', revision: r.header.revision ?? '0', raftTerm: r.raftTerm ?? r.header.raft_term ?? '' };
  }
}
