/**
 * HTTP to a set of etcd endpoints with failover and liveness. Each client
 * starts on an endpoint of its own (`startAt`, spreading clients over the
 * members) and stays there until it fails: refused, reset, a 5xx, or no
 * answer in time; then it moves to the next endpoint (skipping members the
 * health monitor holds down) and retries there. A hung member thus costs a
 * call one bounded timeout:
 *
 *   unary call     no reply in `timeoutMs` (per attempt; `budgetMs` bounds all attempts)
 *   keep-alive     the same with Liveness.keepAliveTimeoutMs, well below the lease
 *   stream         (watch, v2 wait, observe) no timeout of its own; the member's
 *                  status probes (health.ts) abort it when the member stops answering,
 *                  and `stream()` re-runs it on the next endpoint
 *   streamOnce     (campaign) the same, but never sent twice: once the request may
 *                  have reached a member, a failure is thrown, not re-run elsewhere
 *
 * Every call takes an AbortSignal; aborting it ends the call with the abort
 * error, never a retry. When no endpoint answers: EtcdUnavailableError.
 */
import { request, type Dispatcher } from 'undici';
import { now } from '../clock.ts';
import { EtcdError, EtcdUnavailableError } from '../errors.ts';
import { armTimeout, livenessFor, memberHealth, type Liveness, type MemberHealth } from './health.ts';

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** some error in the cause chain of `e` has a code that passes `test` */
function hasCode(e: unknown, test: (code: string) => boolean): boolean {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: string }).code;
    if (code && test(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export function isConnectionError(e: unknown): boolean {
  return hasCode(e, (c) => CONNECTION_ERRORS.has(c));
}

/** the connection was refused: the request never reached the member */
const isRefused = (e: unknown): boolean => hasCode(e, (c) => c === 'ECONNREFUSED');

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted ?? false) || (e as { name?: string })?.name === 'AbortError';
}

export interface SendOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  /** per attempt (one endpoint) of a unary call, ms; default the transport's timeoutMs */
  timeoutMs?: number;
  /** all attempts of a unary call together, ms; default no bound beyond the attempts' */
  budgetMs?: number;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  endpoint: string;
}

export interface TransportOptions extends Partial<Liveness> {
  /** the process-wide monitor unless given (tests pass their own) */
  health?: MemberHealth;
}

export class Transport {
  private index = 0;
  /** Liveness.keepAliveTimeoutMs and the probe settings this transport's streams are judged by */
  readonly liveness: Liveness;
  private readonly health: MemberHealth;

  constructor(
    readonly endpoints: string[],
    readonly dispatcher?: Dispatcher,
    /** per attempt of a unary call, ms */
    readonly timeoutMs = 5000,
    /** long-lived requests (watch, wait, campaign) go here when given: an agent's own connection */
    readonly streamDispatcher?: Dispatcher,
    opts: TransportOptions = {},
  ) {
    if (endpoints.length === 0) throw new EtcdUnavailableError('no endpoints given', '-', '-');
    const { health, ...liveness } = opts;
    this.liveness = { ...livenessFor(2).liveness, ...liveness };
    this.health = health ?? memberHealth;
  }

  get current(): string {
    return this.endpoints[this.index % this.endpoints.length];
  }

  /** Start on another endpoint (spreads many clients over the members). */
  startAt(i: number): this {
    this.index = ((i % this.endpoints.length) + this.endpoints.length) % this.endpoints.length;
    return this;
  }

  /** the current endpoint, or the next one the health monitor does not hold down */
  private pick(): string {
    const n = this.endpoints.length;
    for (let k = 0; k < n; k++) {
      const i = (this.index + k) % n;
      if (!this.health.isDown(this.endpoints[i])) {
        this.index = i;
        break;
      }
    }
    return this.current;
  }

  /** `endpoint` failed: move on, unless a concurrent call already did */
  private moveOn(endpoint: string): void {
    if (this.current === endpoint) this.index = (this.index + 1) % this.endpoints.length;
  }

  /** One unary exchange with failover: `consume` reads the reply within the same per-attempt timeout. */
  call<T>(path: string, opts: SendOptions, consume: (r: Reply) => Promise<T>): Promise<T> {
    return this.exchange(path, () => opts, consume, false);
  }

  /**
   * A long-lived request: `consume` reads the reply for as long as it lasts,
   * under the member's liveness probes. A connection error, a 5xx, a member
   * that stops answering, or an EtcdUnavailableError thrown by `consume`
   * (e.g. a stream that ended early) run it again on the next endpoint with
   * the options `opts()` gives then (a watch resumes from its next revision).
   * After every endpoint failed in a row without a 200 reply:
   * EtcdUnavailableError.
   */
  stream<T>(path: string, opts: () => SendOptions, consume: (r: Reply) => Promise<T>): Promise<T> {
    return this.exchange(path, opts, consume, true);
  }

  /**
   * A long-lived request that must not be sent twice: as stream(), on one
   * member, but once the request may have reached it (anything but a refused
   * connection) a failure moves the transport on for the next call and is
   * thrown (EtcdUnavailableError), not re-run. For etcd's election Campaign:
   * a campaign whose client went away is resigned by etcd, which deletes its
   * candidate key `<name>/<lease hex>`, the very key a re-sent campaign with
   * the same lease waits with (clientv3 concurrency.Election.Campaign); a
   * hung member does that when it wakes, possibly long after.
   */
  streamOnce<T>(path: string, opts: SendOptions, consume: (r: Reply) => Promise<T>): Promise<T> {
    return this.exchange(path, () => opts, consume, true, false);
  }

  private async exchange<T>(path: string, mk: () => SendOptions, consume: (r: Reply) => Promise<T>, stream: boolean, resend = true): Promise<T> {
    const first = mk();
    const budgetEnd = first.budgetMs !== undefined ? now() + first.budgetMs : Infinity;
    const n = this.endpoints.length;
    let failures = 0;
    let lastError: unknown;
    while (failures < n) {
      const opts = failures === 0 && lastError === undefined ? first : mk();
      const remaining = budgetEnd - now();
      if (remaining <= 0) break;
      const endpoint = this.pick();
      const r = await this.attempt(endpoint, path, opts, consume, stream ? null : Math.min(opts.timeoutMs ?? this.timeoutMs, remaining), failures === n - 1);
      if (r.ok) return r.value;
      lastError = r.error;
      this.moveOn(endpoint);
      if (!resend && !isRefused(r.error)) throw asUnavailable(r.error, endpoint, path);
      failures = r.replied ? 0 : failures + 1;
    }
    const msg = lastError instanceof Error ? lastError.message : lastError === undefined ? `no time left of ${first.budgetMs} ms` : String(lastError);
    throw new EtcdUnavailableError(`no endpoint answered (${msg})`, this.endpoints.join(','), path, undefined, undefined, { cause: lastError });
  }

  /**
   * One request to one endpoint. Resolves { ok: false } for what another
   * endpoint may do better; throws what it would not (the caller's abort, a
   * 4xx, a bad reply). `replied`: a stream got its 200 before it failed.
   */
  private async attempt<T>(
    endpoint: string,
    path: string,
    opts: SendOptions,
    consume: (r: Reply) => Promise<T>,
    timeoutMs: number | null,
    last: boolean,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown; replied: boolean }> {
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('aborted', 'AbortError');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: Error | null = null;
    const fail = (e: Error) => {
      if (failure) return;
      failure = e;
      ac.abort(e);
    };
    const stop =
      timeoutMs === null
        ? this.health.track(endpoint, this.liveness, fail)
        : armTimeout(timeoutMs, () => fail(new EtcdUnavailableError(`no reply within ${Math.round(timeoutMs)} ms`, endpoint, path)));
    let replied = false;
    try {
      const res = await request(endpoint + path, {
        method: opts.method ?? 'POST',
        body: opts.body,
        headers: opts.contentType ? { 'content-type': opts.contentType } : undefined,
        signal: ac.signal,
        dispatcher: timeoutMs === null && this.streamDispatcher ? this.streamDispatcher : this.dispatcher,
        // ours govern: undici's own timers are coarse above 1 s
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      if (res.statusCode >= 500 && !last) {
        const text = await res.body.text();
        return { ok: false, error: new EtcdError(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`, endpoint, path, res.statusCode), replied };
      }
      replied = timeoutMs === null && res.statusCode === 200;
      return { ok: true, value: await consume({ status: res.statusCode, headers: res.headers, body: res.body, endpoint }) };
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      const why = failure ?? e;
      if (why instanceof EtcdUnavailableError || isConnectionError(why)) return { ok: false, error: why, replied };
      if (why instanceof EtcdError) throw why;
      throw new EtcdError((e as Error).message, endpoint, path, undefined, undefined, { cause: e });
    } finally {
      stop();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** POST JSON, parse JSON; non-2xx -> EtcdError with the reply. */
  json<T>(path: string, body: unknown, opts: SendOptions = {}): Promise<T> {
    return this.call(path, { ...opts, body: JSON.stringify(body), contentType: 'application/json' }, async (r) => {
      const text = await r.body.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        throw new EtcdError(`HTTP ${r.status}: not JSON: ${text.slice(0, 200)}`, r.endpoint, path, r.status);
      }
      if (r.status < 200 || r.status >= 300) {
        const m = (parsed as { error?: string; message?: string }).message ?? (parsed as { error?: string }).error ?? text.slice(0, 200);
        throw new EtcdError(`HTTP ${r.status}: ${m}`, r.endpoint, path, r.status, parsed);
      }
      return parsed as T;
    });
  }
}

function asUnavailable(e: unknown, endpoint: string, path: string): EtcdError {
  if (e instanceof EtcdError) return e;
  return new EtcdUnavailableError(e instanceof Error ? e.message : String(e), endpoint, path, undefined, undefined, { cause: e });
}

/**
 * A Transport for the clients of an election with lease/TTL `ttlSeconds`:
 * the timeouts of livenessFor(T), starting on endpoint `start`.
 */
export function electionTransport(endpoints: string[], ttlSeconds: number, o: { dispatcher?: Dispatcher; streamDispatcher?: Dispatcher; start?: number; health?: MemberHealth } = {}): Transport {
  const { timeoutMs, liveness } = livenessFor(ttlSeconds);
  return new Transport(endpoints, o.dispatcher, timeoutMs, o.streamDispatcher, { ...liveness, health: o.health }).startAt(o.start ?? 0);
}

/** Where a client named `id` starts: ids "<prefix><k>" (h1-m1, h1-m2 ...) go round the endpoints from a point set by the prefix. */
export function spreadIndex(id: string, endpoints: number): number {
  const m = /^(.*?)(\d+)$/.exec(id);
  const prefix = m ? m[1] : id;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), 0x01000193) >>> 0;
  return (h + (m ? Number(m[2]) : 0)) % Math.max(1, endpoints);
}

/** Split a streamed body into parsed JSON lines. */
export async function* jsonLines<T>(body: AsyncIterable<Buffer | string>): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of body) {
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as T;
}
