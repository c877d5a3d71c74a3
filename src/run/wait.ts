/**
 * Waiting on the run model: a condition over the model, checked after every
 * event, with a deadline and an AbortSignal. A wait that times out or is
 * aborted rejects with a one-line reason; it never resolves as if the
 * condition held.
 *
 *   await waits.until(() => mastersSettled(model), { timeoutMs: 12_000, signal, what: () => 'no master was elected' });
 *   // timed out -> WaitTimeout "timed out after 12 s: no master was elected"
 *   // aborted   -> WaitAborted "stopped: session closing"
 */
import { BenchError } from '../errors.ts';

/** A wait ran past its deadline; the message says what it waited for. */
export class WaitTimeout extends BenchError {}

/** A wait was cut short by its signal (stop, quit, close): not a failure of the benchmark. */
export class WaitAborted extends BenchError {}

export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return typeof r === 'string' ? r : 'aborted';
}

interface Waiter {
  pred: () => boolean;
  done: () => void;
}

export interface UntilOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** what is still missing, in words, for the timeout's message */
  what: () => string;
  /** fail at once when this returns a reason (e.g. the key is held by something else) */
  failWhen?: () => string | null;
}

export class Waiters {
  private set = new Set<Waiter>();

  /** re-check every waiting condition (after each event) */
  check(): void {
    for (const w of this.set) if (w.pred()) w.done();
  }

  until(pred: () => boolean, o: UntilOptions): Promise<void> {
    if (o.signal.aborted) return Promise.reject(new WaitAborted(`stopped: ${abortReason(o.signal)}`));
    const fail0 = o.failWhen?.();
    if (fail0) return Promise.reject(new BenchError(fail0));
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        o.signal.removeEventListener('abort', onAbort);
        this.set.delete(w);
        if (err) reject(err);
        else resolve();
      };
      const w: Waiter = {
        pred: () => {
          const f = o.failWhen?.();
          if (f) {
            finish(new BenchError(f));
            return false;
          }
          return pred();
        },
        done: () => finish(),
      };
      const onAbort = () => finish(new WaitAborted(`stopped: ${abortReason(o.signal)}`));
      const timer = setTimeout(() => finish(new WaitTimeout(`timed out after ${Math.round(o.timeoutMs / 100) / 10} s: ${o.what()}`)), o.timeoutMs);
      o.signal.addEventListener('abort', onAbort, { once: true });
      this.set.add(w);
    });
  }
}
