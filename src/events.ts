/**
 * The event vocabulary shared by workers, fleet, bench, store and views.
 *
 * A worker prints one JSON object per line on stdout, e.g.
 *   {"t":1764083012345.127,"host":"local","pid":4242,"role":"master","id":"local-m1","ev":"elected","rev":"17"}
 * `t` is the worker host's wall clock in ms (sub-ms fraction). The fleet adds
 * `tc`: the same instant on the control node's clock (t - clock offset).
 */

export type Role = 'master' | 'agent';

export type WorkerEventName =
  | 'start' // process/agent started
  | 'campaign' // a master tries to take the key
  | 'elected' // it holds the key
  | 'ego-written' // the elected master wrote ego_conf
  | 'lost' // campaign lost; `master` is the holder
  | 'watch-created' // the watch on the master key is in place
  | 'refresh' // keep-alive succeeded
  | 'refresh-failed' // keep-alive failed (etcd unreachable, ...)
  | 'stepdown' // a master stopped being master; `reason`
  | 'notified' // a candidate/agent saw the master go away (or a new one come)
  | 'got-master' // an agent has read the master and ego_conf; `master`
  | 'resign-requested' // a master received the resign command
  | 'pong' // answer to a clock ping; `seq`
  | 'signal-sent' // `worker signal` stamped right after kill(2)
  | 'error'
  | 'exit';

export interface WorkerEvent {
  t: number;
  host: string;
  pid: number;
  role: Role;
  id: string;
  ev: WorkerEventName;
  /** control-node time, added by the fleet */
  tc?: number;
  master?: string;
  rev?: string;
  reason?: string;
  message?: string;
  seq?: number;
  /** agents: count of agents in the process (on 'start' of the process) */
  count?: number;
  [extra: string]: unknown;
}

/** Commands a worker reads on stdin, one JSON object per line. Closing stdin stops the worker. */
export type WorkerCommand =
  | { cmd: 'ping'; seq: number }
  | { cmd: 'resign' }
  | { cmd: 'skew'; ms: number } // test only: shift this worker's clock
  | { cmd: 'stop' };

export type FaultKind = 'kill' | 'term' | 'pause' | 'resign' | 'etcd-leader';
export const FAULTS: readonly FaultKind[] = ['kill', 'term', 'pause', 'resign', 'etcd-leader'];

export type BackendName = 'v3-lease' | 'v2-ttl' | 'v3-election';
export const BACKENDS: readonly BackendName[] = ['v3-lease', 'v2-ttl', 'v3-election'];

/** {n, min, mean, p50, p95, p99, max}; all null when n = 0 */
export interface Distribution {
  n: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** One round of the JSON contract (DESIGN §6). */
export interface RoundResult {
  round: number;
  fault: FaultKind;
  /** Unix epoch ms, control node clock */
  faultAt: number;
  oldMaster: string | null;
  newMaster: string | null;
  failoverMs: number | null;
  detectMs: number | null;
  electionMs: number | null;
  dualLeaderMs: number | null;
  agents: { count: number; notified: number; notifyMs: Distribution; regetMs: Distribution };
  /** etcd-leader only: the surviving master's first successful keep-alive after the fault */
  recoveryMs?: number | null;
  ok: boolean;
  error?: string;
}

export interface RunSummary {
  failoverMs: Distribution;
  detectMs: Distribution;
  electionMs: Distribution;
  dualLeaderMs: Distribution;
  agentNotifyMs: Distribution;
  agentRegetMs: Distribution;
  agentGetMs: Distribution;
}

export interface HostReport {
  host: string;
  roles: Role[];
  transport: 'local' | 'ssh';
  nodeVersion: string | null;
  clockOffsetMs: number;
  clockUncertaintyMs: number;
}

/** One line of the `/master` watch tail, seen by the control node. */
export interface MasterWatchLine {
  type: 'PUT' | 'DELETE';
  value: string | null;
  rev: string;
  /** control node time when it arrived */
  t: number;
}

/**
 * Everything the store reduces: worker events (from the fleet) and events of
 * the control node (bench orchestrator, cluster, watch tail).
 */
export type BenchEvent =
  | { kind: 'worker'; event: WorkerEvent }
  | { kind: 'cluster'; state: 'starting' | 'up' | 'down' | 'error'; endpoints: string[]; leader?: string | null; revision?: string | null; message?: string; t: number }
  | { kind: 'config'; endpoints: string[]; backend: BackendName; ttl: number; refresh: number; runId: string; masterPath: string; t: number }
  | { kind: 'host'; host: string; roles: Role[]; transport: 'local' | 'ssh'; state: 'connecting' | 'up' | 'unreachable' | 'deploying'; nodeVersion?: string | null; clockOffsetMs?: number; clockUncertaintyMs?: number; message?: string; t: number }
  | { kind: 'worker-started'; host: string; role: Role; pid: number; id: string; count: number; t: number }
  | { kind: 'worker-exited'; host: string; role: Role; pid: number; id: string; code: number | null; signal: string | null; t: number }
  | { kind: 'watch'; line: MasterWatchLine }
  | { kind: 'round-start'; round: number; fault: FaultKind; t: number }
  | { kind: 'fault'; round: number; fault: FaultKind; target: string; host: string; pid: number; t: number }
  /** summary: the run so far, with exact per-agent distributions over every round */
  | { kind: 'round-end'; result: RoundResult; summary?: RunSummary; t: number }
  | { kind: 'progress'; step: string; done: number; total: number; t: number }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string; t: number };
