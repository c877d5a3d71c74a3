/**
 * One hook per event source (tapjs style): subscribes to the bench's
 * EventSource, queues events, and reduces the queue at most once per frame
 * (default 100 ms = 10 fps), however many events arrive. Unsubscribes and
 * clears its timer on unmount.
 *
 *   const { state, dispatch } = useBenchStore(source, initial, 100);
 *   dispatch({ kind: 'log', level: 'error', message: 'kill failed: ...', t: Date.now() });
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BenchEvent } from '../../src/events.ts';
import { initialState, reduceAll, type DashboardState, type EventSource } from '../../src/store/index.ts';

export function useBenchStore(source: EventSource, initial?: Partial<DashboardState>, frameMs = 100) {
  const [state, setState] = useState<DashboardState>(() => initialState(initial));
  const queue = useRef<BenchEvent[]>([]);
  const timer = useRef<NodeJS.Timeout | null>(null);
  const alive = useRef(true);

  const flush = useCallback(() => {
    timer.current = null;
    if (!alive.current || queue.current.length === 0) return;
    const batch = queue.current;
    queue.current = [];
    setState((s) => reduceAll(s, batch));
  }, []);

  const dispatch = useCallback(
    (e: BenchEvent) => {
      queue.current.push(e);
      // the first event of a frame arms the timer; the rest ride along
      timer.current ??= setTimeout(flush, frameMs);
    },
    [flush, frameMs],
  );

  useEffect(() => {
    alive.current = true;
    const off = source.subscribe(dispatch);
    return () => {
      alive.current = false;
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [source, dispatch]);

  return { state, dispatch };
}
