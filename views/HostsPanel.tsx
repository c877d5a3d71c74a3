/**
 * Panel 1: the configured hosts and their workers.
 *
 *   host         roles         via    state  pids      agents     know  clock
 *   localhost    master        local  up     101,102   -          -     0 ± 0 ms
 *   agent-1      agent         ssh    up     200       200/200    200   +3.2 ± 0.4 ms
 */
import { Text } from 'ink';
import { fmtOffset, NONE, type HostView } from '../src/store/index.ts';
import { Panel, innerLines, innerWidth, visibleSlice } from './Panel.tsx';
import { columnWidths, Table, type Column } from './Table.tsx';
import { hostColour } from './theme.ts';

export interface HostsPanelProps {
  hosts: readonly HostView[];
  width: number;
  height: number;
  focused?: boolean;
  /** rows scrolled down from the top */
  scroll?: number;
}

const COLUMNS: Column<HostView>[] = [
  { header: 'host', cell: (h) => h.host, min: 9 },
  { header: 'roles', cell: (h) => h.roles.join('+') || NONE, drop: 4 },
  { header: 'via', cell: (h) => h.transport, drop: 5 },
  { header: 'state', cell: (h) => h.state, colour: (h) => hostColour(h.state) },
  { header: 'pids', cell: (h) => (h.pids.length > 0 ? h.pids.join(',') : NONE), flex: true, min: 4, drop: 2 },
  {
    header: 'agents',
    cell: (h) => (h.agentsTotal > 0 || h.roles.includes('agent') ? `${h.agentsUp}/${h.agentsTotal}` : NONE),
    colour: (h) => (h.agentsTotal > 0 && h.agentsUp < h.agentsTotal ? 'yellow' : undefined),
    align: 'right',
  },
  { header: 'know', cell: (h) => (h.agentsTotal > 0 ? String(h.agentsKnowMaster) : NONE), align: 'right', drop: 3 },
  { header: 'clock ms', cell: (h) => fmtOffset(h.clockOffsetMs, h.clockUncertaintyMs).replace(/ ms$/, '').replace(' ± ', '±'), drop: 1 },
];

/** The width the table would like, borders included (the layout gives it this when it can). */
export function hostsPanelWidth(hosts: readonly HostView[]): number {
  const w = columnWidths(COLUMNS, hosts, 10_000);
  return w.reduce((a, b) => a + b, 0) + w.length - 1 + 2;
}

export function HostsPanel({ hosts, width, height, focused, scroll = 0 }: HostsPanelProps) {
  const lines = innerLines(height) - 1; // the header row
  const { rows, max } = visibleSlice(hosts, lines, scroll, 'top');
  const errored = hosts.filter((h) => h.state === 'unreachable').length;
  const info = `(${hosts.length}${errored ? `, ${errored} unreachable` : ''}${max > 0 ? `, ${Math.min(scroll, max) + 1}-${Math.min(scroll, max) + rows.length}` : ''})`;
  return (
    <Panel index={1} title="Hosts" info={info} focused={focused} width={width} height={height}>
      {hosts.length === 0 ? (
        <Text dimColor>no hosts yet</Text>
      ) : (
        <Table columns={COLUMNS} rows={rows} measure={hosts} width={innerWidth(width)} rowKey={(h) => h.host} />
      )}
    </Panel>
  );
}
