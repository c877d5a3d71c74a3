/**
 * etcd v3 through its JSON gateway (`POST /v3/...`, see ETCD-NOTES.md):
 * kv, lease, watch, election and maintenance calls, typed and decoded.
 *
 *   const c = new EtcdV3(new Transport(['http://127.0.0.1:2379']));
 *   const { id } = await c.leaseGrant(2);
 *   const won = await c.createIfAbsent('/master', 'h1-m1', id);
 */
import { EtcdError } from '../errors.ts';
import { b64, b64PrefixRangeEnd, decodeKv, unb64, type Kv, type RawKv } from './codec.ts';
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

  /** One keep-alive. Returns the TTL granted again, or 0 when the lease is gone. */
  async leaseKeepAlive(id: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<number> {
    const r = await this.transport.json<{ result?: { TTL?: string }; error?: unknown }>('/v3/lease/keepalive', { ID: id }, opts);
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
   * Watch a key (or prefix) from `startRevision`. Resolves when the stream
   * ends (signal aborted, or the server closed it); rejects on errors,
   * including a compacted start revision.
   */
  watch(key: string, opts: { startRevision?: string; prefix?: boolean; signal: AbortSignal; prevKv?: boolean }, h: WatchHandlers): Promise<void> {
    return this.watchMany([{ key, startRevision: opts.startRevision, prefix: opts.prefix, prevKv: opts.prevKv }], opts.signal, h);
  }

  /**
   * Several watchers on one stream (one connection): the gateway reads every
   * create_request in the request body. onCreated fires once all exist.
   */
  async watchMany(specs: WatchSpec[], signal: AbortSignal, h: WatchHandlers): Promise<void> {
    const body = specs
      .map((w) => {
        const create: Record<string, unknown> = { key: b64(w.key) };
        if (w.prefix) create.range_end = b64PrefixRangeEnd(w.key);
        if (w.startRevision) create.start_revision = w.startRevision;
        if (w.prevKv) create.prev_kv = true;
        return JSON.stringify({ create_request: create });
      })
      .join('');
    const r = await this.transport.send('/v3/watch', { body, contentType: 'application/json', signal, stream: true });
    if (r.status !== 200) {
      const text = await r.body.text();
      throw new EtcdError(`watch HTTP ${r.status}: ${text.slice(0, 200)}`, r.endpoint, '/v3/watch', r.status);
    }
    type Msg = {
      result?: { header?: Header; created?: boolean; canceled?: boolean; compact_revision?: string; cancel_reason?: string; events?: { type?: 'PUT' | 'DELETE'; kv: RawKv; prev_kv?: RawKv }[] };
      error?: { message?: string; grpc_code?: number };
    };
    let created = 0;
    try {
      for await (const msg of jsonLines<Msg>(r.body)) {
        if (msg.error) throw new EtcdError(`watch: ${msg.error.message ?? JSON.stringify(msg.error)}`, r.endpoint, '/v3/watch', 200, msg);
        const res = msg.result;
        if (!res) continue;
        const rev = res.header?.revision ?? '0';
        if (res.compact_revision && res.compact_revision !== '0') {
          throw new EtcdError(`watch start revision compacted (compact_revision ${res.compact_revision})`, r.endpoint, '/v3/watch', 200, msg);
        }
        if (res.canceled) throw new EtcdError(`watch canceled: ${res.cancel_reason ?? ''}`, r.endpoint, '/v3/watch', 200, msg);
        if (res.created && ++created === specs.length) h.onCreated?.(rev);
        if (res.events?.length) {
          h.onEvents(
            res.events.map((e) => ({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv: decodeKv(e.kv), ...(e.prev_kv ? { prevKv: decodeKv(e.prev_kv) } : {}) })),
            rev,
          );
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
  }

  /** Blocks until this lease's candidate key is the oldest under `name`. */
  async campaign(name: string, lease: string, value: string, signal: AbortSignal): Promise<Leader> {
    const r = await this.transport.send('/v3/election/campaign', {
      body: JSON.stringify({ name: b64(name), lease, value: b64(value) }),
      contentType: 'application/json',
      signal,
      stream: true,
    });
    const text = await r.body.text();
    const parsed = JSON.parse(text || '{}') as { leader?: { name: string; key: string; rev: string; lease: string }; error?: string; message?: string };
    if (r.status !== 200 || !parsed.leader) throw new EtcdError(`campaign HTTP ${r.status}: ${parsed.message ?? parsed.error ?? text.slice(0, 200)}`, r.endpoint, '/v3/election/campaign', r.status, parsed);
    const l = parsed.leader;
    return { name: unb64(l.name), key: unb64(l.key), rev: l.rev, lease: l.lease };
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

  /** Stream of leaders as each one appears; ends when the signal aborts. */
  async observe(name: string, signal: AbortSignal, onLeader: (kv: Kv) => void): Promise<void> {
    const r = await this.transport.send('/v3/election/observe', {
      body: JSON.stringify({ name: b64(name) }),
      contentType: 'application/json',
      signal,
      stream: true,
    });
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
  }

  /** Status of the endpoint the transport is on: raft leader and this member's id. */
  async status(signal?: AbortSignal): Promise<{ memberId: string; leader: string; revision: string; raftTerm: string }> {
    const r = await this.transport.json<{ header: Header; leader?: string; raftTerm?: string }>('/v3/maintenance/status', {}, { signal, timeoutMs: 1500 });
    return { memberId: r.header.member_id ?? '', leader: r.leader ?? '', revision: r.header.revision ?? '0', raftTerm: r.raftTerm ?? r.header.raft_term ?? '' };
  }
}
