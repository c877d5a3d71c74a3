/**
 * etcd v2 keys API (the seed's protocol; needs `--enable-v2=true`, gone in
 * etcd 3.6): form-encoded PUTs, GET with wait/waitIndex, typed error codes.
 *
 *   PUT /v2/keys/master?prevExist=false  value=h1&ttl=2
 *     -> 201 {"action":"create","node":{"key":"/master","value":"h1","ttl":2,"modifiedIndex":8,"createdIndex":8}}
 *     -> 412 {"errorCode":105,"message":"Key already exists","index":9}
 */
import { EtcdError, EtcdUnavailableError } from '../errors.ts';
import { Transport, type Reply } from './transport.ts';

export interface V2Node {
  key: string;
  value?: string;
  dir?: boolean;
  ttl?: number;
  expiration?: string;
  modifiedIndex: number;
  createdIndex: number;
  nodes?: V2Node[];
}

export interface V2Event {
  action: string;
  node: V2Node;
  prevNode?: V2Node;
}

export interface V2ErrorBody {
  errorCode: number;
  message: string;
  cause?: string;
  index: number;
}

/** v2 actions after which the key is gone */
const VACATING = new Set(['expire', 'delete', 'compareAndDelete']);

export function isVacatingAction(action: string): boolean {
  return VACATING.has(action);
}

export const V2_KEY_NOT_FOUND = 100;
export const V2_COMPARE_FAILED = 101;
export const V2_NODE_EXIST = 105;
export const V2_EVENT_INDEX_CLEARED = 401;

/** An etcd v2 error reply (errorCode), e.g. 105 key exists, 401 index cleared. */
export class EtcdV2Error extends EtcdError {
  constructor(
    readonly reply: V2ErrorBody,
    endpoint: string,
    call: string,
    status: number,
  ) {
    super(`v2 error ${reply.errorCode}: ${reply.message}${reply.cause ? ` (${reply.cause})` : ''}`, endpoint, call, status, reply);
  }
  get code(): number {
    return this.reply.errorCode;
  }
}

function form(fields: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}

function keyPath(key: string): string {
  return '/v2/keys' + key.split('/').map(encodeURIComponent).join('/');
}

export class EtcdV2 {
  constructor(readonly transport: Transport) {}

  private async call(
    method: 'GET' | 'PUT' | 'DELETE',
    key: string,
    query: Record<string, string | number | boolean | undefined>,
    body: Record<string, string | number | boolean | undefined> | null,
    opts: { signal?: AbortSignal; stream?: boolean; timeoutMs?: number; budgetMs?: number } = {},
  ): Promise<{ reply: V2Event; etcdIndex: number }> {
    const qs = form(query);
    const path = keyPath(key) + (qs ? `?${qs}` : '');
    const send = {
      method,
      body: body ? form(body) : undefined,
      contentType: body ? 'application/x-www-form-urlencoded' : undefined,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      budgetMs: opts.budgetMs,
    };
    const read = async (r: Reply) => {
      const text = await r.body.text();
      // a wait cut short (member stopped, connection closed) says nothing: wait again elsewhere
      if (!text && opts.stream && !opts.signal?.aborted) throw new EtcdUnavailableError('wait ended without an event', r.endpoint, path);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new EtcdError(`HTTP ${r.status}: not JSON: ${text.slice(0, 200)}`, r.endpoint, path, r.status);
      }
      if (typeof (parsed as V2ErrorBody).errorCode === 'number') throw new EtcdV2Error(parsed as V2ErrorBody, r.endpoint, path, r.status);
      if (r.status >= 300) throw new EtcdError(`HTTP ${r.status}: ${text.slice(0, 200)}`, r.endpoint, path, r.status);
      const idx = Number(r.headers['x-etcd-index'] ?? 0);
      return { reply: parsed as V2Event, etcdIndex: idx };
    };
    return opts.stream ? this.transport.stream(path, () => send, read) : this.transport.call(path, send, read);
  }

  /** prevExist=false create with a TTL: the seed's campaign. */
  async create(key: string, value: string, ttl: number, signal?: AbortSignal): Promise<{ created: true; node: V2Node } | { created: false; index: number }> {
    try {
      const { reply } = await this.call('PUT', key, { prevExist: false }, { value, ttl }, { signal });
      return { created: true, node: reply.node };
    } catch (e) {
      if (e instanceof EtcdV2Error && e.code === V2_NODE_EXIST) return { created: false, index: e.reply.index };
      throw e;
    }
  }

  /**
   * refresh=true keep-alive: moves the index, fires no watch. prevValue makes
   * it ours only. Each attempt waits Liveness.keepAliveTimeoutMs; `budgetMs`
   * bounds them all.
   */
  async refresh(key: string, ttl: number, prevValue?: string, opts: { signal?: AbortSignal; budgetMs?: number } = {}): Promise<V2Node> {
    const { reply } = await this.call('PUT', key, { refresh: true, prevExist: true, ttl, prevValue }, null, { ...opts, timeoutMs: this.transport.liveness.keepAliveTimeoutMs });
    return reply.node;
  }

  async set(key: string, value: string, opts: { ttl?: number; signal?: AbortSignal } = {}): Promise<V2Node> {
    const { reply } = await this.call('PUT', key, {}, { value, ttl: opts.ttl }, { signal: opts.signal });
    return reply.node;
  }

  /** The node, or null when the key does not exist; etcdIndex from X-Etcd-Index. */
  async get(key: string, opts: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<{ node: V2Node | null; etcdIndex: number }> {
    try {
      const { reply, etcdIndex } = await this.call('GET', key, { recursive: opts.recursive || undefined }, null, { signal: opts.signal });
      return { node: reply.node, etcdIndex };
    } catch (e) {
      if (e instanceof EtcdV2Error && e.code === V2_KEY_NOT_FOUND) return { node: null, etcdIndex: e.reply.index };
      throw e;
    }
  }

  /**
   * Wait for the next event on key at or after waitIndex (one event, then the
   * request ends). A member that fails or stops answering meanwhile: the same
   * wait again on the next endpoint.
   */
  async wait(key: string, waitIndex: number, signal: AbortSignal, recursive = false): Promise<V2Event> {
    const { reply } = await this.call('GET', key, { wait: true, waitIndex, recursive: recursive || undefined }, null, { signal, stream: true });
    return reply;
  }

  async delete(key: string, opts: { prevValue?: string; recursive?: boolean; dir?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      await this.call('DELETE', key, { prevValue: opts.prevValue, recursive: opts.recursive || undefined, dir: opts.dir || undefined }, null, { signal: opts.signal });
      return true;
    } catch (e) {
      if (e instanceof EtcdV2Error && (e.code === V2_KEY_NOT_FOUND || e.code === V2_COMPARE_FAILED)) return false;
      throw e;
    }
  }
}
