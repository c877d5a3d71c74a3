/**
 * Throughput of the store reducer (src/store/reduce.ts) on one failover's
 * worth of agent events, beside a trivial reducer that only copies the state
 * and counts (the floor of any immutable reducer over the same state object).
 *
 *   await reducerThroughput(10_000)
 *   // {events: 10000, reduceNsPerEvent: 1830, baselineNsPerEvent: 95, ratio: 19.3, reduceEventsPerSec: 546448}
 *
 * The reducer is another module's work in progress: when it is not there
 * (or exports no `reduce`), this returns null and the bench says so.
 */
import type { BenchEvent, WorkerEvent } from '../events.ts';

export interface ReducerResult {
  events: number;
  /** best of the timed repetitions, ns per event */
  reduceNsPerEvent: number;
  baselineNsPerEvent: number;
  /** reduce / baseline */
  ratio: number;
  reduceEventsPerSec: number;
  repetitions: number;
}

type Reduce<S> = (s: S, e: BenchEvent) => S;

/**
 * One agents process of `events / 2` agents on localhost; a SIGKILL fault of
 * m1; then every agent's `notified` and `got-master` (of m2), interleaved as
 * they arrive in a real round.
 */
export function failoverEvents(events: number): BenchEvent[] {
  const agents = Math.max(1, Math.floor(events / 2));
  const host = 'localhost';
  const pid = 4242;
  const t0 = 1_764_083_012_345;
  const out: BenchEvent[] = [
    { kind: 'worker-started', host, role: 'agent', pid, id: 'localhost', count: agents, t: t0 },
    { kind: 'worker', event: { t: t0 + 1, tc: t0 + 1, host, pid, role: 'agent', id: 'localhost', ev: 'start', count: agents, process: true } },
    { kind: 'fault', round: 1, fault: 'kill', target: 'localhost-m1', host, pid: 4000, t: t0 + 100 },
  ];
  const agentEvent = (i: number, ev: WorkerEvent['ev'], t: number, extra: Partial<WorkerEvent> = {}): BenchEvent => ({
    kind: 'worker',
    event: { t, tc: t, host, pid, role: 'agent', id: `localhost-a${i + 1}`, ev, ...extra },
  });
  for (let i = 0; i < agents && out.length - 3 < events; i++) {
    const t = t0 + 2500 + i * 0.05;
    out.push(agentEvent(i, 'notified', t));
    if (out.length - 3 < events) out.push(agentEvent(i, 'got-master', t + 3, { master: 'localhost-m2', initial: false, round: 2 }));
  }
  return out;
}

function timePass<S>(reduce: Reduce<S>, initial: () => S, events: readonly BenchEvent[]): number {
  let s = initial();
  const t0 = process.hrtime.bigint();
  for (const e of events) s = reduce(s, e);
  const ns = Number(process.hrtime.bigint() - t0);
  // keep `s` observable so the loop cannot be dropped
  if (s === undefined) throw new Error('reducer returned undefined');
  return ns;
}

/** Best-of-`repetitions` time per event, after warm-up passes (JIT). */
function best<S>(reduce: Reduce<S>, initial: () => S, events: readonly BenchEvent[], repetitions: number): number {
  for (let i = 0; i < 3; i++) timePass(reduce, initial, events);
  let min = Infinity;
  for (let i = 0; i < repetitions; i++) min = Math.min(min, timePass(reduce, initial, events));
  return min / events.length;
}

export async function reducerThroughput(events = 10_000, repetitions = 7): Promise<ReducerResult | null> {
  let mod: { reduce?: unknown };
  let state: { initialState?: unknown };
  try {
    mod = await import('../store/reduce.ts');
    state = await import('../store/state.ts');
  } catch {
    return null;
  }
  if (typeof mod.reduce !== 'function' || typeof state.initialState !== 'function') return null;
  type S = { events: number };
  const reduce = mod.reduce as Reduce<S>;
  const initial = state.initialState as () => S;
  const trivial: Reduce<S> = (s) => ({ ...s, events: s.events + 1 });
  const list = failoverEvents(events);
  // alternate, so that neither side alone gets the quieter moment of a busy machine
  const ours: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < 2; round++) {
    ours.push(best(reduce, initial, list, repetitions));
    base.push(best(trivial, initial, list, repetitions));
  }
  const reduceNs = Math.min(...ours);
  const baselineNs = Math.min(...base);
  return {
    events: list.length,
    reduceNsPerEvent: reduceNs,
    baselineNsPerEvent: baselineNs,
    ratio: reduceNs / baselineNs,
    reduceEventsPerSec: 1e9 / reduceNs,
    repetitions,
  };
}
