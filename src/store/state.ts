/**
 * The dashboard's state: a picture of the run model (src/model/) taken after
 * each batch of events, plus what only the dashboard keeps: the event log
 * ring, the `/master` watch tail and the progress lines. Built only by
 * `reduce` (./reduce.ts); memory is bounded whatever the event rate.
 *
 *   { config: {backend: 'v3-lease', ttl: 2, ...}, cluster: {state: 'up', leader: 'm2', ...},
 *     hosts: [...], masters: [{id: 'localhost-m1', state: 'master', ...}], activeMaster: 'localhost-m1',
 *     watch: [{type: 'PUT', value: 'localhost-m1', rev: '17', t}], rounds: [...], failover: {...}, log: Ring }
 *
 * The run model inside is folded forward in place (10,000 agents' events cost
 * O(1) each): reduce from the newest state only; reducing an older state again
 * throws (StaleStateError) instead of silently mixing two histories.
 */
import type { MasterWatchLine } from '../events.ts';
import { RunModel, type ModelLimits } from '../model/run-model.ts';
import { snapshot, type RunView } from '../model/snapshot.ts';
import type { LogLevel } from '../model/types.ts';
import { emptyRing, type Ring } from './ring.ts';

export type {
  MasterState,
  HostState,
  ClusterState,
  LogLevel,
  HeaderConfig,
  ClusterView,
  ProcessRow,
  HostRow,
  MasterRow,
  FailoverHostCount,
  FailoverView,
  KeyHolder,
} from '../model/types.ts';
export type { RunView } from '../model/snapshot.ts';

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

export interface Limits extends ModelLimits {
  watchLines: number;
  logLines: number;
  rounds: number;
}

export interface DashboardState extends RunView {
  /** /master watch tail, oldest first, at most limits.watchLines */
  watch: MasterWatchLine[];
  log: Ring<LogLine>;
  progress: ProgressItem[];
  /** events reduced so far */
  events: number;
  limits: Limits;
  /** the run model this state pictures, and which of its versions */
  readonly model: RunModel;
  readonly version: number;
}

export const DEFAULT_LIMITS: Limits = { watchLines: 200, logLines: 2000, rounds: 10000, gone: 50, agentErrorsLogged: 5 };

/**
 * A fresh state over a fresh run model. `init` overrides parts of the
 * picture (view tests draw a state they describe directly); the next reduce
 * draws the picture from the model again.
 */
export function initialState(init: Partial<DashboardState> = {}): DashboardState {
  const limits = { ...DEFAULT_LIMITS, ...init.limits };
  const model = new RunModel(limits);
  const view = snapshot(model, limits.rounds);
  return {
    ...view,
    ...init,
    config: { ...view.config, ...init.config },
    cluster: { ...view.cluster, ...init.cluster },
    watch: init.watch ?? [],
    log: init.log ?? emptyRing<LogLine>(limits.logLines),
    progress: init.progress ?? [],
    events: init.events ?? 0,
    limits,
    model,
    version: model.events,
  };
}
