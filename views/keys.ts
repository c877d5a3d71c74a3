/**
 * The dashboard's one key table (after gemini-cli's keyBindings.ts): every
 * command with the keys that trigger it, the modes it works in, its key-bar
 * label and its help text. App's key handler looks a key up here
 * (lookupKey) and calls the handler of the command found; the key bar and
 * the `?` help read the same rows. A key cannot work without being
 * explained, nor be explained without working.
 *
 *   { id: 'kill', keys: ['k'], key: 'k', bar: 'kill', barDrop: 1, help: 'SIGKILL the active master…', modes: ['normal'] }
 *   lookupKey('normal', 'k', key)   // → { id: 'kill', arg: undefined }
 *
 * A binding is a string: one character ('k', '?', '1'), a named key
 * ('enter', 'esc', 'tab', 'shift+tab', 'backspace', 'up', 'down', 'pageup',
 * 'pagedown', 'home', 'end'), 'ctrl+<char>', or a class: '<digit>' (digits),
 * '<text>' (printable text), '<any>' (any key). Within a mode, a named or
 * single-character binding wins over '<digit>', which wins over '<text>',
 * which wins over '<any>'; otherwise the first row wins.
 */
import type { Key } from 'ink';

/** Where a key is read: the dashboard, the help overlay, the filter prompt, the rounds prompt, a y/n dialog, or while quitting. */
export type KeyMode = 'normal' | 'help' | 'filter' | 'prompt' | 'dialog' | 'quitting';
export const KEY_MODES: readonly KeyMode[] = ['normal', 'help', 'filter', 'prompt', 'dialog', 'quitting'];

export const PANELS = ['Hosts', 'Masters', 'Failover', 'Summary', 'Log'] as const;
export type PanelName = (typeof PANELS)[number];

/** A panel by index: 0 Hosts, 1 Masters, 2 Failover, 3 Summary, 4 Log. */
export type Focus = 0 | 1 | 2 | 3 | 4;
/** Where `tab`, `shift+tab` and 1-5 move the focus. */
export type FocusTo = 'next' | 'previous' | Focus;
/** How the arrows, PgUp/PgDn and Home/End move the focused panel. */
export type ScrollTo = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

/** Every command, and the argument its bindings pass to the handler (undefined: none). */
export interface CommandArgs {
  startMasters: undefined;
  startAgents: undefined;
  kill: undefined;
  term: undefined;
  pause: undefined;
  resign: undefined;
  rounds: undefined;
  stopAll: undefined;
  clean: undefined;
  export: undefined;
  focus: FocusTo;
  scroll: ScrollTo;
  filter: undefined;
  follow: undefined;
  clear: undefined;
  help: undefined;
  quit: undefined;
  quitNow: undefined;
  closeHelp: undefined;
  filterType: undefined;
  filterErase: undefined;
  filterKeep: undefined;
  filterClear: undefined;
  promptDigit: undefined;
  promptErase: undefined;
  promptRun: undefined;
  promptCancel: undefined;
  confirm: undefined;
  cancel: undefined;
  leaveNow: undefined;
}
export type CommandId = keyof CommandArgs;

/** A binding string, or a binding string with the argument it passes. */
type Bind<A> = [A] extends [undefined] ? string : { on: string; arg: A };

interface Row<C extends CommandId> {
  id: C;
  /** what triggers the command */
  keys: readonly Bind<CommandArgs[C]>[];
  /** the key as the bar and the help show it */
  key: string;
  /** key-bar label; rows without one appear only in the help */
  bar?: string;
  /** when the bar is too narrow, labels leave highest rank first; rows without a rank keep theirs */
  barDrop?: number;
  help: string;
  modes: readonly KeyMode[];
}
export type KeyCommand = { [C in CommandId]: Row<C> }[CommandId];

/** What App gives for each command: TypeScript makes sure every command has one. */
export type KeyHandlers = { [C in CommandId]: (arg: CommandArgs[C], input: string, key: Key) => void };

const EVERYWHERE_BUT_QUITTING: readonly KeyMode[] = ['normal', 'help', 'filter', 'prompt', 'dialog'];

export const KEY_TABLE: readonly KeyCommand[] = [
  { id: 'startMasters', keys: ['s'], key: 's', bar: 'masters', barDrop: 2, help: 'start the masters on the master hosts', modes: ['normal'] },
  { id: 'startAgents', keys: ['a'], key: 'a', bar: 'agents', barDrop: 3, help: 'start the agents on the agent hosts', modes: ['normal'] },
  { id: 'kill', keys: ['k'], key: 'k', bar: 'kill', barDrop: 1, help: 'SIGKILL the active master and watch the failover (asks y/n)', modes: ['normal'] },
  { id: 'term', keys: ['t'], key: 't', bar: 'term', barDrop: 4, help: 'SIGTERM the active master: graceful release, failover in ms', modes: ['normal'] },
  {
    id: 'pause',
    keys: ['p'],
    key: 'p',
    bar: 'pause',
    barDrop: 5,
    help: 'SIGSTOP the active master for longer than T, then SIGCONT: measures the dual-leader window',
    modes: ['normal'],
  },
  { id: 'resign', keys: ['g'], key: 'g', bar: 'resign', barDrop: 8, help: 'ask the active master to resign (graceful, no signal)', modes: ['normal'] },
  { id: 'rounds', keys: ['r'], key: 'r', bar: 'rounds', barDrop: 6, help: 'run N rounds of the configured fault (asks for N, Enter takes the default)', modes: ['normal'] },
  { id: 'stopAll', keys: ['x'], key: 'x', bar: 'stop', barDrop: 7, help: 'stop every worker on every host (asks y/n)', modes: ['normal'] },
  { id: 'clean', keys: ['c'], key: 'c', bar: 'clean', barDrop: 9, help: "delete the benchmark's keys from etcd (asks y/n)", modes: ['normal'] },
  { id: 'export', keys: ['e'], key: 'e', bar: 'export', barDrop: 10, help: 'write the results (events.jsonl, rounds.csv, summary.json) and show where', modes: ['normal'] },
  {
    id: 'focus',
    keys: [{ on: 'tab', arg: 'next' }, { on: 'shift+tab', arg: 'previous' }, ...PANELS.map((_, i) => ({ on: String(i + 1), arg: i as Focus }))],
    key: 'tab',
    bar: 'focus',
    barDrop: 13,
    help: `focus the next panel (shift+tab: previous); 1-5 focus one: ${PANELS.map((p, i) => `${i + 1} ${p}`).join(', ')}`,
    modes: ['normal'],
  },
  {
    id: 'scroll',
    keys: (['up', 'down', 'pageUp', 'pageDown', 'home', 'end'] as const).map((to) => ({ on: to.toLowerCase(), arg: to })),
    key: '↑ ↓ PgUp PgDn Home End',
    help: 'scroll the focused panel; Home goes to the first line, End to the last (in the log End follows the newest lines again)',
    modes: ['normal'],
  },
  { id: 'filter', keys: ['/'], key: '/', bar: 'filter', barDrop: 11, help: 'filter the event log as you type; Enter keeps the filter, Esc clears it', modes: ['normal'] },
  { id: 'follow', keys: ['f'], key: 'f', bar: 'follow', barDrop: 12, help: 'follow the event log (always show the newest line) on/off', modes: ['normal'] },
  { id: 'clear', keys: ['esc'], key: 'Esc', help: 'clear a kept log filter and the status line', modes: ['normal'] },
  { id: 'help', keys: ['?'], key: '?', bar: 'help', help: 'this help; Esc or ? closes it (Esc also closes a dialog or the filter)', modes: ['normal'] },
  { id: 'quit', keys: ['q'], key: 'q', bar: 'quit', help: 'quit; when workers are running it asks first: y stops them and quits, any other key stays', modes: ['normal'] },
  { id: 'quitNow', keys: ['ctrl+c'], key: 'ctrl+c', help: 'quit now and stop the workers (twice: leave at once)', modes: EVERYWHERE_BUT_QUITTING },

  { id: 'closeHelp', keys: ['esc', '?', 'q', 'enter'], key: 'Esc', bar: 'close help', help: 'close the help (? q and Enter too)', modes: ['help'] },

  { id: 'filterType', keys: ['<text>'], key: 'type', bar: 'to filter the log', help: 'add to the filter: the log narrows as you type', modes: ['filter'] },
  { id: 'filterErase', keys: ['backspace'], key: 'Backspace', help: 'erase the last character of the filter', modes: ['filter'] },
  { id: 'filterKeep', keys: ['enter'], key: 'Enter', bar: 'keep filter', help: 'keep the filter and leave the prompt', modes: ['filter'] },
  { id: 'filterClear', keys: ['esc'], key: 'Esc', bar: 'clear filter', help: 'clear the filter and leave the prompt', modes: ['filter'] },

  { id: 'promptDigit', keys: ['<digit>'], key: '0-9', bar: 'rounds', help: 'the number of rounds (the first digit replaces the default)', modes: ['prompt'] },
  { id: 'promptErase', keys: ['backspace'], key: 'Backspace', help: 'erase the last digit', modes: ['prompt'] },
  { id: 'promptRun', keys: ['enter'], key: 'Enter', bar: 'run', help: 'run that many rounds', modes: ['prompt'] },
  { id: 'promptCancel', keys: ['esc'], key: 'Esc', bar: 'cancel', help: 'run nothing', modes: ['prompt'] },

  { id: 'confirm', keys: ['y'], key: 'y', bar: 'confirm', help: 'do what the dialog asks', modes: ['dialog'] },
  { id: 'cancel', keys: ['<any>'], key: 'any other key', bar: 'cancel', help: 'close the dialog, do nothing', modes: ['dialog'] },

  { id: 'leaveNow', keys: ['ctrl+c'], key: 'ctrl+c', bar: 'leave now', help: 'leave at once, without waiting for the workers to stop', modes: ['quitting'] },
];

/** The rows of one mode, in table order. */
export function keysOf(mode: KeyMode): KeyCommand[] {
  return KEY_TABLE.filter((k) => k.modes.includes(mode));
}

/** The dashboard's keys, as the `?` help lists them. */
export const KEYS: readonly KeyCommand[] = keysOf('normal');

// ------------------------------------------------------------- matching

type KeyPress = Pick<Key, 'ctrl' | 'meta' | 'shift' | 'tab' | 'return' | 'escape' | 'backspace' | 'delete' | 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end'>;
type Matcher = (input: string, key: KeyPress) => boolean;

const NAMED: Record<string, Matcher> = {
  enter: (_, k) => k.return,
  esc: (_, k) => k.escape,
  tab: (_, k) => k.tab && !k.shift,
  'shift+tab': (_, k) => k.tab && k.shift,
  // terminals send DEL (Ink: delete) or BS (Ink: backspace) for the Backspace key
  backspace: (_, k) => k.backspace || k.delete,
  up: (_, k) => k.upArrow,
  down: (_, k) => k.downArrow,
  pageup: (_, k) => k.pageUp,
  pagedown: (_, k) => k.pageDown,
  home: (_, k) => k.home,
  end: (_, k) => k.end,
};

const plain = (k: KeyPress) => !k.ctrl && !k.meta;
// eslint-disable-next-line no-control-regex -- text is what has no control character
const PRINTABLE = /^[^\u0000-\u001F\u007F]+$/u;

const CLASSES: Record<string, { rank: number; match: Matcher }> = {
  '<digit>': { rank: 1, match: (input, k) => plain(k) && /^[0-9]+$/.test(input) },
  '<text>': { rank: 2, match: (input, k) => plain(k) && PRINTABLE.test(input) },
  '<any>': { rank: 3, match: () => true },
};

/** The matcher of one binding string and its rank (0 = a named key or character). Throws on an unknown name. */
export function parseBinding(binding: string): { rank: number; match: Matcher } {
  const cls = CLASSES[binding];
  if (cls) return cls;
  const named = NAMED[binding];
  if (named) return { rank: 0, match: named };
  const ctrl = /^ctrl\+(.)$/.exec(binding);
  if (ctrl) return { rank: 0, match: (input, k) => k.ctrl && input === ctrl[1] };
  if ([...binding].length === 1) return { rank: 0, match: (input, k) => plain(k) && input === binding };
  throw new Error(`key table: unknown binding ${JSON.stringify(binding)}`);
}

export interface KeyHit {
  id: CommandId;
  arg: unknown;
  /** the binding that matched */
  binding: string;
}

interface Compiled extends KeyHit {
  rank: number;
  match: Matcher;
  modes: readonly KeyMode[];
}

// parsed once, at import: a typo in the table fails every test at once
const COMPILED: Compiled[] = KEY_TABLE.flatMap((row) =>
  (row.keys as readonly (string | { on: string; arg: unknown })[]).map((b) => {
    const [binding, arg] = typeof b === 'string' ? [b, undefined] : [b.on, b.arg];
    return { id: row.id, arg, binding, modes: row.modes, ...parseBinding(binding) };
  }),
);

/** The command a key triggers in this mode, or null: the key does nothing there. */
export function lookupKey(mode: KeyMode, input: string, key: KeyPress): KeyHit | null {
  let best: Compiled | null = null;
  for (const c of COMPILED) {
    if ((best === null || c.rank < best.rank) && c.modes.includes(mode) && c.match(input, key)) best = c;
  }
  return best && { id: best.id, arg: best.arg, binding: best.binding };
}

/** Call the handler of the command this key triggers; false when the key does nothing in this mode. */
export function dispatchKey(mode: KeyMode, input: string, key: Key, handlers: KeyHandlers): boolean {
  const hit = lookupKey(mode, input, key);
  if (!hit) return false;
  // the table pairs each id with its own argument type; TypeScript cannot follow that through the lookup
  (handlers[hit.id] as (arg: unknown, input: string, key: Key) => void)(hit.arg, input, key);
  return true;
}

// ------------------------------------------------------------- key bar

export type BarItem = [key: string, label: string];

/** The key bar of a mode, labels dropped (highest barDrop first) until it fits `width`. */
export function keyBarItems(mode: KeyMode, width: number): BarItem[] {
  const rows = keysOf(mode).filter((k) => k.bar);
  const items: BarItem[] = rows.map((k) => [k.key, k.bar!]);
  const drops = rows.map((k, i) => ({ i, rank: k.barDrop })).filter((d) => d.rank !== undefined);
  drops.sort((a, b) => b.rank! - a.rank!);
  for (const { i } of drops) {
    if (barWidth(items) <= width) break;
    items[i] = [items[i][0], ''];
  }
  return items;
}

/** Columns a key bar takes: "key label", two spaces between items. */
export function barWidth(items: readonly BarItem[]): number {
  return items.reduce((n, [k, l]) => n + k.length + (l ? l.length + 1 : 0) + 2, -2);
}

/** The narrowest key bar of any mode (every droppable label dropped): the dashboard needs at least this many columns. */
export function keyBarMinWidth(): number {
  return Math.max(...KEY_MODES.map((m) => barWidth(keyBarItems(m, 0))));
}
