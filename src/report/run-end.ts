/**
 * What the end of a run says (headless `run` on stderr, the console on the
 * normal screen after it quit, each point of a sweep): rounds ok/failed, the
 * failover p50/p99, the agents' notify p99, where the results and the report
 * are. Pure: figures in, lines out.
 *
 *   rounds    3 ok, 0 failed (of 3)
 *   failover  p50 1923 ms   p99 2301 ms
 *   notify    p99 2012 ms
 *   results   results/20261129-220411-3a4b
 *   report    results/20261129-220411-3a4b/report.html
 */
import type { RoundResult, RunSummary } from '../events.ts';
import { fmtMs } from '../stats/format.ts';

export interface RunEnd {
  rounds: readonly RoundResult[];
  summary: RunSummary;
  /** the results dir */
  dir: string;
  /** report.html, or null when it could not be written */
  reportPath: string | null;
  /** why the run ended early ("stopped by SIGINT"), if it did */
  stopped?: string | null;
}

/** The summary table, one line per row (no trailing newline). */
export function runEndLines(e: RunEnd): string[] {
  const ok = e.rounds.filter((r) => r.ok).length;
  const failed = e.rounds.length - ok;
  const row = (k: string, v: string) => `${k.padEnd(9)} ${v}`;
  const s = e.summary;
  const lines = [
    row('rounds', `${ok} ok, ${failed} failed${e.stopped ? ` (${e.stopped})` : ''}`),
    row('failover', `p50 ${fmtMs(s.failoverMs.p50)}   p99 ${fmtMs(s.failoverMs.p99)}`),
    row('notify', `p99 ${fmtMs(s.agentNotifyMs.p99)}`),
    row('results', e.dir),
    row('report', e.reportPath ?? 'not written (see the warning above)'),
  ];
  return lines;
}
