/**
 * The run marker: which live run uses an election key. Two runs on the same
 * endpoints and master path would take each other's key mid-round (issue 9.5),
 * so a run puts a marker beside the key, on a lease its session keeps alive,
 * and refuses to start while another run's marker is there. The marker goes
 * with its run: revoked at close, or expired within MARKER_TTL_S of a crash;
 * a marker of this machine whose process is gone is stale at once.
 * Always in the v3 keyspace (etcd 3.4 serves v2 and v3), whatever the backend.
 *
 *   /eeb-runs/master = {"runId":"20261129-231250-778d","pid":17500,"host":"ctl-1","started":"2026-11-29T23:12:50.778Z"}  lease 10 s
 *
 * `clean` deletes the benchmark's keys, never a marker (src/election/keys.ts
 * does not touch /eeb-runs/), and refuses while another live run holds one.
 */
import { hostname } from 'node:os';
import { ConfigError, oneLine } from '../errors.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import type { Kv } from '../etcd/codec.ts';

/** seconds a crashed run's marker outlives it (on another machine: here its dead pid frees it at once) */
export const MARKER_TTL_S = 10;
const KEEP_ALIVE_MS = 3000;

export interface MarkerInfo {
  runId: string;
  pid: number;
  host: string;
  /** ISO time the run started */
  started: string;
}

/** `/eeb-runs<masterPath>`: outside the election key and its prefix, one per master path. */
export function markerKey(masterPath: string): string {
  return `/eeb-runs${masterPath}`;
}

/** "run 20261129-231250-778d (pid 17500 on ctl-1, started 2026-11-29T23:12:50.778Z)" */
export function describeRun(m: MarkerInfo): string {
  return `run ${m.runId} (pid ${m.pid} on ${m.host}, started ${m.started})`;
}

function parse(kv: Kv): MarkerInfo | null {
  try {
    const o = JSON.parse(kv.value) as Partial<MarkerInfo>;
    return typeof o.runId === 'string' ? { runId: o.runId, pid: Number(o.pid), host: String(o.host), started: String(o.started) } : null;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** a marker of this machine whose process is gone (its run crashed): no need to wait for its lease */
function stale(m: MarkerInfo | null): boolean {
  return m !== null && m.host === hostname() && !pidAlive(m.pid);
}

/**
 * The live run using `masterPath`, if any (a stale marker of this machine is
 * deleted on the way). For `clean` and for acquire().
 */
export async function liveRun(v3: EtcdV3, masterPath: string, signal?: AbortSignal): Promise<{ info: MarkerInfo | null; kv: Kv } | null> {
  const { kv } = await v3.get(markerKey(masterPath), signal);
  if (!kv) return null;
  const info = parse(kv);
  if (stale(info)) {
    await v3.deleteIfLease(kv.key, kv.lease, signal);
    return null;
  }
  return { info, kv };
}

function refusal(masterPath: string, holder: { info: MarkerInfo | null; kv: Kv }): ConfigError {
  const who = holder.info ? describeRun(holder.info) : `a run marked ${JSON.stringify(holder.kv.value)}`;
  return new ConfigError(`another ${who} is using the election key ${masterPath} on these endpoints: wait for it to end, or use another --master-path`);
}

export class RunMarker {
  private timer: NodeJS.Timeout | null = null;
  private released = false;
  /** Date.now() of the last keep-alive etcd answered (an outage fault makes a few fail: said once, when the marker may be gone) */
  private lastOk = Date.now();
  private warnedUnkept = false;

  private constructor(
    private readonly v3: EtcdV3,
    private readonly masterPath: string,
    private readonly info: MarkerInfo,
    private lease: string,
    private readonly warn: (m: string) => void,
  ) {}

  /**
   * Put this run's marker for `masterPath`, kept alive until release() or
   * until `signal` aborts (the session closing). Throws a ConfigError
   * (exit 2) naming the other run when one holds it.
   */
  static async acquire(v3: EtcdV3, masterPath: string, info: MarkerInfo, warn: (m: string) => void, signal?: AbortSignal): Promise<RunMarker> {
    for (let attempt = 0; ; attempt++) {
      const lease = await v3.leaseGrant(MARKER_TTL_S, signal);
      const r = await v3.createIfAbsent(markerKey(masterPath), JSON.stringify(info), lease.id, signal);
      if (r.won) {
        const marker = new RunMarker(v3, masterPath, info, lease.id, warn).keepAlive();
        if (signal?.aborted) await marker.release();
        else signal?.addEventListener('abort', () => void marker.release(), { once: true });
        return marker;
      }
      await v3.leaseRevoke(lease.id).catch(() => {});
      const holder = await liveRun(v3, masterPath, signal);
      // a stale marker was just removed (or the holder ended meanwhile): try once more
      if (holder === null && attempt === 0) continue;
      throw refusal(masterPath, holder ?? { info: null, kv: r.holder! });
    }
  }

  private keepAlive(): this {
    this.timer = setInterval(() => void this.tick(), KEEP_ALIVE_MS);
    this.timer.unref();
    return this;
  }

  /** one keep-alive; a marker whose lease ran out (a long etcd outage) is put back when nobody took it meanwhile */
  private async tick(): Promise<void> {
    try {
      const ttl = await this.v3.leaseKeepAlive(this.lease);
      this.lastOk = Date.now();
      this.warnedUnkept = false;
      if (ttl > 0 || this.released) return;
      const lease = await this.v3.leaseGrant(MARKER_TTL_S);
      const r = await this.v3.createIfAbsent(markerKey(this.masterPath), JSON.stringify(this.info), lease.id);
      if (this.released) return void (await this.v3.leaseRevoke(lease.id).catch(() => {}));
      if (r.won) this.lease = lease.id;
      else {
        await this.v3.leaseRevoke(lease.id).catch(() => {});
        this.warn(`the run marker ${markerKey(this.masterPath)} expired and is now held by ${JSON.stringify(r.holder?.value ?? '?')}: another run may use ${this.masterPath}`);
      }
    } catch (e) {
      // etcd unreachable for now: the next tick tries again (the lease is 10 s, ticks every 3); said once the marker may have run out
      if (this.released || this.warnedUnkept || Date.now() - this.lastOk < MARKER_TTL_S * 1000) return;
      this.warnedUnkept = true;
      this.warn(`the run marker ${markerKey(this.masterPath)} was not kept alive for ${MARKER_TTL_S} s (${oneLine(e)}): another run could start on ${this.masterPath} meanwhile`);
    }
  }

  /** Stop the keep-alive and revoke the lease (the marker goes at once); bounded, never throws. */
  async release(timeoutMs = 2000): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    const signal = AbortSignal.timeout(timeoutMs);
    await this.v3.leaseRevoke(this.lease, signal).catch(() => {});
  }
}
