/**
 * Where a lease-expiry failover's time went (RoundResult.split), from the
 * round's instants (control-clock ms): the old master's lease left at the
 * fault, etcd's expiry lag, detection, election. Pure; part of the run
 * model (./round.ts calls it). A part whose two ends come from unordered
 * streams in the wrong order is null, and a note says so.
 *
 *   failoverSplit({tf: 10000, lastKeepAliveSent: 9698, ttlMs: 2000, deleteAt: 11950, detectAt: 11953, elected: 11970}, notes)
 *   // {leaseRemainingMs: 1698, expiryLagMs: 252, detectionMs: 3, electionMs: 17}
 */
import type { RoundResult } from '../events.ts';

export interface SplitInstants {
  /** fault time */
  tf: number;
  /** send time of the old master's last acknowledged keep-alive before the fault */
  lastKeepAliveSent: number | null;
  /** the lease / key TTL, ms */
  ttlMs: number | null;
  /** the control node's watch saw the master key go */
  deleteAt: number | null;
  /** the first candidate's notification */
  detectAt: number | null;
  /** the new master's election */
  elected: number | null;
}

/** The split; null parts when their order is unknown (a note each in `notes`). */
export function failoverSplit(i: SplitInstants, notes: string[]): NonNullable<RoundResult['split']> {
  const deadline = i.lastKeepAliveSent !== null && i.ttlMs !== null ? i.lastKeepAliveSent + i.ttlMs : null;
  const part = (from: number | null, to: number | null, what: string): number | null => {
    if (from === null || to === null) return null;
    if (to < from) {
      notes.push(`${what}: order unknown (${(from - to).toFixed(1)} ms apart in two streams)`);
      return null;
    }
    return to - from;
  };
  return {
    leaseRemainingMs: deadline === null ? null : deadline - i.tf,
    expiryLagMs: part(deadline, i.deleteAt, 'expiry lag'),
    detectionMs: part(i.deleteAt, i.detectAt, 'detection after the DELETE'),
    electionMs: part(i.detectAt, i.elected, 'election'),
  };
}
