/**
 * The session's event bus: every BenchEvent goes through publish(), and every
 * subscriber sees every event from the start of the session, whenever it
 * subscribes (the backlog is replayed first). So a warning published while the
 * session opens reaches the `run` printer and the console alike.
 *
 *   const bus = new EventBus();
 *   bus.publish({ kind: 'log', level: 'warn', message: 'ttl = 1: etcd raises lease TTLs below 2 s', t });
 *   bus.subscribe((e) => printer.push(e));   // gets the warning, then what follows
 *
 * The backlog is bounded: past `max` events, per-agent worker events (which
 * only add up to counts) are dropped first, then the oldest.
 */
import type { BenchEvent } from '../events.ts';
import type { EventSource } from '../store/actions.ts';

export class EventBus implements EventSource {
  private backlog: BenchEvent[] = [];
  private listeners = new Set<(e: BenchEvent) => void>();

  constructor(private readonly max = 200_000) {}

  publish(e: BenchEvent): void {
    this.backlog.push(e);
    if (this.backlog.length > this.max) this.trim();
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's fault is not the session's */
      }
    }
  }

  /** listen to every event: the ones published so far (replayed at once), then the new ones */
  subscribe(listener: (e: BenchEvent) => void): () => void {
    for (const e of this.backlog.slice()) {
      try {
        listener(e);
      } catch {
        /* as in publish */
      }
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private trim(): void {
    const kept = this.backlog.filter((x) => !(x.kind === 'worker' && x.event.role === 'agent'));
    this.backlog = kept.length > this.max / 2 ? kept.slice(kept.length - Math.floor(this.max / 2)) : kept;
  }
}
