/**
 * Pure read-side helpers over DashboardState: what the panels and the plain
 * printer show, derived on demand (never stored, so the reducer stays small).
 *
 *   hostRows(s)      -> [{host: 'localhost', pids: [4242, 4250], agentsUp: 200, agentsTotal: 200, ...}]
 *   roundStats(s.rounds).failoverMs -> {n: 3, min: 1512.3, mean: ..., p50, p95, p99, max}
 *
 * Percentiles, histograms and sparklines are src/stats's (linear interpolation).
 */
import type { Distribution, RoundResult } from '../events.ts';
import { distribution } from '../stats/distribution.ts';
import type { DashboardState, FailoverView, HostRow, MasterRow, ProcessRow } from './state.ts';

export interface HostView extends HostRow {
  /** pids of live workers on the host, masters first */
  pids: number[];
  masters: MasterRow[];
  agentsUp: number;
  agentsTotal: number;
  /** agents that have read the active master */
  agentsKnowMaster: number;
  agentErrors: number;
}

export function hostRows(s: DashboardState): HostView[] {
  return s.hosts.map((h) => {
    const procs = s.processes.filter((p) => p.host === h.host && p.alive);
    const agents = procs.filter((p) => p.role === 'agent');
    return {
      ...h,
      pids: [...procs.filter((p) => p.role === 'master'), ...agents].map((p) => p.pid),
      masters: s.masters.filter((m) => m.host === h.host),
      agentsUp: sum(agents.map(agentsUp)),
      agentsTotal: sum(agents.map((p) => p.total)),
      agentsKnowMaster: s.activeMaster ? sum(agents.map((p) => Math.min(p.total, p.got[s.activeMaster!] ?? 0))) : 0,
      agentErrors: sum(s.processes.filter((p) => p.host === h.host && p.role === 'agent').map((p) => p.errors)),
    };
  });
}

/** Agents of a process that are up: watching or holding a master (counts clamped to the process size). */
export function agentsUp(p: ProcessRow): number {
  if (!p.alive) return 0;
  return Math.min(p.total, Math.max(p.watching, sum(Object.values(p.got))));
}

export function workersRunning(s: DashboardState): boolean {
  return s.processes.some((p) => p.alive);
}

export function liveMasters(s: DashboardState): MasterRow[] {
  return s.masters.filter((m) => m.state !== 'dead');
}

export interface FailoverHostProgress {
  host: string;
  total: number;
  notified: number;
  /** agents that got the new master (or, before it is known, any master but the old one) */
  know: number;
}

export interface FailoverProgress {
  hosts: FailoverHostProgress[];
  total: number;
  know: number;
  notified: number;
  /** ms since the fault: until complete (or the round ended), else until `now` */
  elapsedMs: number;
  phase: 'detecting' | 'electing' | 're-detecting' | 'complete' | 'ended' | 'failed' | 'cancelled';
  /** expected agents whose process is gone */
  lost: number;
}

export function failoverProgress(f: FailoverView, now: number): FailoverProgress {
  const hosts: FailoverHostProgress[] = Object.entries(f.perHost)
    .map(([host, h]) => {
      const know = f.newMaster ? (h.got[f.newMaster] ?? 0) : sum(Object.entries(h.got).filter(([m]) => m !== f.target).map(([, n]) => n));
      const total = Math.max(h.total, know);
      return { host, total, notified: Math.min(h.notified, total), know: Math.min(know, total) };
    })
    .sort((a, b) => a.host.localeCompare(b.host));
  const total = sum(hosts.map((h) => h.total));
  const know = sum(hosts.map((h) => h.know));
  const notified = sum(hosts.map((h) => h.notified));
  const lost = sum(Object.values(f.perHost).map((h) => h.lost ?? 0));
  // a round that ended stops the clock: at its last agent, or when it ended
  const end = f.completeAt ?? f.endedAt ?? null;
  const elapsedMs = Math.max(0, (end ?? now) - f.tf);
  return { hosts, total, know, notified, elapsedMs, phase: phaseOf(f), lost };
}

function phaseOf(f: FailoverView): FailoverProgress['phase'] {
  if (f.cancelled !== null) return 'cancelled';
  if (f.result && !f.result.ok) return 'failed';
  if (f.completeAt !== null) return 'complete';
  if (f.result) return 'ended';
  return f.newMaster === null ? (f.detectAt === null ? 'detecting' : 'electing') : 're-detecting';
}

// ---------------------------------------------------------------- distributions

/** distribution() of src/stats over the figures that exist (null = not measured). */
export function distributionOf(values: readonly (number | null | undefined)[]): Distribution {
  return distribution(values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
}

export interface RoundStats {
  failoverMs: Distribution;
  detectMs: Distribution;
  electionMs: Distribution;
  dualLeaderMs: Distribution;
  /** per-round agent notify p50 / p99, over rounds */
  agentNotifyP50: Distribution;
  agentNotifyP99: Distribution;
  agentRegetP99: Distribution;
}

/** Distributions over finished rounds (one value per round). */
export function roundStats(rounds: readonly RoundResult[]): RoundStats {
  const ok = rounds.filter((r) => r.ok);
  return {
    failoverMs: distributionOf(ok.map((r) => r.failoverMs)),
    detectMs: distributionOf(ok.map((r) => r.detectMs)),
    electionMs: distributionOf(ok.map((r) => r.electionMs)),
    dualLeaderMs: distributionOf(ok.map((r) => r.dualLeaderMs)),
    agentNotifyP50: distributionOf(ok.map((r) => r.agents.notifyMs.p50)),
    agentNotifyP99: distributionOf(ok.map((r) => r.agents.notifyMs.p99)),
    agentRegetP99: distributionOf(ok.map((r) => r.agents.regetMs.p99)),
  };
}

function sum(xs: readonly number[]): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}
