/**
 * The dashboard's state: everything the TUI, the plain printer and the tests
 * read, built only by `reduce` (./reduce.ts) from BenchEvents. Plain data, no
 * classes, never mutated; memory is bounded whatever the event rate (agent
 * events are counted per process and per host, never stored one by one).
 *
 *   { config: {backend: 'v3-lease', ttl: 2, ...}, cluster: {state: 'up', leader: 'm2', ...},
 *     hosts: [{host: 'localhost', agentsUp: 200, agentsTotal: 200, ...}],
 *     masters: [{id: 'localhost-m1', state: 'master', ...}], activeMaster: 'localhost-m1',
 *     watch: [{type: 'PUT', value: 'localhost-m1', rev: '17', t}], rounds: [...], failover: {...}, log: Ring }
 */
import type { BackendName, FaultKind, MasterWatchLine, Role, RoundResult, RunSummary } from '../events.ts';
import { emptyRing, type Ring } from './ring.ts';

export type MasterState = 'starting' | 'candidate' | 'master' | 'paused' | 'dead';
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
  /** agents: how many emitted `got-master` per master id (only the newest few masters) */
  got: Readonly<Record<string, number>>;
  /** agents: `error` events seen */
  errors: number;
  exit?: { code: number | null; signal: string | null };
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

export interface MasterRow {
  id: string;
  host: string;
  pid: number | null;
  state: MasterState;
  /** control time of the last state change */
  since: number;
  lastRefresh: number | null;
  refreshFailing: boolean;
  reason: string | null;
}

export interface FailoverHostCount {
  /** agents alive on this host when the fault was injected */
  total: number;
  /** agents that saw the old master go away */
  notified: number;
  /** got-master events per master id, after the fault */
  got: Readonly<Record<string, number>>;
  /** control time of the newest got-master of the new master on this host */
  lastGotAt: number | null;
}

/** The failover in progress (or the last one, until the next fault). */
export interface FailoverView {
  round: number;
  fault: FaultKind;
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
  /** when the old master stepped down (pause) */
  stepdownAt: number | null;
  perHost: Readonly<Record<string, FailoverHostCount>>;
  agentsTotal: number;
  /** every agent got the new master */
  completeAt: number | null;
  /** round-end arrived */
  result: RoundResult | null;
}

export interface LogLine {
  /** sequence number, unique and increasing */
  seq: number;
  t: number;
  level: LogLevel;
  /** "bench", a host, or a worker id */
  source: string;
  text: string;
}

export interface ProgressItem {
  step: string;
  done: number;
  total: number;
  startedAt: number;
  t: number;
  finished: boolean;
}

export interface Limits {
  watchLines: number;
  logLines: number;
  rounds: number;
  /** exited processes and dead masters kept for display */
  gone: number;
  /** agent errors logged one by one per process, before only every 1000th */
  agentErrorsLogged: number;
}

export interface DashboardState {
  config: HeaderConfig;
  cluster: ClusterView;
  hosts: HostRow[];
  processes: ProcessRow[];
  masters: MasterRow[];
  activeMaster: string | null;
  /** /master watch tail, oldest first, at most limits.watchLines */
  watch: MasterWatchLine[];
  rounds: RoundResult[];
  /** the run's summary from the last round-end: exact per-agent distributions over all rounds */
  summary: RunSummary | null;
  currentRound: { round: number; fault: FaultKind; t: number } | null;
  failover: FailoverView | null;
  log: Ring<LogLine>;
  progress: ProgressItem[];
  errors: { count: number; last: { t: number; message: string } | null };
  /** newest event time seen (control clock) */
  now: number;
  /** events reduced so far */
  events: number;
  limits: Limits;
}

export const DEFAULT_LIMITS: Limits = { watchLines: 200, logLines: 2000, rounds: 10000, gone: 50, agentErrorsLogged: 5 };

export function initialState(init: Partial<DashboardState> = {}): DashboardState {
  const limits = { ...DEFAULT_LIMITS, ...init.limits };
  return {
    config: { endpoints: [], backend: null, ttl: null, refresh: null, runId: null, masterPath: '/master', ...init.config },
    cluster: { state: 'unknown', endpoints: [], leader: null, revision: null, message: null, ...init.cluster },
    hosts: init.hosts ?? [],
    processes: init.processes ?? [],
    masters: init.masters ?? [],
    activeMaster: init.activeMaster ?? null,
    watch: init.watch ?? [],
    rounds: init.rounds ?? [],
    summary: init.summary ?? null,
    currentRound: init.currentRound ?? null,
    failover: init.failover ?? null,
    log: init.log ?? emptyRing<LogLine>(limits.logLines),
    progress: init.progress ?? [],
    errors: init.errors ?? { count: 0, last: null },
    now: init.now ?? 0,
    events: init.events ?? 0,
    limits,
  };
}
