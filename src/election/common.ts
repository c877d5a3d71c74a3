/**
 * What the backends share: the master's campaign/hold loop, the ego_conf
 * blob, abortable sleeps and signal plumbing.
 */
import { now, sleep } from '../clock.ts';
import { Backoff } from '../etcd/backoff.ts';
export { sleep };
import type { Keeper } from './keeper.ts';
import type { Emit, Master, SeedRecorder, StepdownReason } from './types.ts';

/** A signal that aborts when the parent does or when abort() is called. */
export function childController(parent: AbortSignal): AbortController {
  const c = new AbortController();
  if (parent.aborted) c.abort();
  else parent.addEventListener('abort', () => c.abort(), { once: true });
  return c;
}

/** Resolves when the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

/** The config blob the elected master publishes: its id, then padding to `size` bytes. */
export function egoBlob(masterId: string, size: number): string {
  const head = `master=${masterId}\nwritten=${Date.now()}\n`;
  return size <= head.length ? head : head + 'x'.repeat(size - head.length);
}

/** Which master wrote this ego_conf blob (its first line), or null. */
export function egoOwner(blob: string): string | null {
  const m = /^master=(.*)$/m.exec(blob.slice(0, 300));
  return m ? m[1] : null;
}

export const secs = (ms: number): string => (ms / 1000).toFixed(3);

export interface Holding {
  keeper: Keeper;
  /** release the claim (delete key / revoke lease) */
  release(): Promise<void>;
  /** give up leadership on request, where the backend has its own call for it */
  resign?(): Promise<void>;
  /** resolves true once the claim's key is deleted or overwritten (see own-key.ts), false when `signal` aborts */
  keyLost(signal: AbortSignal): Promise<boolean>;
}

export type Attempt =
  | { won: true; holding: Holding; revision: string }
  | { won: false; holder: string | null; revision: string };

/**
 * The first error of a run of failures is emitted, then one every `everyMs`
 * (with the count), not one per retry. A run ends at a success, or after
 * `everyMs` without a failure.
 */
class ErrorStreak {
  private failures = 0;
  private lastAt = 0;
  private lastFailureAt = 0;

  constructor(
    private readonly emit: Emit,
    private readonly everyMs = 10_000,
  ) {}

  failed(message: string): void {
    const t = now();
    if (t - this.lastFailureAt >= this.everyMs) this.failures = 0;
    this.lastFailureAt = t;
    this.failures++;
    if (this.failures > 1 && t - this.lastAt < this.everyMs) return;
    this.lastAt = t;
    this.emit('error', this.failures > 1 ? { message, failures: this.failures } : { message });
  }

  ok(): void {
    this.failures = 0;
  }
}

/**
 * The master's life, shared by all backends: campaign; if won, write
 * ego_conf and hold until the claim is lost, a resign or the end; if lost,
 * wait until the master key is vacant; again.
 */
export abstract class MasterBase implements Master {
  private holding: Holding | null = null;
  private resignRequested: (() => void) | null = null;
  /** release() was called (SIGTERM, stdin closed): never campaign again */
  private stopping = false;
  private stopRequested: (() => void) | null = null;
  private startedAt = now();
  /** when this candidate last saw the master go (seed's start time of a new_master record) */
  private notifiedAt: number | null = null;

  /** a release that failed during an outage, retried until etcd answers */
  private pendingRelease: Promise<void> | null = null;

  constructor(
    protected readonly id: string,
    protected readonly emit: Emit,
    protected readonly seed: SeedRecorder | null,
    /** the lease / TTL, ms: bounds how long a failed release is retried */
    protected readonly ttlMs = 2000,
  ) {}

  get isMaster(): boolean {
    return this.holding !== null;
  }

  /** try once to become master */
  protected abstract attempt(signal: AbortSignal): Promise<Attempt>;
  /** publish ego_conf after an election */
  protected abstract writeEgo(signal: AbortSignal): Promise<void>;
  /** wait until the master key is vacant; emit 'watch-created' once watching */
  protected abstract waitVacant(revision: string, signal: AbortSignal): Promise<void>;
  /** after our resign: wait until somebody else holds the key */
  protected abstract waitSuccessor(signal: AbortSignal): Promise<void>;

  /**
   * Campaign again and again until `signal` aborts. Failures back off with
   * full jitter, 100 ms .. 2 s (an outage costs a few retries, not ten a
   * second), and only the first error of a run is emitted.
   */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(100, 2000);
    const errors = new ErrorStreak(this.emit);
    while (!signal.aborted && !this.stopping) {
      try {
        if (this.pendingRelease) await this.pendingRelease;
        this.emit('campaign');
        const a = await this.attempt(signal);
        backoff.reset();
        errors.ok();
        if (signal.aborted || this.stopping) {
          if (a.won) await a.holding.release().catch(() => {});
          break;
        }
        if (a.won) {
          const reason = await this.hold(a.holding, a.revision, signal);
          if (reason === 'resign') await this.waitSuccessor(signal);
        } else {
          this.emit('lost', { master: a.holder, rev: a.revision });
          await this.waitVacant(a.revision, signal);
          if (!signal.aborted) {
            this.notifiedAt = now();
            this.emit('notified');
          }
        }
      } catch (e) {
        if (signal.aborted) break;
        errors.failed((e as Error).message);
        await backoff.wait(signal);
      }
    }
  }

  private async hold(h: Holding, revision: string, signal: AbortSignal): Promise<StepdownReason> {
    this.holding = h;
    const electedAt = now();
    this.emit('elected', { rev: revision });
    h.keeper.start();
    const watching = childController(signal);
    const never = new Promise<never>(() => {});
    const keyLost = h.keyLost(watching.signal).then(
      (lost): Promise<StepdownReason> => (lost ? Promise.resolve('key-lost') : never),
      () => never,
    );
    const resign = new Promise<StepdownReason>((r) => (this.resignRequested = () => r('resign')));
    // release() ends the hold before it deletes the key: our own watch must not report that as key-lost
    const released = new Promise<StepdownReason>((r) => (this.stopRequested = () => r('stop')));
    const ended = aborted(signal).then((): StepdownReason => 'stop');
    try {
      await this.writeEgo(signal);
      this.emit('ego-written', { size: 0 });
      if (this.seed) {
        const start = this.notifiedAt ?? this.startedAt;
        this.seed.newMaster(start, electedAt).catch((e: Error) => this.emit('error', { message: `seed key: ${e.message}` }));
      }
    } catch (e) {
      if (!signal.aborted) this.emit('error', { message: `ego_conf: ${(e as Error).message}` });
    }
    const reason = await Promise.race([h.keeper.lost, resign, released, ended, keyLost]);
    h.keeper.stop();
    watching.abort();
    this.resignRequested = null;
    this.stopRequested = null;
    if (reason === 'resign' || reason === 'stop') {
      // 'stop' (stdin closed / SIGTERM) releases in release(); keep the holding for it
      if (reason === 'resign') {
        this.holding = null;
        await (h.resign ?? h.release)().catch((e: Error) => this.emit('error', { message: `release: ${e.message}` }));
        this.emit('stepdown', { reason });
      }
      return reason;
    }
    this.holding = null;
    this.emit('stepdown', { reason });
    // we no longer act as master; give back what is left of the claim (the lease
    // of a lost key; a key etcd may have renewed after a raft leader change) so
    // that a standby need not wait for it to expire
    if (reason === 'deadline' || reason === 'key-lost') this.releaseLater(h, signal);
    return reason;
  }

  /**
   * Release in the background, retried (backoff 100 ms .. 1 s) while etcd
   * does not answer, for at most 3 T: past that the claim has expired anyway.
   * The next campaign waits for it.
   */
  private releaseLater(h: Holding, signal: AbortSignal): void {
    const until = now() + 3 * this.ttlMs;
    const backoff = new Backoff(100, 1000);
    const p = (async () => {
      for (;;) {
        try {
          return await h.release();
        } catch (e) {
          if (backoff.failures === 0) this.emit('error', { message: `release: ${(e as Error).message} (retrying)` });
          if (signal.aborted || now() >= until) return;
          await backoff.wait(signal);
          if (signal.aborted) return;
        }
      }
    })();
    const tracked: Promise<void> = p.finally(() => {
      if (this.pendingRelease === tracked) this.pendingRelease = null;
    });
    this.pendingRelease = tracked;
  }

  resign(): void {
    this.emit('resign-requested', { master: this.isMaster });
    this.resignRequested?.();
  }

  /** from now on never campaign again, and end a hold without a stepdown of its own (release() reports 'term') */
  protected stopCampaigning(): void {
    this.stopping = true;
    this.stopRequested?.();
  }

  async release(): Promise<void> {
    this.stopCampaigning();
    const h = this.holding;
    this.holding = null;
    if (!h) return;
    h.keeper.stop();
    await h.release();
    this.emit('stepdown', { reason: 'term' });
  }
}
