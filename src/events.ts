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
  | 'signal-sent' // `worker signal` stamped right before kill(2)
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

export type FaultKind = 'kill' | 'term' | 'pause' | 'resign' | 'etcd-leader' | 'partition';
export const FAULTS: readonly FaultKind[] = ['kill', 'term', 'pause', 'resign', 'etcd-leader', 'partition'];

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

/**
 * What a fault does to a round, as data: the row of the fault table
 * (src/run/faults.ts) that the run model (src/model/) reads from the
 * round-start event, so a replay of events.jsonl applies the same rules.
 *
 *   kill:  {expect: 'failover', oldMasterAfter: 'dead', waitOldStepdown: false, oldMayWin: false, figures: []}
 *   pause 0.5 s at T=2 s: {expect: 'none', oldMasterAfter: 'paused', waitOldStepdown: false, ...}
 */
export interface FaultRules {
  /** the outcome this fault must produce: a new master, none (the master keeps its lease), or either */
  expect: 'failover' | 'none' | 'either';
  /** the old master's state once the fault is injected (null: unchanged); paused and partitioned last until fault-healed */
  oldMasterAfter: 'dead' | 'paused' | 'partitioned' | null;
  /** the round also waits for the old master's stepdown (or exit) after a failover */
  waitOldStepdown: boolean;
  /** the old master winning again after it stepped down counts as the new master (etcd-leader) */
  oldMayWin: boolean;
  /** extra figures the round reports */
  figures: readonly ('dualLeaderMs' | 'staleLeaderMs' | 'recoveryMs' | 'split')[];
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
  /** pause, partition: from the moment the old master could act again (SIGCONT, the link back) until its stepdown; 0 if it stepped down before */
  staleLeaderMs: number | null;
  /**
   * count: agents expected to follow (up when the run's rounds began); notified/notifyMs/regetMs: of those;
   * lost: expected agents whose process was gone at the end of the round
   */
  agents: { count: number; notified: number; lost: number; notifyMs: Distribution; regetMs: Distribution };
  /** etcd-leader only: the surviving master's first successful keep-alive after the fault */
  recoveryMs?: number | null;
  /**
   * Where a lease-expiry failover's time went (kill, pause): the old master's lease left at the
   * fault (T minus the time since its last acknowledged keep-alive was sent), etcd's expiry lag
   * (that lease deadline to the DELETE the control node's watch saw; etcd 3.4 checks expiry every
   * 500 ms), detection (the DELETE to the first candidate's notification), election (that to the
   * new master); they add up to failoverMs. A part whose order is unknown is null (see notes).
   */
  split?: { leaseRemainingMs: number | null; expiryLagMs: number | null; detectionMs: number | null; electionMs: number | null };
  /** what happened: a new master took over, or the master kept its lease (a pause shorter than T) */
  outcome: 'failover' | 'none' | null;
  /** things the figures cannot say by themselves, e.g. "detection came from a watch that lagged the campaign" */
  notes?: string[];
  /**
   * the etcd raft leader when the round started, as the control node's 1 s cluster poll last saw it
   * (embedded: the member name "m2"; external endpoints: the member id); null when unknown
   */
  raftLeader?: string | null;
  /**
   * healthy masters that lost their claim during the round: a `stepdown` with reason deadline, lease-lost
   * or key-lost by a master other than the faulted process, e.g. ["local-m2 (deadline)"]; omitted when none.
   * A round with flaps counts toward the sweep's flap rate.
   */
  flaps?: string[];
  ok: boolean;
  error?: string;
}

export interface RunSummary {
  failoverMs: Distribution;
  detectMs: Distribution;
  electionMs: Distribution;
  dualLeaderMs: Distribution;
  staleLeaderMs: Distribution;
  agentNotifyMs: Distribution;
  agentRegetMs: Distribution;
  agentGetMs: Distribution;
  /** the same per fault kind: a kill of 2014 ms and a term of 15.6 ms are not one distribution */
  byFault?: Partial<Record<FaultKind, Omit<RunSummary, 'byFault' | 'agentGetMs'>>>;
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
  /** the holder's lease (v3: the decimal string etcd gives), when known; null: no lease */
  lease?: string | null;
  /** DELETE: the value of the key that went (v3 prev_kv, v2 prevNode), when known */
  prev?: string | null;
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
  /** rules: what the fault does (from the fault table); absent in old events.jsonl files (read as kill's) */
  /** oldMaster: the master the fault is aimed at (absent: the active master) */
  | { kind: 'round-start'; round: number; fault: FaultKind; rules?: FaultRules; oldMaster?: string | null; t: number }
  /** target: the old master's id (or the etcd member for etcd-leader); verb: "SIGKILL"; t: the injection (right before the kill(2): a lower bound of its effects) */
  | { kind: 'fault'; round: number; fault: FaultKind; verb?: string; target: string; host: string; pid: number; t: number }
  /** the fault's effect ended: SIGCONT after a pause, a partition healed; the old master can act again */
  | { kind: 'fault-healed'; round: number; t: number }
  /** summary: the run so far, with exact per-agent distributions over every round */
  | { kind: 'round-end'; result: RoundResult; summary?: RunSummary; t: number }
  /** a round stopped by the operator (`x`, quit): not a result, not a failure */
  | { kind: 'round-cancelled'; round: number; reason: string; t: number }
  | { kind: 'progress'; step: string; done: number; total: number; t: number }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string; t: number };
