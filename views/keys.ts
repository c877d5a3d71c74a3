/**
 * Every key of the dashboard in one table: the key bar, the help overlay and
 * the tests read it, so a key cannot exist without its explanation.
 */
export interface KeyHelp {
  /** what to press, as shown */
  key: string;
  /** short label for the key bar; omitted keys only appear in the help */
  bar?: string;
  help: string;
}

export const PANELS = ['Hosts', 'Masters', 'Failover', 'Summary', 'Log'] as const;
export type PanelName = (typeof PANELS)[number];

export const KEYS: readonly KeyHelp[] = [
  { key: 's', bar: 'masters', help: 'start the masters on the master hosts' },
  { key: 'a', bar: 'agents', help: 'start the agents on the agent hosts' },
  { key: 'k', bar: 'kill', help: 'SIGKILL the active master and watch the failover (asks y/n)' },
  { key: 't', bar: 'term', help: 'SIGTERM the active master: graceful release, failover in ms' },
  { key: 'p', bar: 'pause', help: 'SIGSTOP the active master for longer than T, then SIGCONT: measures the dual-leader window' },
  { key: 'g', bar: 'resign', help: 'ask the active master to resign (graceful, no signal)' },
  { key: 'r', bar: 'rounds', help: 'run N rounds of the configured fault (asks for N, Enter takes the default)' },
  { key: 'x', bar: 'stop', help: 'stop every worker on every host (asks y/n)' },
  { key: 'c', bar: 'clean', help: "delete the benchmark's keys from etcd (asks y/n)" },
  { key: 'e', bar: 'export', help: 'write the results (events.jsonl, rounds.csv, summary.json) and show where' },
  { key: 'tab', bar: 'focus', help: `focus the next panel (shift+tab: previous); 1-5 focus one: ${PANELS.map((p, i) => `${i + 1} ${p}`).join(', ')}` },
  { key: '↑ ↓ PgUp PgDn Home End', help: 'scroll the focused panel (End follows the newest lines again)' },
  { key: '/', bar: 'filter', help: 'filter the event log as you type; Enter keeps the filter, Esc clears it' },
  { key: 'f', bar: 'follow', help: 'follow the event log (always show the newest line) on/off' },
  { key: '?', bar: 'help', help: 'this help; Esc or ? closes it (Esc also closes a dialog or the filter)' },
  { key: 'q', bar: 'quit', help: 'quit; when workers are running it asks first: y stops them and quits, any other key stays' },
  { key: 'ctrl+c', help: 'quit now and stop the workers (twice: leave at once)' },
];
