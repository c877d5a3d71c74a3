/**
 * What the backends share: the master's campaign/hold loop, the ego_conf
 * blob, abortable sleeps and signal plumbing.
 */
import { now, sleep } from '../clock.ts';
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
}

export type Attempt =
  | { won: true; holding: Holding; revision: string }
  | { won: false; holder: string | null; revision: string };

/**
 * The master's life, shared by all backends: campaign; if won, write
 * ego_conf and hold until the claim is lost, a resign or the end; if lost,
 * wait until the master key is vacant; again.
 */
export abstract class MasterBase implements Master {
  private holding: Holding | null = null;
  private resignRequested: (() => void) | null = null;
  private startedAt = now();
  /** when this candidate last saw the master go (seed's start time of a new_master record) */
  private notifiedAt: number | null = null;

  constructor(
    protected readonly id: string,
    protected readonly emit: Emit,
    protected readonly seed: SeedRecorder | null,
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

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        this.emit('campaign');
        const a = await this.attempt(signal);
        if (signal.aborted) {
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
        this.emit('error', { message: (e as Error).message });
        await sleep(100, signal);
      }
    }
  }

  private async hold(h: Holding, revision: string, signal: AbortSignal): Promise<StepdownReason> {
    this.holding = h;
    const electedAt = now();
    this.emit('elected', { rev: revision });
    h.keeper.start();
    let reason: StepdownReason | null = null;
    const resign = new Promise<StepdownReason>((r) => (this.resignRequested = () => r('resign')));
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
    reason = await Promise.race([h.keeper.lost, resign, ended]);
    h.keeper.stop();
    this.resignRequested = null;
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
    // we no longer act as master; give the key back too if etcd can still be reached,
    // so that a standby need not wait for a lease etcd may have renewed (raft leader change)
    if (reason === 'deadline') void h.release().catch(() => {});
    return reason;
  }

  resign(): void {
    this.emit('resign-requested', { master: this.isMaster });
    this.resignRequested?.();
  }

  async release(): Promise<void> {
    const h = this.holding;
    this.holding = null;
    if (!h) return;
    h.keeper.stop();
    await h.release();
    this.emit('stepdown', { reason: 'term' });
  }
}
