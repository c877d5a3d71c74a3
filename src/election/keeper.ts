/**
 * Keeps a claim alive every R and steps down on its own when the local
 * deadline (send time of the last successful keep-alive + T) passes, even
 * when etcd cannot be reached: that bounds the dual-leader window after a
 * pause. A SIGSTOPped process wakes up with both timers overdue; the tick
 * checks the deadline before it sends anything.
 */
import { now } from '../clock.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import type { ElectionSettings, Emit, StepdownReason } from './types.ts';

export interface KeepAliveOnce {
  /**
   * one keep-alive within `budgetMs` (all attempts; each attempt has the
   * transport's keep-alive timeout): 'ok' with the TTL granted (s), or not ok
   * when etcd says the claim is gone (`reason`, default 'lease-lost')
   */
  (budgetMs: number): Promise<{ ok: true; ttl: number } | { ok: false; reason?: StepdownReason }>;
}

export class Keeper {
  private deadline: number;
  private timer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private resolveLost!: (r: StepdownReason) => void;
  /** settles with the reason once the claim is lost; never if stop() first */
  readonly lost: Promise<StepdownReason>;

  constructor(
    private readonly once: KeepAliveOnce,
    private readonly ttlMs: number,
    private readonly refreshMs: number,
    private readonly emit: Emit,
    /** send time of the request that created the claim */
    claimedAt: number,
  ) {
    this.deadline = claimedAt + ttlMs;
    this.lost = new Promise((r) => (this.resolveLost = r));
  }

  get deadlineAt(): number {
    return this.deadline;
  }

  private started = false;

  /** idempotent: v3-election starts keeping its lease before the campaign */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    this.schedule();
    this.armDeadline();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
  }

  private lose(reason: StepdownReason): void {
    if (this.stopped) return;
    this.stop();
    this.resolveLost(reason);
  }

  private armDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.checkDeadline(), Math.max(0, this.deadline - now()) + 1);
  }

  private checkDeadline(): boolean {
    if (now() >= this.deadline) {
      this.lose('deadline');
      return true;
    }
    this.armDeadline();
    return false;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.refreshMs);
  }

  private inFlight = 0;

  /**
   * One keep-alive every R on a fixed cadence, without waiting for the last
   * one's answer (as clientv3's keep-alive stream does): a slow etcd then
   * delays answers, not requests, and any answer moves the deadline.
   */
  private tick(): void {
    if (this.stopped || this.checkDeadline()) return;
    this.schedule();
    if (this.inFlight >= Math.ceil(this.ttlMs / this.refreshMs)) return;
    void this.send();
  }

  private async send(): Promise<void> {
    const sentAt = now();
    this.inFlight++;
    try {
      // no answer is worth waiting for past the deadline
      const r = await this.once(Math.max(50, this.deadline - sentAt));
      if (this.stopped) return;
      if (!r.ok) return this.lose(r.reason ?? 'lease-lost');
      // the deadline is ours, not etcd's: measured from when we asked
      this.deadline = Math.max(this.deadline, sentAt + Math.min(this.ttlMs, r.ttl * 1000));
      this.armDeadline();
      this.emit('refresh', { ttl: r.ttl, ms: Math.round((now() - sentAt) * 10) / 10 });
    } catch (e) {
      if (this.stopped) return;
      this.emit('refresh-failed', { message: (e as Error).message });
    } finally {
      this.inFlight--;
    }
  }
}

/** A Keeper for a v3 lease: one POST /v3/lease/keepalive per tick; no TTL in the reply = the lease is gone. */
export function leaseKeeper(etcd: EtcdV3, leaseId: string, s: Pick<ElectionSettings, 'ttl' | 'refresh'>, emit: Emit, grantedAt: number): Keeper {
  return new Keeper(
    async (budgetMs) => {
      const ttl = await etcd.leaseKeepAlive(leaseId, { budgetMs });
      return ttl > 0 ? { ok: true, ttl } : { ok: false };
    },
    s.ttl * 1000,
    s.refresh * 1000,
    emit,
    grantedAt,
  );
}
