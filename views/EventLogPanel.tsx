/**
 * Panel 5: the event log (the store's bounded ring), scrollable, filtered as
 * you type after `/`, following the newest line unless scrolled up (`f`).
 *
 *   15:21:07.123 warn  bench      round 3: SIGKILL m1 (pid 101 on localhost)
 *   15:21:08.835 info  m2         elected master at rev 8 (+1712 ms after the fault)
 *   / elect▌
 */
import { Text } from 'ink';
import { fmtClock, type LogLine } from '../src/store/index.ts';
import { Panel, innerLines } from './Panel.tsx';
import { levelColour, useTheme } from './theme.ts';

export interface LogView {
  /** follow the newest line */
  follow: boolean;
  /** when not following: seq of the bottom line shown */
  anchor: number | null;
}

export function matchLog(lines: readonly LogLine[], filter: string): LogLine[] {
  const f = filter.trim().toLowerCase();
  if (!f) return lines as LogLine[];
  return lines.filter((l) => `${l.level} ${l.source} ${l.text}`.toLowerCase().includes(f));
}

/** Index just past the bottom line shown. */
function bottomIndex(lines: readonly LogLine[], view: LogView): number {
  if (view.follow || view.anchor === null) return lines.length;
  let i = lines.length;
  while (i > 0 && lines[i - 1].seq > view.anchor) i--;
  return i;
}

export function logWindow(lines: readonly LogLine[], view: LogView, count: number): { rows: LogLine[]; below: number } {
  const end = Math.max(Math.min(lines.length, count), bottomIndex(lines, view));
  return { rows: lines.slice(Math.max(0, end - count), end), below: lines.length - end };
}

/** Scroll by `delta` lines (positive = older); reaching the newest line follows again. */
export function scrollLog(lines: readonly LogLine[], view: LogView, delta: number, count: number): LogView {
  if (lines.length === 0) return view;
  const end = bottomIndex(lines, view);
  const next = Math.min(lines.length, Math.max(Math.min(count, lines.length), end - delta));
  if (next >= lines.length) return { follow: true, anchor: null };
  return { follow: false, anchor: lines[next - 1].seq };
}

export interface EventLogPanelProps {
  lines: readonly LogLine[];
  filter: string;
  /** the filter is being typed */
  editing?: boolean;
  view: LogView;
  width: number;
  height: number;
  focused?: boolean;
  /** lines dropped from the bounded log so far */
  dropped?: number;
}

export function EventLogPanel({ lines, filter, editing = false, view, width, height, focused, dropped = 0 }: EventLogPanelProps) {
  const { c } = useTheme();
  const matched = matchLog(lines, filter);
  const count = Math.max(0, innerLines(height) - (editing ? 1 : 0));
  const { rows, below } = logWindow(matched, view, count);
  const srcW = Math.min(14, Math.max(5, ...rows.map((l) => l.source.length)));
  const info = [
    filter ? `filter "${filter}": ${matched.length}/${lines.length}` : `${lines.length} lines${dropped ? ` (+${dropped} older dropped)` : ''}`,
    view.follow ? 'follow' : `paused, ${below} newer below (f follows)`,
  ].join(' · ');
  return (
    <Panel index={5} title="Log" info={`(${info})`} focused={focused} width={width} height={height}>
      {rows.length === 0 ? <Text dimColor>{filter ? 'no line matches the filter' : 'no events yet'}</Text> : null}
      {rows.map((l) => (
        <Text key={l.seq} wrap="truncate-end" color={c(levelColour(l.level))} dimColor={l.level === 'debug'}>
          {`${fmtClock(l.t)} ${l.level.padEnd(5)} ${l.source.slice(0, srcW).padEnd(srcW)} ${l.text}`}
        </Text>
      ))}
      {editing ? (
        <Text wrap="truncate-end">
          <Text color={c('cyan')}>/ </Text>
          {filter}
          <Text inverse> </Text>
          <Text dimColor> Enter keeps · Esc clears</Text>
        </Text>
      ) : null}
    </Panel>
  );
}
