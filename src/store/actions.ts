/**
 * The two seams between the benchmark and its faces (TUI, plain output):
 * what the dashboard may ask for (DashboardActions) and where its events come
 * from (EventSource). src/bench/session.ts implements both; the views get
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
  /** SIGKILL the active master (one failover round) */
  kill(): Promise<void>;
  /** SIGTERM the active master: graceful release */
  term(): Promise<void>;
  /** SIGSTOP the active master for longer than T, then SIGCONT */
  pause(): Promise<void>;
  /** ask the active master to resign */
  resign(): Promise<void>;
  /** run n rounds of the configured fault */
  runRounds(n: number): Promise<void>;
  /** stop every worker on every host */
  stopAll(): Promise<void>;
  /** delete the benchmark's keys */
  clean(): Promise<void>;
  /** write the results; resolves to where they are */
  exportResults(): Promise<string>;
  /** leave: stop the workers first, or leave them running */
  quit(stopWorkers: boolean): Promise<void>;
}

export interface EventSource {
  /** listen to every BenchEvent from now on; returns the unsubscribe function */
  subscribe(listener: (e: BenchEvent) => void): () => void;
}

export type ActionName = keyof DashboardActions;
