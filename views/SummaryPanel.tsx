/**
 * Panel 4: the running summary. One row per finished round, then the
 * distributions over rounds (min/mean/p50/p95/p99/max with a sparkline of
 * the last rounds) and a histogram of the failover times.
 *
 *   #  fault old -> new  failover detect election notify p50  p99   max  re-get p99 agents
 *   1  kill  m1 -> m2    1712     1690   22.0     1702        1730  1735 4.1        200/200
 *   over 3 rounds  n  min   mean  p50   p95   p99   max   trend
 *   failover ms    3  1512  1645  1690  1712  1712  1712  ▁▆█
 */
import { Box, Text } from 'ink';
import type { Distribution, RoundResult, RunSummary } from '../src/events.ts';
import { fmtMs, roundStats } from '../src/store/index.ts';
import { histogram, sparkline } from '../src/stats/histogram.ts';
import { Panel, innerLines, innerWidth, visibleSlice } from './Panel.tsx';
import { Table, type Column } from './Table.tsx';

export interface SummaryPanelProps {
  rounds: readonly RoundResult[];
  width: number;
  height: number;
  focused?: boolean;
  /** rounds scrolled up from the newest */
  scroll?: number;
  /** the session's summary: exact per-agent distributions over all rounds (when it sent one) */
  summary?: RunSummary | null;
}

const ROUND_COLUMNS: Column<RoundResult>[] = [
  { header: '#', cell: (r) => String(r.round), align: 'right' },
  { header: 'fault', cell: (r) => r.fault, drop: 1 },
  { header: 'old -> new', cell: (r) => (r.outcome === 'none' ? `${r.oldMaster ?? '?'} kept its lease` : `${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}`), flex: true, min: 8 },
  { header: 'failover', cell: (r) => fmtMs(r.failoverMs), align: 'right', colour: (r) => (r.ok ? undefined : 'red') },
  { header: 'detect', cell: (r) => fmtMs(r.detectMs), align: 'right', drop: 3 },
  { header: 'election', cell: (r) => fmtMs(r.electionMs), align: 'right', drop: 4 },
  { header: 'dual', cell: (r) => fmtMs(r.dualLeaderMs), align: 'right', drop: 6 },
  { header: 'notify p50', cell: (r) => fmtMs(r.agents.notifyMs.p50), align: 'right' },
  { header: 'p99', cell: (r) => fmtMs(r.agents.notifyMs.p99), align: 'right' },
  { header: 'max', cell: (r) => fmtMs(r.agents.notifyMs.max), align: 'right', drop: 2 },
  { header: 're-get p99', cell: (r) => fmtMs(r.agents.regetMs.p99), align: 'right', drop: 5 },
  {
    header: 'agents',
    cell: (r) => (r.ok ? `${r.agents.notified}/${r.agents.count}` : `FAILED${r.error ? `: ${r.error}` : ''}`),
    colour: (r) => (!r.ok ? 'red' : r.agents.notified < r.agents.count ? 'yellow' : undefined),
    flex: true,
    min: 7,
  },
];

export interface StatRow {
  name: string;
  d: Distribution;
  trend: (number | null)[];
}

const TREND = 16;

function statColumns(label: string): Column<StatRow>[] {
  return [
    { header: label, cell: (s) => s.name },
    { header: 'n', cell: (s) => String(s.d.n), align: 'right', drop: 3 },
    { header: 'min', cell: (s) => fmtMs(s.d.min), align: 'right' },
    { header: 'mean', cell: (s) => fmtMs(s.d.mean), align: 'right', drop: 2 },
    { header: 'p50', cell: (s) => fmtMs(s.d.p50), align: 'right' },
    { header: 'p95', cell: (s) => fmtMs(s.d.p95), align: 'right', drop: 1 },
    { header: 'p99', cell: (s) => fmtMs(s.d.p99), align: 'right' },
    { header: 'max', cell: (s) => fmtMs(s.d.max), align: 'right' },
    { header: 'last rounds', cell: (s) => sparkline(s.trend.slice(-TREND)), flex: true, min: 4 },
  ];
}

type FaultSummary = Pick<RunSummary, 'agentNotifyMs' | 'agentRegetMs'>;

function rowsFor(rounds: readonly RoundResult[], summary: FaultSummary | null, tag: string): StatRow[] {
  const st = roundStats(rounds);
  const trend = (f: (r: RoundResult) => number | null) => rounds.map(f);
  return [
    { name: `failover ms${tag}`, d: st.failoverMs, trend: trend((r) => r.failoverMs) },
    { name: `detect ms${tag}`, d: st.detectMs, trend: trend((r) => r.detectMs) },
    { name: `election ms${tag}`, d: st.electionMs, trend: trend((r) => r.electionMs) },
    { name: `dual-leader ms${tag}`, d: st.dualLeaderMs, trend: trend((r) => r.dualLeaderMs) },
    // every agent of every round when the session sent its summary; else the rounds' own percentiles
    ...(summary
      ? [
          { name: `agent notify ms${tag}`, d: summary.agentNotifyMs, trend: trend((r) => r.agents.notifyMs.p50) },
          { name: `agent re-get ms${tag}`, d: summary.agentRegetMs, trend: trend((r) => r.agents.regetMs.p50) },
        ]
      : [
          { name: `notify p50 ms${tag}`, d: st.agentNotifyP50, trend: trend((r) => r.agents.notifyMs.p50) },
          { name: `notify p99 ms${tag}`, d: st.agentNotifyP99, trend: trend((r) => r.agents.notifyMs.p99) },
          { name: `re-get p99 ms${tag}`, d: st.agentRegetP99, trend: trend((r) => r.agents.regetMs.p99) },
        ]),
  ].filter((s) => s.d.n > 0 || s.name === `failover ms${tag}`);
}

/** The distributions over rounds; grouped by fault when the rounds mix faults (a kill and a term are not one distribution). */
function statRows(rounds: readonly RoundResult[], summary: RunSummary | null): StatRow[] {
  const faults = [...new Set(rounds.map((r) => r.fault))];
  if (faults.length <= 1) return rowsFor(rounds, summary, '');
  return faults.flatMap((f) => rowsFor(rounds.filter((r) => r.fault === f), summary?.byFault?.[f] ?? null, ` ${f}`));
}

export interface SummaryLayout {
  /** round rows shown (the table header comes on top) */
  roundLines: number;
  /** statistics rows shown */
  stats: StatRow[];
  /** failover histogram buckets shown (none when there is no room or fewer than 2 failovers) */
  buckets: { lo: number; hi: number; count: number }[];
  /** statistics and histogram side by side */
  wide: boolean;
  /** width of the statistics table */
  statW: number;
}

/** How the panel's lines are shared: the round table keeps its header and at least 2 rows, the statistics take what is left, the histogram what remains. */
export function summaryLayout(rounds: readonly RoundResult[], summary: RunSummary | null, width: number, height: number): SummaryLayout {
  const lines = innerLines(height);
  const w = innerWidth(width);
  const stats = statRows(rounds, summary);
  const statLines = Math.max(0, Math.min(stats.length + 1, lines - 3));
  const wide = w >= 130;
  const histLines = wide ? statLines : Math.max(0, lines - 3 - statLines - Math.min(rounds.length, 4));
  // the histogram is of the newest round's fault: faults are not mixed
  const fault = rounds[rounds.length - 1]?.fault;
  const failovers = rounds.filter((r) => r.ok && r.fault === fault).map((r) => r.failoverMs).filter((v): v is number => v !== null);
  const buckets = histLines >= 3 && failovers.length >= 2 ? histogram(failovers, { buckets: Math.min(histLines - 1, 8) }) : [];
  const roundLines = Math.max(1, lines - 1 - statLines - (wide || buckets.length === 0 ? 0 : buckets.length + 1));
  return { roundLines, stats: stats.slice(0, Math.max(0, statLines - 1)), buckets, wide, statW: wide ? Math.min(90, w - 36) : w };
}

export function SummaryPanel({ rounds, width, height, focused, scroll = 0, summary = null }: SummaryPanelProps) {
  const w = innerWidth(width);
  if (rounds.length === 0) {
    return (
      <Panel index={4} title="Summary" focused={focused} width={width} height={height}>
        <Text dimColor>no rounds yet: k kills the active master, r runs rounds</Text>
      </Panel>
    );
  }
  const okCount = rounds.filter((r) => r.ok).length;
  const { roundLines, stats, buckets, wide, statW } = summaryLayout(rounds, summary, width, height);
  const { rows, max } = visibleSlice(rounds, roundLines, scroll, 'bottom');
  const failed = rounds.length - okCount;
  const info = `(${rounds.length} round${rounds.length === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}${max > 0 && scroll > 0 ? `, ${Math.min(scroll, max)} up` : ''})`;
  const histogramBox =
    buckets.length > 0 ? (
      <Box flexDirection="column" marginLeft={wide ? 2 : 0}>
        <Text bold>{`failover histogram${new Set(rounds.map((r) => r.fault)).size > 1 ? ` (${rounds[rounds.length - 1].fault})` : ''}`}</Text>
        <HistogramRows buckets={buckets} width={wide ? w - statW - 2 : w} />
      </Box>
    ) : null;
  return (
    <Panel index={4} title="Summary" info={info} focused={focused} width={width} height={height}>
      <Table columns={rounds.some((r) => r.dualLeaderMs !== null) ? ROUND_COLUMNS : ROUND_COLUMNS.filter((c) => c.header !== 'dual')} rows={rows} measure={rounds} width={w} rowKey={(r) => `r${r.round}`} />
      <Box flexDirection={wide ? 'row' : 'column'}>
        {stats.length > 0 ? (
          <Box width={statW} flexShrink={0}>
            <Table columns={statColumns(`over ${okCount} round${okCount === 1 ? '' : 's'}`)} rows={stats} width={statW} rowKey={(s) => s.name} />
          </Box>
        ) : null}
        {histogramBox}
      </Box>
    </Panel>
  );
}

function HistogramRows({ buckets, width }: { buckets: { lo: number; hi: number; count: number }[]; width: number }) {
  const top = Math.max(1, ...buckets.map((b) => b.count));
  const labels = buckets.map((b) => `${fmtMs(b.lo)}-${fmtMs(b.hi)}`);
  const lw = Math.max(...labels.map((l) => l.length));
  const cw = String(top).length;
  const bw = Math.max(1, width - lw - cw - 2);
  return (
    <>
      {buckets.map((b, i) => (
        <Text key={i} wrap="truncate-end">
          {`${labels[i].padStart(lw)} ${'█'.repeat(Math.round((b.count / top) * bw)).padEnd(bw)} ${String(b.count).padStart(cw)}`}
        </Text>
      ))}
    </>
  );
}
