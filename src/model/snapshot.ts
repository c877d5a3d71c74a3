/**
 * A plain, immutable picture of the run model for the dashboard (taken at
 * most once per frame): arrays instead of maps, the failover in flight (or
 * the last one) as a view. O(hosts + processes + masters + rounds).
 *
 *   snapshot(m) -> {hosts: [...], masters: [...], activeMaster: 'local-m2', failover: {...}, rounds: [...], ...}
 */
import type { FaultKind, RoundResult, RunSummary } from '../events.ts';
import type { RunModel } from './run-model.ts';
import type { ClusterView, FailoverView, HeaderConfig, HostRow, KeyHolder, MasterRow, ProcessRow } from './types.ts';

export interface RunView {
  config: HeaderConfig;
  cluster: ClusterView;
  hosts: HostRow[];
  processes: ProcessRow[];
  masters: MasterRow[];
  activeMaster: string | null;
  keyHolder: KeyHolder | null;
  rounds: RoundResult[];
  /** the run's summary from the last round-end: exact per-agent distributions over all rounds */
  summary: RunSummary | null;
  currentRound: { round: number; fault: FaultKind; t: number } | null;
  failover: FailoverView | null;
  warnings: string[];
  errors: { count: number; last: { t: number; message: string } | null };
  /** newest event time seen (control clock) */
  now: number;
}

export function snapshot(m: RunModel, maxRounds = 10_000): RunView {
  const r = m.round;
  const shown = r?.faultSet ? r : m.last;
  return {
    config: m.config,
    cluster: m.cluster,
    hosts: [...m.hosts.values()],
    processes: [...m.processes.values()],
    masters: [...m.masters.values()],
    activeMaster: m.active,
    keyHolder: m.keyHolder,
    rounds: m.rounds.length > maxRounds ? m.rounds.slice(m.rounds.length - maxRounds) : m.rounds.slice(),
    summary: m.summary,
    currentRound: r ? { round: r.round, fault: r.fault, t: r.startedAt } : null,
    failover: shown ? shown.view() : null,
    warnings: m.warnings.slice(),
    errors: { count: m.errorCount, last: m.lastError },
    now: m.now,
  };
}
