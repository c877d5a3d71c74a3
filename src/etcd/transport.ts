/**
 * HTTP to a set of etcd endpoints with failover: a request that cannot reach
 * the current endpoint (refused, reset, connect timeout) or gets a 5xx is
 * retried on the next one; when none answers, EtcdUnavailableError. Every
 * call takes an AbortSignal. Streams (watch, v2 wait, campaign) pass
 * `stream: true`, which turns off undici's idle timeouts (300 s by default):
 * they live until their signal aborts.
 */
import { request, type Dispatcher } from 'undici';
import { EtcdError, EtcdUnavailableError } from '../errors.ts';

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
  'UND_ERR_CLOSED',
]);

export function isConnectionError(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: string }).code;
    if (code && CONNECTION_ERRORS.has(code)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted ?? false) || (e as { name?: string })?.name === 'AbortError';
}

export interface SendOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  /** long-lived response: no idle timeouts */
  stream?: boolean;
  /** per-request timeout for unary calls, ms */
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  endpoint: string;
}

export class Transport {
  private index = 0;

  constructor(
    readonly endpoints: string[],
    readonly dispatcher?: Dispatcher,
    readonly timeoutMs = 5000,
    /** long-lived requests (watch, wait, campaign) go here when given: an agent's own connection */
    readonly streamDispatcher?: Dispatcher,
  ) {
    if (endpoints.length === 0) throw new EtcdUnavailableError('no endpoints given', '-', '-');
  }

  get current(): string {
    return this.endpoints[this.index % this.endpoints.length];
  }

  /** Start on another endpoint (spreads many clients over the members). */
  startAt(i: number): this {
    this.index = i % this.endpoints.length;
    return this;
  }

  async send(path: string, opts: SendOptions = {}): Promise<Reply> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const endpoint = this.current;
      const timeout = opts.stream ? 0 : (opts.timeoutMs ?? this.timeoutMs);
      try {
        const res = await request(endpoint + path, {
          method: opts.method ?? 'POST',
          body: opts.body,
          headers: opts.contentType ? { 'content-type': opts.contentType } : undefined,
          signal: opts.signal,
          dispatcher: opts.stream && this.streamDispatcher ? this.streamDispatcher : this.dispatcher,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        if (res.statusCode >= 500 && attempt < this.endpoints.length - 1) {
          lastError = new EtcdError(`HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`, endpoint, path, res.statusCode);
          this.index++;
          continue;
        }
        return { status: res.statusCode, headers: res.headers, body: res.body, endpoint };
      } catch (e) {
        if (isAbort(e, opts.signal)) throw e;
        if (!isConnectionError(e)) throw new EtcdError((e as Error).message, endpoint, path, undefined, undefined, { cause: e });
        lastError = e;
        this.index++;
      }
    }
    const msg = lastError instanceof Error ? lastError.message : String(lastError);
    throw new EtcdUnavailableError(`no endpoint answered (${msg})`, this.endpoints.join(','), path, undefined, undefined, { cause: lastError });
  }

  /** POST JSON, parse JSON; non-2xx -> EtcdError with the reply. */
  async json<T>(path: string, body: unknown, opts: SendOptions = {}): Promise<T> {
    const r = await this.send(path, { ...opts, body: JSON.stringify(body), contentType: 'application/json' });
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
  }
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
