/**
 * What `worker agents N` runs, whatever the agent mode: N agents with ids
 * `<prefix>-a1` .. `<prefix>-aN`, each announced with a 'start' event, run
 * until a signal aborts and then torn down within a bound.
 *
 *   const agents = createAgents('grpc', settings, { count: 10000, prefix: 'h2', emitter, seedFor, note });
 *   await agents.start(signal);   // resolves once every agent has started
 *   ...; abort(); await agents.stop();
 */
import type { Emit, SeedRecorder } from './types.ts';

export interface AgentsSpec {
  count: number;
  /** agent i (0-based) is `<prefix>-a<i+1>` */
  prefix: string;
  /** the event emitter of one agent id */
  emitter: (id: string) => Emit;
  /** the seed-layout recorder of one agent id, null without --seed-keys */
  seedFor: (id: string) => SeedRecorder | null;
  /** the process's own emitter (id = prefix): for what concerns all its agents, e.g. a moved stream */
  note: Emit;
}

export interface AgentsProcess {
  /** start every agent (resolves once all have started); they run until `signal` aborts */
  start(signal: AbortSignal): Promise<void>;
  /** after the abort: wait up to ~1 s for the agents to end, then close their connections (~1 s more at most) */
  stop(): Promise<void>;
}

export function agentId(prefix: string, i: number): string {
  return `${prefix}-a${i + 1}`;
}

/** Resolves with p, or undefined after `ms` (bounded teardown). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}

/** Let the event loop breathe every `every` agents while thousands start. */
export async function breathe(i: number, every = 200): Promise<void> {
  if (i % every === every - 1) await new Promise((r) => setImmediate(r));
}
