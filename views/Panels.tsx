/**
 * The five panels as the layout places them: Hosts and Masters side by side
 * (wide terminal) or stacked, then Failover (once there is one), Summary and
 * the Log. Pure props: App measures, focuses and scrolls; this draws.
 *
 *   <Panels state={state} hosts={hostRows(state)} logLines={lines} layout={L} focus={4} offsets={{hosts: 0, masters: 0, summary: 0}} ... />
 */
import { Box } from 'ink';
import type { DashboardState, HostView, LogLine } from '../src/store/index.ts';
import { EventLogPanel, type LogView } from './EventLogPanel.tsx';
import { FailoverPanel } from './FailoverPanel.tsx';
import { HostsPanel } from './HostsPanel.tsx';
import { MasterWatchPanel, masterWatchLines } from './MasterWatchPanel.tsx';
import { innerLines } from './Panel.tsx';
import { SummaryPanel, summaryLayout } from './SummaryPanel.tsx';
import type { Focus, FocusTo } from './keys.ts';
import type { Layout } from './layout.ts';
import type { Offsets, ScrollLists } from './hooks/use-scroll.ts';

export interface PanelsProps {
  state: DashboardState;
  hosts: readonly HostView[];
  logLines: readonly LogLine[];
  layout: Layout;
  focus: Focus;
  offsets: Offsets;
  logView: LogView;
  filter: string;
  /** the filter is being typed */
  editing: boolean;
  /** control-node clock, ms */
  now: number;
}

/** Lines the body takes: every panel the layout gave room. */
export function bodyHeight(L: Layout): number {
  return L.top + L.masters + L.failover + L.summary + L.log;
}

export function Panels({ state, hosts, logLines, layout: L, focus, offsets, logView, filter, editing, now }: PanelsProps) {
  const masters = (
    <MasterWatchPanel
      masters={state.masters}
      activeMaster={state.activeMaster}
      watch={state.watch}
      masterPath={state.config.masterPath}
      faultAt={state.failover?.tf ?? null}
      faultUntil={state.failover?.endedAt ?? null}
      width={L.mastersWidth}
      height={L.split ? L.top : L.masters}
      focused={focus === 1}
      scroll={offsets.masters}
    />
  );
  const hostsPanel = <HostsPanel hosts={hosts} width={L.hostsWidth} height={L.top} focused={focus === 0} scroll={offsets.hosts} />;
  return (
    <Box flexDirection="column" height={bodyHeight(L)} flexShrink={0}>
      {L.split ? (
        <Box flexDirection="row" height={L.top} flexShrink={0}>
          {hostsPanel}
          {masters}
        </Box>
      ) : (
        <>
          {hostsPanel}
          {masters}
        </>
      )}
      {L.failover > 0 ? <FailoverPanel failover={state.failover} now={now} width={L.width} height={L.failover} focused={focus === 2} /> : null}
      <SummaryPanel rounds={state.rounds} summary={state.summary} width={L.width} height={L.summary} focused={focus === 3} scroll={offsets.summary} />
      <EventLogPanel
        lines={logLines}
        filter={filter}
        editing={editing}
        view={logView}
        width={L.width}
        height={L.log}
        focused={focus === 4}
        dropped={state.log.total - state.log.size}
      />
    </Box>
  );
}

/** The panels on screen, in focus order (Masters shares the top row when split; Failover only once there is one). */
export function visiblePanels(L: Layout): Focus[] {
  const shown = [L.top, L.split ? L.top : L.masters, L.failover, L.summary, L.log];
  return ([0, 1, 2, 3, 4] as Focus[]).filter((p) => shown[p] > 0);
}

/** Where `tab`, `shift+tab` or a digit moves the focus; a panel not on screen cannot take it. */
export function nextFocus(focus: Focus, to: FocusTo, visible: readonly Focus[]): Focus {
  if (typeof to === 'number') return visible.includes(to) ? to : focus;
  const i = visible.indexOf(focus);
  return visible[(i + (to === 'previous' ? visible.length - 1 : 1)) % visible.length] ?? 4;
}

/** What the scroll keys need of each panel in this layout (rows it has, rows it shows). */
export function scrollLists(p: Pick<PanelsProps, 'state' | 'hosts' | 'logLines' | 'layout' | 'filter'>): ScrollLists {
  const { state, layout: L } = p;
  return {
    hosts: () => ({ length: p.hosts.length, visible: Math.max(0, innerLines(L.top) - 1), anchor: 'top' }),
    masters: () => ({ length: state.watch.length, visible: masterWatchLines(state.masters.length, L.split ? L.top : L.masters).tailLines, anchor: 'bottom' }),
    summary: () => ({ length: state.rounds.length, visible: summaryLayout(state.rounds, state.summary, L.width, L.summary).roundLines, anchor: 'bottom' }),
    log: () => ({ lines: p.logLines, filter: p.filter, count: innerLines(L.log) }),
  };
}
