/**
 * A loaded run (./load.ts) -> what report.html shows: the run's tables as
 * they are, and the charts as small plot-ready series (./chart-spec.ts).
 * Pure.
 *
 *   buildReportData(run).sections[0]
 *   // {heading: "Rounds", charts: [{id: "round-1", kind: "timeline", series: [{name: "agents notified", x: [...≤500], y: [...]}], ...}]}
 *
 * The SIGKILL band is DESIGN §4's physical bound: the key expires T + [0, 0.5] s
 * after the last keep-alive, which fell uniformly within R before the kill,
 * so failover lies in (T - R, T + 0.5 s + election]. It is drawn for `kill`
 * and `pause` rounds (a paused master sends no keep-alive either).
 */
import type { RoundResult } from '../events.ts';
import { ecdf } from '../stats/cdf.ts';
import { histogram } from '../stats/histogram.ts';
import { fmtMs } from '../stats/format.ts';
import { roundTo, type Band, type Bins, type ChartSpec, type ChartsPayload, type Rule, type Series } from './chart-spec.ts';
import type { RunData } from './load.ts';
import type { RoundTimeline } from './timeline.ts';

/** Most points of one CDF series in the page. */
export const MAX_POINTS = 500;

export type ReportData = Omit<RunData, 'timelines' | 'agentGetMs'> & ChartsPayload;

/** A CDF series with x rounded to 0.01 ms and y to 1e-4. */
export function cdfSeries(name: string, values: readonly number[], total?: number): Series {
  const c = ecdf(values, { maxPoints: MAX_POINTS, total: total === undefined ? undefined : Math.max(total, values.length) });
  return { name, x: c.x.map((v) => roundTo(v, 2)), y: c.y.map((v) => roundTo(v, 4)) };
}

/** Histogram bins over the values (about √n buckets, 5..40); one value alone gets one bar 1% (at least 1 ms) wide. */
export function binsOf(name: string, values: readonly number[]): Bins {
  const v0 = values[0];
  const single = values.length > 0 && values.every((v) => v === v0);
  const w = single ? Math.max(1, Math.abs(v0) * 0.01) : 0;
  const b = single
    ? histogram(values, { buckets: 1, min: v0 - w / 2, max: v0 + w / 2 })
    : histogram(values, { buckets: Math.max(5, Math.min(40, Math.ceil(Math.sqrt(values.length)))) });
  return { name, lo: b.map((x) => roundTo(x.lo, 2)), hi: b.map((x) => roundTo(x.hi, 2)), count: b.map((x) => x.count) };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The marked spans of one round: SIGKILL bound, dual-leader and stale-leader windows (ms since the fault). */
function roundBands(t: RoundTimeline, config: Record<string, unknown>): Band[] {
  const bands: Band[] = [];
  const ttl = num(config.ttl);
  const refresh = num(config.refresh);
  const electionMs = t.result?.electionMs ?? (t.electedMs !== null && t.detectMs !== null ? t.electedMs - t.detectMs : 0);
  if ((t.fault === 'kill' || t.fault === 'pause') && ttl !== null && refresh !== null) {
    bands.push({ name: 'SIGKILL bound', x1: (ttl - refresh) * 1000, x2: (ttl + 0.5) * 1000 + Math.max(0, electionMs ?? 0), lane: 0 });
  }
  if (t.stepdownMs !== null && t.electedMs !== null && t.stepdownMs > t.electedMs && (t.fault === 'pause' || t.fault === 'partition')) {
    bands.push({ name: 'dual-leader window', x1: t.electedMs, x2: t.stepdownMs, lane: 1 });
  }
  const stale = num((t.result as (RoundResult & { staleLeaderMs?: unknown }) | null)?.staleLeaderMs);
  const resumed = resumedAt(t, config);
  if (t.stepdownMs !== null && stale !== null && stale > 0) bands.push({ name: 'stale-leader window', x1: t.stepdownMs - stale, x2: t.stepdownMs, lane: 2 });
  else if (t.stepdownMs !== null && resumed !== null && t.stepdownMs > resumed) bands.push({ name: 'stale-leader window', x1: resumed, x2: t.stepdownMs, lane: 2 });
  return bands;
}

/** pause: when the old master was let go again (SIGCONT), ms since the fault; the config's pauseMs */
function resumedAt(t: RoundTimeline, config: Record<string, unknown>): number | null {
  return t.fault === 'pause' ? num(config.pauseMs) : null;
}

function roundRules(t: RoundTimeline, config: Record<string, unknown>): Rule[] {
  const rules: Rule[] = [{ name: 'fault', x: 0 }];
  if (t.detectMs !== null) rules.push({ name: 'expiry detected', x: t.detectMs });
  if (t.electedMs !== null) rules.push({ name: 'new master elected', x: t.electedMs });
  const resumed = resumedAt(t, config);
  if (resumed !== null) rules.push({ name: 'old master resumed', x: resumed });
  if (t.stepdownMs !== null) rules.push({ name: 'old master stepdown', x: t.stepdownMs });
  return rules.map((r) => ({ ...r, x: roundTo(r.x, 2) }));
}

function roundCaption(t: RoundTimeline, bands: readonly Band[]): string {
  const r = t.result;
  const agents = r ? `${r.agents.notified}/${r.agents.count} agents notified` : `${t.notifyMs.length} agents notified (round did not end)`;
  const parts = [
    `failover ${fmtMs(t.electedMs)}`,
    `detect ${fmtMs(t.detectMs)}`,
    `election ${fmtMs(r ? r.electionMs : t.electedMs !== null && t.detectMs !== null ? t.electedMs - t.detectMs : null)}`,
    agents,
    `notify p50 ${fmtMs(r?.agents.notifyMs.p50 ?? null)}`,
    `re-get p50 ${fmtMs(r?.agents.regetMs.p50 ?? null)}`,
  ];
  if (r?.dualLeaderMs != null) parts.push(`dual leader ${fmtMs(r.dualLeaderMs)}`);
  const stale = bands.find((b) => b.name === 'stale-leader window');
  if (stale) parts.push(`stale leader ${fmtMs(stale.x2 - stale.x1)}`);
  const sp = r?.split;
  if (sp) parts.push(`lease left ${fmtMs(sp.leaseRemainingMs)} + expiry lag ${fmtMs(sp.expiryLagMs)} + detection ${fmtMs(sp.detectionMs)} + election ${fmtMs(sp.electionMs)}`);
  if (t.raftLeader) parts.push(`raft leader ${t.raftLeader}`);
  if (r?.flaps?.length) parts.push(`flaps: ${r.flaps.join(', ')}`);
  if (r && !r.ok) parts.push(`FAILED: ${r.error ?? 'failed'}`);
  return parts.join(' · ');
}

/** One round: fault -> expiry detected -> elected, agents' notify and re-get CDFs, bound and windows. */
export function timelineChart(t: RoundTimeline, config: Record<string, unknown>): ChartSpec {
  const total = t.result?.agents.count ?? t.notifyMs.length;
  const series = [cdfSeries('agents notified', t.notifyMs, total), cdfSeries('agents got new master', t.gotMs, total)];
  const exact = roundBands(t, config);
  const bands = exact.map((b) => ({ ...b, x1: roundTo(b.x1, 2), x2: roundTo(b.x2, 2) }));
  const rules = roundRules(t, config);
  const xs = [...series.flatMap((s) => s.x), ...bands.flatMap((b) => [b.x1, b.x2]), ...rules.map((r) => r.x)];
  const lo = Math.min(0, ...xs.filter((x) => x < 0));
  const hi = Math.max(1, ...xs);
  const moved = t.newMaster ? ` -> ${t.newMaster}` : '';
  return {
    id: `round-${t.round}`,
    kind: 'timeline',
    title: `Round ${t.round}: ${t.fault} ${t.oldMaster ?? '?'}${moved}`,
    caption: roundCaption(t, exact),
    xLabel: 'ms since the fault',
    yLabel: 'fraction of agents',
    series,
    bands,
    rules,
    xDomain: [roundTo(lo - (hi - lo) * 0.02, 2), roundTo(hi * 1.04, 2)],
  };
}

type RoundFigure = 'failoverMs' | 'detectMs' | 'electionMs';
const ROUND_FIGURES: [RoundFigure, string][] = [
  ['failoverMs', 'failover'],
  ['detectMs', 'expiry detection'],
  ['electionMs', 'election'],
];

/** Failover, detect and election over every round: a histogram each and one CDF. */
export function roundFigureCharts(rounds: readonly RoundResult[]): ChartSpec[] {
  const values = (k: RoundFigure) => rounds.flatMap((r) => (r[k] === null || r[k] === undefined ? [] : [r[k] as number]));
  const charts: ChartSpec[] = ROUND_FIGURES.map(([k, label]) => ({
    id: `hist-${k}`,
    kind: 'histogram' as const,
    title: `${label[0].toUpperCase()}${label.slice(1)} over ${values(k).length} round(s)`,
    caption: `one value per round, ms since the fault${k === 'electionMs' ? ' (election: from the first candidate notify)' : ''}`,
    xLabel: `${label} (ms)`,
    bins: [binsOf(label, values(k))],
  }));
  charts.push({
    id: 'cdf-rounds',
    kind: 'cdf',
    title: 'Failover, detection and election: CDF over rounds',
    caption: 'fraction of rounds at or below x',
    xLabel: 'ms',
    yLabel: 'fraction of rounds',
    series: ROUND_FIGURES.map(([k, label]) => cdfSeries(label, values(k))),
  });
  return charts;
}

/** Agents' notify per agent host (every ended round), and the notify / re-get histograms. */
export function agentCharts(timelines: readonly RoundTimeline[]): ChartSpec[] {
  const ended = timelines.filter((t) => t.result);
  const byHost = new Map<string, number[]>();
  for (const t of ended) for (const [h, v] of Object.entries(t.notifyByHost)) byHost.set(h, (byHost.get(h) ?? []).concat(v));
  const notify = ended.flatMap((t) => t.notifyMs);
  const reget = ended.flatMap((t) => t.regetMs);
  return [
    {
      id: 'cdf-notify-by-host',
      kind: 'cdf',
      title: `Agent notify per agent host (${ended.length} round(s))`,
      caption: 'fraction of the host’s agent notifications at or below x, ms since the fault',
      xLabel: 'agent notify (ms since the fault)',
      yLabel: 'fraction of agents',
      series: [...byHost.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([h, v]) => cdfSeries(h, v)),
    },
    { id: 'hist-notify', kind: 'histogram', title: 'Agent notify, every agent of every round', caption: `${notify.length} samples`, xLabel: 'agent notify (ms since the fault)', bins: [binsOf('agent notify', notify)] },
    { id: 'hist-reget', kind: 'histogram', title: 'Agent re-get, every agent of every round', caption: `${reget.length} samples: got the new master - notified`, xLabel: 'agent re-get (ms)', bins: [binsOf('agent re-get', reget)] },
  ];
}

/** Everything report.html shows. */
export function buildReportData(run: RunData): ReportData {
  const { timelines, agentGetMs: _get, ...rest } = run;
  const sections: ChartsPayload['sections'] = [];
  if (timelines.length > 0) sections.push({ heading: 'Rounds', charts: timelines.map((t) => timelineChart(t, run.config)) });
  if (run.rounds.length > 0) sections.push({ heading: 'Over all rounds', charts: roundFigureCharts(run.rounds) });
  if (timelines.some((t) => t.result && t.notifyMs.length > 0)) sections.push({ heading: 'Agents', charts: agentCharts(timelines) });
  return { ...rest, sections };
}
