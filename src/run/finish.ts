/**
 * The end of every run (headless `run`, the console, each point of a
 * sweep), once the session is closed and its results are on disk: the
 * --assert verdicts, summary.json with them and with where the
 * HdrHistograms are, report.html, and the lines that say what happened.
 * A report that cannot be written is a warning: it never costs the results.
 *
 *   const end = await finishRun(session, { asserts, warn: io.err });
 *   end.lines    // ["rounds    3 ok, 0 failed", "failover  p50 1923 ms   p99 2301 ms", ...]
 *   end.broken   // ["assert failed: failover.p99 = 2711.3 ms, wanted < 2600"]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../errors.ts';
import { runEndLines } from '../report/run-end.ts';
import { brokenLine, evaluate, type Assertion, type Verdict } from '../report/slo.ts';
import { HISTOGRAMS_FILE, writeReport } from '../report/write.ts';
import { SIGNIFICANT_DIGITS } from '../stats/hdr.ts';
import type { RunReport } from './report.ts';
import type { Session } from './session.ts';

/** summary.json's pointer to the run's HdrHistograms (written beside it by the report). */
export const HISTOGRAMS_POINTER = {
  file: HISTOGRAMS_FILE,
  format: 'HdrHistogram compressed base64 (V2), as encodeIntoCompressedBase64 writes it',
  unit: 'us',
  significantDigits: SIGNIFICANT_DIGITS,
  names: 'round-N/agentNotifyMs, round-N/agentRegetMs, host-HOST/agentNotifyMs, all/agentNotifyMs, all/agentRegetMs, all/failoverMs, all/detectMs, all/electionMs, all/dualLeaderMs',
} as const;

export interface Finished {
  /** the `run --json` object, with `asserts` when any were given */
  report: RunReport & { asserts?: Verdict[] };
  verdicts: Verdict[] | null;
  /** one line per broken assertion */
  broken: string[];
  reportPath: string | null;
  /** the end-of-run table */
  lines: string[];
}

export interface FinishOptions {
  asserts?: readonly Assertion[];
  /** a warning line (the report could not be written) */
  warn: (line: string) => void;
  /** why the run ended early, for the table ("stopped by SIGINT") */
  stopped?: string | null;
}

/** Evaluate, rewrite summary.json, write the report; never throws for the report. */
export async function finishRun(session: Session, o: FinishOptions): Promise<Finished> {
  const base = session.report();
  const verdicts = o.asserts && o.asserts.length > 0 ? evaluate(o.asserts, base) : null;
  const report = verdicts ? { ...base, asserts: verdicts } : base;
  const dir = session.results.dir;
  const summary = { ...session.summaryFile(), ...(verdicts ? { asserts: verdicts } : {}) };
  session.results.writeSummary({ ...summary, histograms: HISTOGRAMS_POINTER });
  let reportPath: string | null = null;
  try {
    reportPath = await writeReport(dir);
  } catch (e) {
    o.warn(`etcd-election-bench: warning: report.html not written: ${oneLine(e)} (the results are in ${dir})`);
  }
  if (!existsSync(join(dir, HISTOGRAMS_FILE))) session.results.writeSummary(summary);
  const broken = verdicts && o.asserts ? verdicts.flatMap((v, i) => (v.ok ? [] : [brokenLine(o.asserts![i], v)])) : [];
  const lines = runEndLines({ rounds: base.rounds, summary: base.summary, dir, reportPath, stopped: o.stopped });
  return { report, verdicts, broken, reportPath, lines };
}
