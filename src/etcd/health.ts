/**
 * Liveness of etcd members for the transport. A member that accepts
 * connections but never answers (SIGSTOP, a hung disk) must cost a client one
 * bounded timeout, not its watch forever: etcd's Go client keeps HTTP/2
 * keep-alive pings on every connection for that. Over HTTP/1.1 we probe
 * instead: while long-lived requests (watch, v2 wait, campaign) are open on a
 * member, one cheap status call goes to it every `probeIntervalMs`; no answer
 * within `probeTimeoutMs` marks it down for `quarantineMs` and aborts every
 * stream on it, which then re-opens on the next endpoint. One probe per
 * member per process, however many streams (10,000 agents cost one probe).
 *
 *   POST http://127.0.0.1:2379/v3/maintenance/status {}   every 500 ms while streams are open
 *   -> no reply in 500 ms: "member did not answer a status probe within 500 ms", its streams re-open elsewhere
 */
import { Agent, request } from 'undici';
import { now } from '../clock.ts';
import { EtcdUnavailableError } from '../errors.ts';

/** How fast a hung member is given up on (all ms). */
export interface Liveness {
  /** per keep-alive attempt: well below the lease, so that another member can still renew it */
  keepAliveTimeoutMs: number;
  /** status probe cadence while streams are open on a member */
  probeIntervalMs: number;
  /** a probe unanswered this long marks the member down */
  probeTimeoutMs: number;
  /** a member marked down is passed over this long (unless every member is) */
  quarantineMs: number;
}

/**
 * Timeouts for clients of an election with lease/TTL `ttlSeconds` (T): a hung
 * member costs a unary call max(1 s, T/2), a keep-alive max(250 ms, T/4), a
 * stream at most probe interval + probe timeout = 2 * max(250 ms, T/4);
 * for T = 2 s: 1 s, 0.5 s, 1 s, all well inside T.
 */
export function livenessFor(ttlSeconds: number): { timeoutMs: number; liveness: Liveness } {
  const t = ttlSeconds * 1000;
  const quarter = Math.max(250, t / 4);
  return {
    timeoutMs: Math.max(1000, t / 2),
    liveness: { keepAliveTimeoutMs: quarter, probeIntervalMs: quarter, probeTimeoutMs: quarter, quarantineMs: Math.max(5000, 5 * t) },
  };
}

/**
 * Calls `onExpire` once `ms` have passed, but only after the event loop has
 * polled I/O once more: on a loaded loop the timer phase runs before the poll
 * phase, and a reply already in the socket must not count as a timeout.
 * Returns the disarm function.
 */
export function armTimeout(ms: number, onExpire: () => void): () => void {
  let armed = true;
  let immediate: NodeJS.Immediate | null = null;
  const timer = setTimeout(() => {
    immediate = setImmediate(() => armed && onExpire());
  }, ms);
  return () => {
    armed = false;
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

interface Tracked {
  liveness: Liveness;
  fail: (e: Error) => void;
}

interface MemberState {
  streams: Set<Tracked>;
  timer: NodeJS.Timeout | null;
  probing: boolean;
  downUntil: number;
}

/** The probe: answered by the member itself, no raft round trip (etcd's Maintenance.Status). */
export const PROBE_PATH = '/v3/maintenance/status';

export class MemberHealth {
  private readonly members = new Map<string, MemberState>();
  private agent: Agent | null = null;

  private state(endpoint: string): MemberState {
    let m = this.members.get(endpoint);
    if (!m) this.members.set(endpoint, (m = { streams: new Set(), timer: null, probing: false, downUntil: 0 }));
    return m;
  }

  /** marked down by a failed probe, and not yet out of quarantine */
  isDown(endpoint: string): boolean {
    return (this.members.get(endpoint)?.downUntil ?? 0) > now();
  }

  /**
   * Watch a long-lived request on `endpoint`: `fail` is called (once, with an
   * EtcdUnavailableError) when the member stops answering probes. Returns the
   * function that stops watching it.
   */
  track(endpoint: string, liveness: Liveness, fail: (e: Error) => void): () => void {
    const m = this.state(endpoint);
    const t: Tracked = { liveness, fail };
    m.streams.add(t);
    if (!m.timer && !m.probing) this.schedule(endpoint, m);
    return () => {
      m.streams.delete(t);
      if (m.streams.size === 0 && m.timer) {
        clearTimeout(m.timer);
        m.timer = null;
      }
    };
  }

  private schedule(endpoint: string, m: MemberState): void {
    const interval = Math.min(...[...m.streams].map((s) => s.liveness.probeIntervalMs));
    m.timer = setTimeout(() => void this.probeOnce(endpoint, m), interval);
    m.timer.unref();
  }

  private async probeOnce(endpoint: string, m: MemberState): Promise<void> {
    m.timer = null;
    if (m.streams.size === 0) return;
    const streams = [...m.streams];
    const timeoutMs = Math.min(...streams.map((s) => s.liveness.probeTimeoutMs));
    m.probing = true;
    const alive = await this.ping(endpoint, timeoutMs);
    m.probing = false;
    if (alive) m.downUntil = 0;
    else {
      m.downUntil = now() + Math.max(...streams.map((s) => s.liveness.quarantineMs));
      const e = new EtcdUnavailableError(`member did not answer a status probe within ${timeoutMs} ms`, endpoint, PROBE_PATH);
      // streams opened while the probe was out are judged by the next probe
      for (const s of streams) if (m.streams.delete(s)) s.fail(e);
    }
    if (m.streams.size > 0) this.schedule(endpoint, m);
  }

  /** true when the member answers anything (any HTTP status) within `timeoutMs` */
  async ping(endpoint: string, timeoutMs: number): Promise<boolean> {
    // own connections: a probe must not queue behind the requests it judges
    this.agent ??= new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    const ac = new AbortController();
    const disarm = armTimeout(timeoutMs, () => ac.abort());
    try {
      const r = await request(endpoint + PROBE_PATH, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
        signal: ac.signal,
        dispatcher: this.agent,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      await r.body.dump();
      return true;
    } catch {
      return false;
    } finally {
      disarm();
    }
  }
}

/** One per process: every Transport's streams share its probes. */
export const memberHealth = new MemberHealth();
