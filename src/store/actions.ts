/**
 * The two seams between the benchmark and its faces (TUI, plain output):
 * what the dashboard may ask for (DashboardActions) and where its events come
 * from (EventSource). src/run/session.ts implements both; the views get
 * them as props, and the tests pass fakes that record calls.
 *
 *   const off = source.subscribe((e) => queue.push(e));   // later: off()
 *   await actions.kill();                                   // rejects with a BenchError on failure
 */
import type { BenchEvent } from '../events.ts';

export interface DashboardActions {
  /** start the configured masters on the master hosts */
  startMasters(): Promise<void>;
  /** start the configured agents on the agent hosts */
  startAgents(): Promise<void>;
  /**
   * SIGKILL the active master (one failover round). `aim`: the master the
   * operator confirmed; when another one is active by then, nothing is done
   * and the promise rejects saying so.
   */
  kill(aim?: string): Promise<void>;
  /** SIGTERM the active master: graceful release */
  term(aim?: string): Promise<void>;
  /** SIGSTOP the active master for longer than T, then SIGCONT */
  pause(aim?: string): Promise<void>;
  /** ask the active master to resign */
  resign(aim?: string): Promise<void>;
  /** run n rounds of the configured fault; stopAll() and quit() cancel the series */
  runRounds(n: number): Promise<void>;
  /** stop every worker on every host, cancelling a round in flight and a rounds series first */
  stopAll(): Promise<void>;
  /** delete the benchmark's keys */
  clean(): Promise<void>;
  /** write the results; resolves to where they are */
  exportResults(): Promise<string>;
  /** leave: cancel what is in flight, stop the workers and the embedded cluster (bounded: a few seconds) */
  quit(): Promise<void>;
}

export interface EventSource {
  /** listen to every BenchEvent from now on; returns the unsubscribe function */
  subscribe(listener: (e: BenchEvent) => void): () => void;
}

export type ActionName = keyof DashboardActions;
