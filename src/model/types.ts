/**
 * The run model's data: what the control node knows about a run, built only
 * by folding BenchEvents (./run-model.ts). Plain records; the model keeps
 * them in maps and hands out snapshots (./snapshot.ts).
 *
 *   MasterRow  {id: 'local-m2', host: 'localhost', pid: 4242, state: 'master', electedAt: 1764083012345.1, ...}
 *   ProcessRow {host: 'localhost', pid: 4250, role: 'agent', id: 'local', total: 200, got: {'local-m2': 200}, ...}
 *
 * Times are control-clock epoch ms: a worker event's `tc` (or `t`), the `t`
 * of every other event.
 */
import type { BackendName, Role } from '../events.ts';

/**
 * One declaration of a master's states (the session, the rounds and the
 * dashboard read this one). 'partitioned': running but cut off from etcd (the
 * partition fault) until the link is healed; it may still speak (keep-alive
 * failures, its own stepdown), unlike a paused one.
 */
export type MasterState = 'starting' | 'candidate' | 'master' | 'paused' | 'partitioned' | 'dead';
export type HostState = 'unknown' | 'connecting' | 'deploying' | 'up' | 'unreachable';
export type ClusterState = 'unknown' | 'starting' | 'up' | 'down' | 'error';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface HeaderConfig {
  endpoints: string[];
  backend: BackendName | null;
  /** seconds */
  ttl: number | null;
  /** seconds */
  refresh: number | null;
  runId: string | null;
  masterPath: string;
}

export interface ClusterView {
  state: ClusterState;
  endpoints: string[];
  /** raft leader member name (or endpoint) */
  leader: string | null;
  /** newest etcd revision seen (cluster status or the /master watch) */
  revision: string | null;
  message: string | null;
}

export interface HostRow {
  host: string;
  roles: Role[];
  transport: 'local' | 'ssh';
  state: HostState;
  nodeVersion: string | null;
  clockOffsetMs: number | null;
  clockUncertaintyMs: number | null;
  message: string | null;
}

/** One worker process: a master, or an agents process holding `total` agents. */
export interface ProcessRow {
  host: string;
  pid: number;
  role: Role;
  id: string;
  /** agents in the process (1 for a master) */
  total: number;
  alive: boolean;
  startedAt: number;
  /** agents: agent-level `start` events seen */
  started: number;
  /** agents: `watch-created` events seen (clamped to total when read) */
  watching: number;
  /** agents: how many of its agents hold each master now (exact: an agent counts once, for its newest master) */
  got: Readonly<Record<string, number>>;
  /** agents: `error` events seen */
  errors: number;
  exit?: { code: number | null; signal: string | null };
}

export interface MasterRow {
  id: string;
  host: string;
  pid: number | null;
  state: MasterState;
  /** control time of the last state change */
  since: number;
  lastRefresh: number | null;
  /** send time of its last acknowledged keep-alive (the ack time minus the event's `ms`) */
  keepAliveSentAt: number | null;
  refreshFailing: boolean;
  reason: string | null;
  /** when it was last elected, and the revision (v2: index) its claim was made at */
  electedAt: number | null;
  electedRev: string | null;
  /** partitioned: when its link came back (it stays partitioned until it is heard from etcd again) */
  healedAt?: number | null;
  /** partitioned: when it was last heard from etcd (its word may arrive before the heal's own event) */
  heardAt?: number | null;
}

/** Who holds the master key as the control node's own watch saw it last (null value: nobody). */
export interface KeyHolder {
  value: string | null;
  rev: string;
  /** v3 lease of the holder; null: no lease (the key never expires) or unknown */
  lease: string | null;
  t: number;
}

export interface FailoverHostCount {
  /** agents on this host expected to follow the failover */
  total: number;
  /** agents that saw the old master go away */
  notified: number;
  /** expected agents that got each master after the fault (an agent counts once per master) */
  got: Readonly<Record<string, number>>;
  /** control time of the newest got-master of the new master on this host */
  lastGotAt: number | null;
  /** expected agents on this host whose process is gone */
  lost: number;
}

/** The failover in progress (or the last one, until the next fault). */
export interface FailoverView {
  round: number;
  fault: import('../events.ts').FaultKind;
  /** the old master's id (or the etcd member for etcd-leader) */
  target: string;
  host: string;
  pid: number;
  /** fault time, control clock epoch ms */
  tf: number;
  /** first candidate `notified` after tf */
  detectAt: number | null;
  newMaster: string | null;
  electedAt: number | null;
  /** when the old master stepped down */
  stepdownAt: number | null;
  /** when the fault ended (SIGCONT) */
  healedAt: number | null;
  perHost: Readonly<Record<string, FailoverHostCount>>;
  agentsTotal: number;
  /** every agent got the new master */
  completeAt: number | null;
  /** round-end arrived */
  result: import('../events.ts').RoundResult | null;
  /** when the round ended or was cancelled */
  endedAt: number | null;
  /** the operator stopped the round (`x`, quit) */
  cancelled: string | null;
  /** "SIGKILL", as the fault event named it */
  verb: string | null;
}

/** A round in flight: complete? ok? what it waits for. */
export interface RoundStatus {
  complete: boolean;
  outcome: 'failover' | 'none' | null;
  /** what the round still waits for (incomplete), or why it is not ok (complete) */
  reason: string;
  ok: boolean;
}

/** One expected agent in a round: its host, when it saw the old master go and when it got the new one (control-clock ms). */
export interface AgentTimes {
  id: string;
  host: string;
  /** first `notified` at or after the round's start; null: not seen */
  notified: number | null;
  /** first `got-master` naming the round's new master; null: not seen (or no new master) */
  got: number | null;
}

/** Something worth a line in the log, said by the model as it folds an event. */
export interface Note {
  level: LogLevel;
  /** "bench", "etcd", "watch", a host, or a worker id */
  source: string;
  text: string;
  /** counts as an error (the status line's error count) with this message */
  error?: string;
  /** the event's time */
  t: number;
  /** count the error, write no line (the 1001st agent error) */
  silent?: boolean;
}
