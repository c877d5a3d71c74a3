/**
 * An EventSource that starts listening at once and replays what it heard to
 * its first subscriber: the console subscribes only after Ink and the views
 * are loaded (a second or so), while the session is already starting the
 * cluster and the hosts; without this, the header and hosts would miss
 * those first events.
 *
 *   const source = bufferedSource(session);   // listening from here on
 *   ... later: source.subscribe(l)             // l gets the backlog, then live events
 *   source.close();                            // stop listening to the session
 */
import type { BenchEvent } from '../events.ts';
import type { EventSource } from './actions.ts';

export interface BufferedSource extends EventSource {
  close(): void;
}

/** `max` bounds the backlog: past it, per-agent worker events are dropped first (they only add up to counts). */
export function bufferedSource(source: EventSource, max = 200_000): BufferedSource {
  let backlog: BenchEvent[] | null = [];
  const listeners = new Set<(e: BenchEvent) => void>();
  const off = source.subscribe((e) => {
    if (backlog) {
      backlog.push(e);
      if (backlog.length > max) backlog = backlog.filter((x) => !(x.kind === 'worker' && x.event.role === 'agent')).slice(-max);
    }
    for (const l of listeners) l(e);
  });
  return {
    subscribe(listener) {
      if (backlog) {
        const replay = backlog;
        backlog = null;
        for (const e of replay) listener(e);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close: off,
  };
}
