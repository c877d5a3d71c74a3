/**
 * A run's latencies as HdrHistograms in their encoded form, written beside
 * summary.json as histograms.json so standard HdrHistogram tools can read and
 * merge them (../stats/hdr.ts: µs, 3 significant digits).
 *
 *   {"unit":"us","significantDigits":3,"histograms":{
 *     "all/agentNotifyMs":"HISTFAAAA...", "round-1/agentNotifyMs":"HISTFAAAA...",
 *     "host-localhost/agentNotifyMs":"HISTFAAAA...", "all/failoverMs":"HISTFAAAA..."},
 *    "negativeSkipped":{}}
 *
 * Per-agent figures (notify, re-get) come per round, per agent host and
 * over all ended rounds; round figures (failover, detect, election) over all
 * rounds. A histogram holds values >= 0: a negative sample (clock offset
 * between hosts) is left out and counted in `negativeSkipped`.
 */
import type { RoundResult } from '../events.ts';
import { encodeHistograms, newHistogram, recordMs, type EncodedHistograms, type Histogram } from '../stats/hdr.ts';
import type { RunData } from './load.ts';

export interface RunHistograms extends EncodedHistograms {
  /** name -> count of negative samples left out */
  negativeSkipped: Record<string, number>;
}

/** The run's histograms by name ("all/agentNotifyMs", "round-3/agentRegetMs", "host-h1/agentNotifyMs"). Pure. */
export function runHistograms(run: Pick<RunData, 'rounds' | 'timelines'>): RunHistograms {
  const hs: Record<string, Histogram> = {};
  const skipped: Record<string, number> = {};
  const add = (name: string, values: Iterable<number>) => {
    const h = (hs[name] ??= newHistogram());
    for (const v of values) {
      if (v < 0) skipped[name] = (skipped[name] ?? 0) + 1;
      else recordMs(h, v);
    }
  };
  for (const t of run.timelines) {
    if (!t.result) continue;
    add(`round-${t.round}/agentNotifyMs`, t.notifyMs);
    add(`round-${t.round}/agentRegetMs`, t.regetMs);
    add('all/agentNotifyMs', t.notifyMs);
    add('all/agentRegetMs', t.regetMs);
    for (const [host, v] of Object.entries(t.notifyByHost)) add(`host-${host}/agentNotifyMs`, v);
  }
  for (const key of ['failoverMs', 'detectMs', 'electionMs', 'dualLeaderMs'] as const) {
    const values = run.rounds.flatMap((r: RoundResult) => (typeof r[key] === 'number' ? [r[key] as number] : []));
    if (values.length > 0) add(`all/${key}`, values);
  }
  return { ...encodeHistograms(hs), negativeSkipped: skipped };
}
