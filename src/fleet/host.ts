/**
 * A place where workers run: the control node itself (LocalHost) or a remote
 * host reached over SSH (SshHost). The bench only talks to this interface.
 *
 * A worker is started as `worker master ...` or `worker agents N ...` (see
 * src/worker/main.ts); its stdout carries JSON-lines WorkerEvents, its stdin
 * takes JSON-lines WorkerCommands and closing stdin stops it.
 */
import type { Role, WorkerCommand, WorkerEvent } from '../events.ts';

export type SignalName = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

export interface ClockOffset {
  /** host clock - control clock, ms; subtract from a host time to get control time */
  offsetMs: number;
  /** half the round trip of the best sample, ms */
  uncertaintyMs: number;
}

export interface WorkerSpec {
  role: Role;
  /** args after `worker`, e.g. ['master', '--endpoints', ...] */
  args: string[];
  /** id of this worker (master id, or agent id prefix) */
  id: string;
  /** run it inside this network namespace of the control node (`ip netns exec`; LocalHost only: the partition fault) */
  netns?: string;
}

export interface WorkerHandle {
  readonly host: string;
  readonly role: Role;
  readonly id: string;
  /** pid on its host */
  readonly pid: number;
  /**
   * send a signal; resolves to the control-clock time (epoch ms) right BEFORE
   * kill(2) on the host: a lower bound of the signal's effects. A stamp after
   * it is none: the sender may be preempted on its way out of the syscall (on
   * a busy host often by the very process it woke), and the stamp then lands
   * after the target has acted (agents "notified" before a SIGTERM fault).
   */
  signal(sig: SignalName): Promise<number>;
  send(cmd: WorkerCommand): void;
  /** settles when the process is gone */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

export interface HostInfo {
  nodeVersion: string | null;
}

export interface Host {
  /** as written in conf: "localhost", "root@127.0.0.2:2222" */
  readonly name: string;
  readonly transport: 'local' | 'ssh';
  /** connect, check node, deploy the worker bundle */
  connect(signal?: AbortSignal): Promise<HostInfo>;
  /** measure the clock offset (local: 0 ± 0) */
  measureClock(samples?: number): Promise<ClockOffset>;
  readonly clock: ClockOffset;
  /** start a worker; events arrive (with `tc` set) through onEvent */
  startWorker(spec: WorkerSpec, onEvent: (e: WorkerEvent) => void, onStderr?: (line: string) => void): Promise<WorkerHandle>;
  /** kill every worker this host started (and, with pids, recorded ones) */
  stopAll(): Promise<void>;
  close(): Promise<void>;
}
