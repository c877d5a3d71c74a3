/**
 * Panel 2: the masters (one line per worker id, coloured by state) and the
 * live tail of the /master watch as the control node sees it.
 *
 *   ● m1  master     pid 101  localhost
 *   ○ m2  candidate  pid 102  localhost
 *   ── watch /master
 *   15:21:08.835 DELETE             rev 7  +1689 ms
 *   15:21:08.859 PUT     m2         rev 8  +1713 ms
 */
import { Box, Text } from 'ink';
import type { MasterWatchLine } from '../src/events.ts';
import { fmtClock, fmtMsUnit, NONE, type MasterRow } from '../src/store/index.ts';
import { Panel, innerLines, innerWidth, visibleSlice } from './Panel.tsx';
import { masterColour, masterMarker, useTheme } from './theme.ts';

export interface MasterWatchPanelProps {
  masters: readonly MasterRow[];
  activeMaster: string | null;
  watch: readonly MasterWatchLine[];
  masterPath: string;
  /** fault time of the current/last failover: watch lines after it (until the round ended) show "+N ms" */
  faultAt: number | null;
  /** when that round ended (null: still running); later lines are not timed from its fault */
  faultUntil?: number | null;
  width: number;
  height: number;
  focused?: boolean;
  /** watch lines scrolled up from the newest */
  scroll?: number;
}

/** How the panel's lines are shared: masters get up to half (one at least), a rule, the watch tail the rest. */
export function masterWatchLines(masterCount: number, height: number): { masterLines: number; tailLines: number } {
  const lines = innerLines(height);
  const masterLines = lines <= 2 ? lines : Math.min(Math.max(1, masterCount), Math.max(1, Math.ceil(lines / 2)), lines - 2);
  return { masterLines, tailLines: lines <= 2 ? 0 : lines - masterLines - 1 };
}

/** Live masters first, then the dead; when not all fit, the active master leads. */
export function orderMasters(masters: readonly MasterRow[], activeMaster: string | null, room: number): MasterRow[] {
  const ordered = [...masters.filter((m) => m.state !== 'dead'), ...masters.filter((m) => m.state === 'dead')];
  const active = ordered.findIndex((m) => m.id === activeMaster);
  if (ordered.length <= room || active <= 0) return ordered;
  return [ordered[active], ...ordered.slice(0, active), ...ordered.slice(active + 1)];
}

export function MasterWatchPanel({ masters, activeMaster, watch, masterPath, faultAt, faultUntil = null, width, height, focused, scroll = 0 }: MasterWatchPanelProps) {
  const { c } = useTheme();
  const w = innerWidth(width);
  const { masterLines, tailLines } = masterWatchLines(masters.length, height);
  const shown = orderMasters(masters, activeMaster, masterLines).slice(0, masterLines);
  const { rows, max } = visibleSlice(watch, tailLines, scroll, 'bottom');
  const idWidth = Math.min(16, Math.max(2, ...masters.map((m) => m.id.length)));
  const valueWidth = Math.min(24, Math.max(6, ...watch.slice(-50).map((l) => (l.value ?? '').length)));
  const live = masters.filter((m) => m.state !== 'dead').length;
  return (
    <Panel index={2} title="Masters" info={`(${live} live) · watch ${masterPath}`} focused={focused} width={width} height={height}>
      {masters.length === 0 ? <Text dimColor>no masters yet: press s</Text> : null}
      {shown.map((m) => (
        <Text key={m.id} wrap="truncate-end" color={c(masterColour(m.state))}>
          {`${masterMarker(m.state)} ${m.id.padEnd(idWidth)} ${m.state.padEnd(9)} pid ${String(m.pid ?? NONE).padEnd(7)} ${m.host}`}
          {m.id === activeMaster && m.state !== 'master' ? ' (holds the key)' : ''}
          {m.refreshFailing ? ' keep-alive failing' : ''}
          {m.reason && m.state === 'candidate' ? ` (${m.reason})` : ''}
        </Text>
      ))}
      {tailLines > 0 ? (<Text dimColor wrap="truncate-end">
        {`── watch ${masterPath}${max > 0 && scroll > 0 ? ` (${Math.min(scroll, max)} up)` : ''} `.padEnd(w, '─')}
      </Text>
      ) : null}
      <Box flexDirection="column">
        {watch.length === 0 && tailLines > 0 ? <Text dimColor>no watch events yet</Text> : null}
        {rows.map((l, i) => (
          <Text key={`${l.rev}-${i}`} wrap="truncate-end" color={c(l.type === 'DELETE' ? 'red' : l.value === activeMaster ? 'green' : undefined)}>
            {`${fmtClock(l.t)} ${l.type.padEnd(6)} ${(l.value ?? '').padEnd(valueWidth)} rev ${l.rev.padEnd(5)}`}
            {faultAt !== null && l.t >= faultAt && (faultUntil === null || l.t <= faultUntil) ? ` +${fmtMsUnit(l.t - faultAt)}` : ''}
          </Text>
        ))}
      </Box>
    </Panel>
  );
}
