/**
 * The run's summary (DESIGN §6): distributions over every round, and the
 * same per fault kind. Round figures come from each round's value; agent
 * figures from the raw per-agent samples of every round, since a round's own
 * agent distributions cannot be merged into exact percentiles.
 *
 *   samples.add('kill', [1690.2, 1701.7], [3.1, 4.0]); samples.summary(rounds)
 *   // {failoverMs: {n: 3, ...}, ..., byFault: {kill: {...}, term: {...}}}
 */
import type { FaultKind, RoundResult, RunSummary } from '../events.ts';
import { summarize } from '../stats/distribution.ts';

type FaultSummary = NonNullable<RunSummary['byFault']>[FaultKind];

function roundsSummary(rounds: readonly RoundResult[], notify: readonly number[], reget: readonly number[]): NonNullable<FaultSummary> {
  const { agentGetMs: _, ...rest } = summarize(rounds, notify, reget, []);
  return rest;
}

/** Per-agent samples of every finished round, kept per fault kind, and the agents' initial get times. */
export class SummarySamples {
  private byFault = new Map<FaultKind, { notify: number[]; reget: number[] }>();
  readonly get: number[] = [];

  add(fault: FaultKind, notify: readonly number[], reget: readonly number[]): void {
    let s = this.byFault.get(fault);
    if (!s) this.byFault.set(fault, (s = { notify: [], reget: [] }));
    for (const v of notify) s.notify.push(v);
    for (const v of reget) s.reget.push(v);
  }

  /**
   * The summary over `rounds` (all of them, ok or not: a figure that was
   * measured counts), with `extra` samples of a round not added yet.
   */
  summary(rounds: readonly RoundResult[], extra?: { fault: FaultKind; notify: readonly number[]; reget: readonly number[] }): RunSummary {
    const notify: number[] = [];
    const reget: number[] = [];
    const byFault: NonNullable<RunSummary['byFault']> = {};
    const faults = new Set<FaultKind>(rounds.map((r) => r.fault));
    for (const f of this.byFault.keys()) faults.add(f);
    for (const f of faults) {
      const kept = this.byFault.get(f) ?? { notify: [], reget: [] };
      const s = extra?.fault === f ? { notify: [...kept.notify, ...extra.notify], reget: [...kept.reget, ...extra.reget] } : kept;
      for (const v of s.notify) notify.push(v);
      for (const v of s.reget) reget.push(v);
      byFault[f] = roundsSummary(
        rounds.filter((r) => r.fault === f),
        s.notify,
        s.reget,
      );
    }
    return { ...summarize(rounds, notify, reget, this.get), byFault };
  }
}
