/**
 * Selectors over the run model: what the session waits on and the reports
 * read. Each is O(masters + processes) or O(1), never O(agents), so they can
 * be checked after every event of a 10,000-agent failover.
 *
 *   mastersSettled(m)   // true once a master is elected and every other live master is a candidate
 *   agentsReady(m)      // every started agent holds the active master
 *   closeRound(m)       // {result, summary} of the round in flight, as it stands
 */
import type { RoundResult, RunSummary } from '../events.ts';
import type { RoundStatus } from './round.ts';
import type { RunModel } from './run-model.ts';
import type { MasterRow } from './types.ts';

export function activeMaster(m: RunModel): string | null {
  return m.active;
}

export function liveMasters(m: RunModel): MasterRow[] {
  return [...m.masters.values()].filter((x) => x.state !== 'dead');
}

/** The active master if a fault can be aimed at it now (alive, holding the key, not paused). */
export function targetMaster(m: RunModel): MasterRow | null {
  const a = m.active === null ? undefined : m.masters.get(m.active);
  return a && a.state === 'master' ? a : null;
}

/** A master is elected and every other live master is a candidate (none still starting). */
export function mastersSettled(m: RunModel): boolean {
  return targetMaster(m) !== null && liveMasters(m).every((x) => x.state === 'master' || x.state === 'candidate');
}

/** Agents the alive agent processes announced (their `count`). */
export function agentsStarted(m: RunModel): number {
  let n = 0;
  for (const p of m.processes.values()) if (p.role === 'agent' && p.alive) n += p.total;
  return n;
}

/** Agents holding the active master. */
export function agentsOnActive(m: RunModel): number {
  return m.active === null ? 0 : (m.holders.get(m.active) ?? 0);
}

/** Every announced agent is up and holds the active master. */
export function agentsReady(m: RunModel): boolean {
  return targetMaster(m) !== null && agentsOnActive(m) >= agentsStarted(m);
}

/** The round in flight: complete? ok? what it waits for. */
export function roundStatus(m: RunModel): RoundStatus | null {
  return m.round?.status() ?? null;
}

/** The result of the round in flight as it stands (error: why it ended early), and the run's summary with it. */
export function closeRound(m: RunModel, error?: string): { result: RoundResult; summary: RunSummary } | null {
  const r = m.round;
  if (!r) return null;
  const result = r.toResult(error);
  const s = r.samples();
  return { result, summary: m.samples.summary([...m.rounds, result], { fault: r.fault, notify: s.notify, reget: s.reget }) };
}

/** The summary of the finished rounds. */
export function runSummary(m: RunModel): RunSummary {
  return m.summary ?? m.samples.summary(m.rounds);
}

/** A one-line account of who holds the master key, when it is not one of this run's masters; null otherwise. */
export function foreignHolder(m: RunModel): { value: string; lease: string | null; rev: string } | null {
  const h = m.keyHolder;
  if (!h || h.value === null || m.masters.has(h.value)) return null;
  for (const id of m.masters.keys()) if (h.value.startsWith(`${id}|`)) return null;
  return { value: h.value, lease: h.lease, rev: h.rev };
}

/**
 * A round flapped when a healthy master lost its claim during it: a master
 * other than the faulted process stepped down for a lost lease (reason
 * deadline, lease-lost or key-lost), which the model records in the round's
 * `flaps` (RoundState.onMaster). A new master stepping down mid-round is such
 * a master too.
 */
export function flapped(r: RoundResult): boolean {
  return (r.flaps?.length ?? 0) > 0;
}

/** Rounds that flapped / rounds; null without rounds. */
export function flapRate(rounds: readonly RoundResult[]): number | null {
  return rounds.length === 0 ? null : rounds.filter(flapped).length / rounds.length;
}
