/**
 * The session's actions, one at a time: each runs after the ones before it,
 * with an AbortSignal that the session's root (close()) and, unless it is
 * not stoppable, cancel() (stopAll()) abort. A cancelled action resolves with undefined and a log
 * line: being stopped is not a failure.
 *
 *   const q = new ActionQueue(root.signal, (m) => log('info', m));
 *   await q.run('3 round(s)', (signal) => runRounds(signal));   // undefined when cancelled
 *   q.cancel('stopped by the operator');
 */
import { oneLine } from '../errors.ts';
import { WaitAborted } from './wait.ts';

/** An action's signal follows the root's; cancel() aborts those in flight and queued. */
function childOf(parent: AbortSignal): AbortController {
  const c = new AbortController();
  if (parent.aborted) c.abort(parent.reason);
  else parent.addEventListener('abort', () => c.abort(parent.reason), { once: true });
  return c;
}

export class ActionQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly root: AbortSignal,
    private readonly log: (message: string) => void,
  ) {}

  /** settles when every action queued so far has settled */
  get idle(): Promise<unknown> {
    return this.queue;
  }

  /**
   * Run `fn` after the actions before it; rejects at once when the root is
   * aborted. `stoppable: false` (bringing the session up): cancel() leaves it
   * alone, only the root (close()) aborts it.
   */
  run<T>(name: string, fn: (signal: AbortSignal) => Promise<T>, o: { stoppable?: boolean } = {}): Promise<T | undefined> {
    if (this.root.aborted) return Promise.reject(new WaitAborted('stopped: the session is closed'));
    const c = childOf(this.root);
    if (o.stoppable !== false) this.inFlight.add(c);
    const run = async (): Promise<T | undefined> => {
      try {
        if (c.signal.aborted) throw new WaitAborted(`stopped: ${String(c.signal.reason)}`);
        return await fn(c.signal);
      } catch (e) {
        if (!c.signal.aborted) throw e;
        this.log(`${name}: cancelled (${oneLine(e).replace(/^stopped: /, '')})`);
        return undefined;
      } finally {
        this.inFlight.delete(c);
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Abort the actions in flight and queued. */
  cancel(reason: string): void {
    for (const c of this.inFlight) c.abort(reason);
  }
}
