/**
 * What the view tests share: a fake EventSource to push BenchEvents through,
 * fake DashboardActions that record their calls (and can be made to fail or
 * hang), keys as the terminal sends them, and one waitFor instead of sleeps.
 *
 *   const source = fakeSource(); const actions = fakeActions();
 *   const app = render(<App source={source} actions={actions} frameMs={10} />);
 *   source.push(...mastersUp()); await waitFor(() => frame(app).includes('m1'));
 *   await press(app, 'k'); await press(app, 'y'); assert.deepEqual(actions.calls, ['kill']);
 */
import type { BenchEvent } from '../../src/events.ts';
import type { DashboardActions, EventSource } from '../../src/store/index.ts';

export interface FakeSource extends EventSource {
  push(...events: BenchEvent[]): void;
  listeners(): number;
}

export function fakeSource(): FakeSource {
  const ls = new Set<(e: BenchEvent) => void>();
  return {
    subscribe(l) {
      ls.add(l);
      return () => ls.delete(l);
    },
    push(...events) {
      for (const e of events) for (const l of ls) l(e);
    },
    listeners: () => ls.size,
  };
}

export type ActionCall = string;

export interface FakeActions extends DashboardActions {
  calls: ActionCall[];
  /** make the named action reject with this error */
  failWith: Partial<Record<keyof DashboardActions, Error>>;
  /** make the named action wait until released */
  hold: Partial<Record<keyof DashboardActions, Promise<void>>>;
}

export function fakeActions(): FakeActions {
  const a = {
    calls: [] as string[],
    failWith: {} as FakeActions['failWith'],
    hold: {} as FakeActions['hold'],
  };
  const act =
    <R,>(name: keyof DashboardActions, result: R) =>
    async (...args: unknown[]): Promise<R> => {
      a.calls.push(args.length > 0 ? `${name}(${args.map(String).join(',')})` : name);
      await a.hold[name];
      const err = a.failWith[name];
      if (err) throw err;
      return result;
    };
  return Object.assign(a, {
    startMasters: act('startMasters', undefined),
    startAgents: act('startAgents', undefined),
    kill: act('kill', undefined) as (aim?: string) => Promise<void>,
    term: act('term', undefined),
    pause: act('pause', undefined),
    resign: act('resign', undefined),
    runRounds: act('runRounds', undefined) as (n: number) => Promise<void>,
    stopAll: act('stopAll', undefined),
    clean: act('clean', undefined),
    exportResults: act('exportResults', '/tmp/results/run-1'),
    quit: act('quit', undefined) as () => Promise<void>,
  });
}

/** Poll `fn` until it is truthy (or throw with `what` after the deadline). */
export async function waitFor<T>(fn: () => T, timeoutMs = 3000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A macrotask turn: what ink-testing-library needs after stdin.write. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

export const KEY = {
  esc: '\u001B',
  enter: '\r',
  tab: '\t',
  shiftTab: '\u001B[Z',
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const;

/**
 * What a terminal sends for one binding of the key table (views/keys.ts):
 * a named key, ctrl+<letter>, a character, or a sample of a class.
 */
export function sequenceOf(binding: string): string {
  const named: Record<string, string> = {
    enter: KEY.enter,
    esc: KEY.esc,
    tab: KEY.tab,
    'shift+tab': KEY.shiftTab,
    backspace: KEY.backspace,
    up: KEY.up,
    down: KEY.down,
    pageup: KEY.pageUp,
    pagedown: KEY.pageDown,
    home: KEY.home,
    end: KEY.end,
    '<digit>': '7',
    '<text>': 'Z',
    '<any>': 'n',
  };
  if (named[binding]) return named[binding];
  const ctrl = /^ctrl\+([a-z])$/.exec(binding);
  if (ctrl) return String.fromCharCode(ctrl[1].charCodeAt(0) - 96);
  if ([...binding].length === 1) return binding;
  throw new Error(`no key sequence for binding ${binding}: add it to sequenceOf`);
}

/** Every key a test may press: printable ASCII, ctrl+letters, and the named keys a terminal sends. */
export const EVERY_KEY: readonly string[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  ...Array.from({ length: 26 }, (_, i) => String.fromCharCode(i + 1)),
  ...Object.values(KEY),
  '\u001B[C', // right
  '\u001B[D', // left
  '\u001B[3~', // delete
  '\u001BOP', // F1
  '\u001Bx', // alt+x
];

interface Rendered {
  stdin: { write(data: string): void };
  lastFrame(): string | undefined;
}

/** Type keys (one write each) and let Ink handle them. */
export async function press(app: Rendered, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    app.stdin.write(k);
    await tick();
  }
  await tick();
}

/** The last frame without colour codes. */
export function frame(app: Rendered): string {
  // eslint-disable-next-line no-control-regex -- stripping SGR sequences
  return (app.lastFrame() ?? '').replace(/\u001B\[[0-9;]*m/g, '');
}
