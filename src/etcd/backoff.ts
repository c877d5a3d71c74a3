/**
 * Retry pacing for etcd clients: exponential backoff with full jitter (each
 * wait is uniform in [0, min(cap, base * 2^n)]), as gRPC's connection backoff
 * and etcd's clientv3 retry do, so that many clients that failed together do
 * not come back together.
 *
 *   const b = new Backoff(100, 2000);   // waits ~U(0,100), U(0,200), ... U(0,2000) ms
 *   await b.wait(signal); ... b.reset() once a call succeeded
 */
import { sleep } from '../clock.ts';

export class Backoff {
  private n = 0;

  constructor(
    /** first ceiling, ms */
    readonly baseMs = 100,
    /** largest ceiling, ms */
    readonly capMs = 2000,
  ) {}

  /** failures since the last reset */
  get failures(): number {
    return this.n;
  }

  /** the next wait, ms (and count one failure) */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.n, 30));
    this.n++;
    return Math.random() * ceiling;
  }

  /** sleep the next wait; early when `signal` aborts */
  wait(signal?: AbortSignal): Promise<void> {
    return sleep(this.next(), signal);
  }

  reset(): void {
    this.n = 0;
  }
}
