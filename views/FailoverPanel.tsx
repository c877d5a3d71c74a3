/**
 * Panel 3: the failover as it happens. From the fault on, a bar per agent
 * host fills as its agents read the new master, with the elapsed ms since the
 * fault, so the operator watches re-detection happen.
 *
 *   round 3 · SIGKILL m1 (pid 101 on localhost) · +1834 ms · re-detecting
 *   detect +1690 ms · m2 elected +1712 ms · election 22.0 ms
 *   agent-1    ████████████████▌         7412/10000 know m2 · 9800 notified
 */
import { Text } from 'ink';
import { failoverProgress, faultVerb, fmtMsUnit, type FailoverView } from '../src/store/index.ts';
import { bar } from '../src/stats/histogram.ts';
import { Panel, innerLines, innerWidth } from './Panel.tsx';
import { useTheme, type Colour } from './theme.ts';

export interface FailoverPanelProps {
  failover: FailoverView | null;
  /** control-clock now, for the elapsed time while it runs */
  now: number;
  width: number;
  height: number;
  focused?: boolean;
}

const PHASE_COLOUR: Record<string, Colour> = { detecting: 'red', electing: 'yellow', 're-detecting': 'yellow', complete: 'green', ended: 'green' };

export function FailoverPanel({ failover: f, now, width, height, focused }: FailoverPanelProps) {
  const { c } = useTheme();
  if (height <= 0) return null;
  if (!f) {
    return (
      <Panel index={3} title="Failover" focused={focused} width={width} height={height}>
        <Text dimColor>no failover yet: k kills the active master, r runs rounds</Text>
      </Panel>
    );
  }
  const p = failoverProgress(f, now);
  const w = innerWidth(width);
  const since = (t: number | null) => (t === null ? '…' : `+${fmtMsUnit(t - f.tf)}`);
  const labelW = Math.min(20, Math.max(4, ...p.hosts.map((h) => h.host.length)));
  const counterW = String(p.total).length * 2 + 1;
  const tailText = (know: number, total: number, notified: number) =>
    `${`${know}/${total}`.padStart(counterW)} know ${f.newMaster ?? 'new master'} · ${notified} notified`;
  const barW = Math.max(4, Math.min(40, w - labelW - 2 - tailText(p.total, p.total, p.total).length - 1));
  const rows = p.hosts.length > 1 ? [...p.hosts, { host: 'all', total: p.total, know: p.know, notified: p.notified }] : p.hosts;
  const result = f.result;
  const split = result?.split;
  const room = Math.max(0, innerLines(height) - 2 - (split ? 1 : 0));
  return (
    <Panel index={3} title="Failover" info={`round ${f.round}`} focused={focused} width={width} height={height}>
      <Text wrap="truncate-end">
        {`${faultVerb(f.fault, f.verb)} ${f.target} (pid ${f.pid} on ${f.host}) · `}
        <Text bold>{`+${fmtMsUnit(p.elapsedMs)}`}</Text>
        {' · '}
        <Text color={c(PHASE_COLOUR[p.phase])}>{p.phase}</Text>
        {result ? ` · failover ${fmtMsUnit(result.failoverMs)}${result.ok ? '' : ` FAILED${result.error ? `: ${result.error}` : ''}`}` : ''}
      </Text>
      <Text wrap="truncate-end">
        {`detect ${since(f.detectAt)} · `}
        <Text color={c(f.newMaster ? 'green' : undefined)}>{f.newMaster ?? 'no new master yet'}</Text>
        {f.newMaster ? ` elected ${since(f.electedAt)}` : ''}
        {f.electedAt !== null && f.detectAt !== null ? ` · election ${fmtMsUnit(f.electedAt - f.detectAt)}` : ''}
        {f.stepdownAt !== null ? ` · old master stepped down ${since(f.stepdownAt)}` : ''}
      </Text>
      {split ? (
        <Text wrap="truncate-end" dimColor>
          {`where it went: lease left ${fmtMsUnit(split.leaseRemainingMs)} · etcd expiry lag ${fmtMsUnit(split.expiryLagMs)} · detection ${fmtMsUnit(split.detectionMs)} · election ${fmtMsUnit(split.electionMs)}`}
        </Text>
      ) : null}
      {p.total === 0 ? <Text dimColor>no agents were running at the fault</Text> : null}
      {rows.slice(0, room).map((h) => (
        <Text key={h.host} wrap="truncate-end">
          {h.host.slice(0, labelW).padEnd(labelW)}{' '}
          <Text color={c(h.know >= h.total ? 'green' : 'yellow')}>{bar(h.total > 0 ? h.know / h.total : 0, barW, { empty: '░' })}</Text>{' '}
          {tailText(h.know, h.total, h.notified)}
        </Text>
      ))}
    </Panel>
  );
}
