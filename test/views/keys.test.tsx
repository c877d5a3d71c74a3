/**
 * The one key table (views/keys.ts) against the keys the dashboard really
 * handles: every binding reaches its command through Ink's own key parsing,
 * every command does in App what its row says, and App reacts to no key
 * that is not in the table. The key bar and the help read the same rows.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Text, useInput, type Key } from 'ink';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../../views/App.tsx';
import { HelpOverlay } from '../../views/HelpOverlay.tsx';
import { keyBarText } from '../../views/KeyBar.tsx';
import { KEY_MODES, KEY_TABLE, KEYS, keysOf, lookupKey, parseBinding, PANELS, type CommandArgs, type CommandId, type KeyHandlers, type KeyMode } from '../../views/keys.ts';
import { useKeys } from '../../views/hooks/use-keys.ts';
import { T0, agentsUp, clusterUp, config, fault, mastersUp } from '../store/fixtures.ts';
import { EVERY_KEY, KEY, fakeActions, fakeSource, frame, press, sequenceOf, tick, waitFor, type FakeActions, type FakeSource } from './helpers.ts';

afterEach(cleanup);

/** each binding of the table with the command and argument it should reach */
const BINDINGS = KEY_TABLE.flatMap((row) =>
  (row.keys as readonly (string | { on: string; arg: unknown })[]).map((b) => ({
    id: row.id,
    binding: typeof b === 'string' ? b : b.on,
    arg: typeof b === 'string' ? undefined : b.arg,
    modes: row.modes,
  })),
);

function Probe({ mode, hits }: { mode: KeyMode; hits: { id: CommandId; arg: unknown }[] }) {
  const handlers = Object.fromEntries(KEY_TABLE.map((r) => [r.id, (arg: unknown) => hits.push({ id: r.id, arg })])) as unknown as KeyHandlers;
  useKeys(() => mode, handlers);
  return <Text>probe</Text>;
}

function Parse({ keys }: { keys: { input: string; key: Key }[] }) {
  useInput((input, key) => keys.push({ input, key }));
  return <Text>parse</Text>;
}

describe('the key table', () => {
  test('every row has keys, a help text and a mode; every binding parses', () => {
    for (const row of KEY_TABLE) {
      assert.ok(row.keys.length > 0 && row.help.length > 0 && row.modes.length > 0, row.id);
      for (const b of row.keys) assert.doesNotThrow(() => parseBinding(typeof b === 'string' ? b : b.on), row.id);
    }
    assert.throws(() => parseBinding('ctrl-c'), /unknown binding "ctrl-c"/);
  });

  test('every binding reaches its command through Ink, in every mode of its row', async () => {
    for (const mode of KEY_MODES) {
      const hits: { id: CommandId; arg: unknown }[] = [];
      const app = render(<Probe mode={mode} hits={hits} />);
      await tick();
      for (const b of BINDINGS.filter((x) => x.modes.includes(mode))) {
        hits.length = 0;
        await press(app, sequenceOf(b.binding));
        assert.deepEqual(hits, [{ id: b.id, arg: b.arg }], `${mode}: ${b.binding} should run ${b.id}`);
      }
      app.unmount();
    }
  });

  test('the key bar and the help read the table', () => {
    for (const mode of KEY_MODES) {
      const bar = keyBarText(mode, 1000);
      assert.deepEqual(bar, keysOf(mode).filter((k) => k.bar).map((k) => [k.key, k.bar]), mode);
    }
    const f = frame(render(<HelpOverlay width={200} height={40} />));
    for (const k of KEYS) assert.ok(f.includes(k.key) && f.includes(k.help.slice(0, 50)), k.id);
    assert.deepEqual(KEYS, keysOf('normal'));
  });

  test('a named key wins over a class: in the filter, Enter keeps it instead of typing', () => {
    const k = { ctrl: false, meta: false, shift: false, tab: false, return: true, escape: false, backspace: false, delete: false, upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false };
    assert.equal(lookupKey('filter', '\r', k)?.id, 'filterKeep');
    assert.equal(lookupKey('dialog', 'y', { ...k, return: false })?.id, 'confirm');
    assert.equal(lookupKey('dialog', 'y', { ...k, return: false, ctrl: true })?.id, 'cancel');
    assert.equal(lookupKey('dialog', 'c', { ...k, return: false, ctrl: true })?.id, 'quitNow');
    assert.equal(lookupKey('normal', 'b', { ...k, return: false }), null);
  });
});

// ------------------------------------------------------------- App

interface Harness {
  app: ReturnType<typeof render>;
  source: FakeSource;
  actions: FakeActions;
  exited: () => boolean;
}

const LOG_LINES = Array.from({ length: 60 }, (_, i) => ({ kind: 'log' as const, level: 'info' as const, message: `line ${i}`, t: T0 + 41000 + i }));

async function start(): Promise<Harness> {
  const source = fakeSource();
  const actions = fakeActions();
  let exited = false;
  const app = render(<App source={source} actions={actions} frameMs={10} columns={100} rows={40} clock={() => T0 + 50000} onExit={() => (exited = true)} />);
  await waitFor(() => source.listeners() === 1, 2000, 'the app to subscribe');
  source.push(config(), ...clusterUp(), ...mastersUp(), ...agentsUp(20), ...fault(T0 + 40000), ...LOG_LINES);
  await waitFor(() => frame(app).includes('line 59') && frame(app).includes('3 Failover'), 2000, 'the first events on screen');
  return { app, source, actions, exited: () => exited };
}

/** How to get into each mode from the dashboard. */
async function enter(h: Harness, mode: KeyMode): Promise<void> {
  if (mode === 'help') await press(h.app, '?');
  if (mode === 'filter') await press(h.app, '/');
  if (mode === 'prompt') await press(h.app, 'r');
  if (mode === 'dialog') await press(h.app, 'k');
  if (mode === 'quitting') {
    h.actions.hold.quit = new Promise(() => {}); // quit never settles: the app stays in "quitting"
    await press(h.app, 'q', 'y');
    await waitFor(() => frame(h.app).includes('stopping workers and quitting'), 2000, 'quitting');
  }
}

const calls = (...expected: string[]) => async (h: Harness) => {
  await waitFor(() => h.actions.calls.length >= expected.length, 2000, expected.join(', '));
  assert.deepEqual(h.actions.calls, expected);
};
const shows = (re: RegExp) => async (h: Harness) => assert.match(frame(h.app), re);
const hides = (re: RegExp) => async (h: Harness) => assert.doesNotMatch(frame(h.app), re);
const exits = async (h: Harness) => {
  await waitFor(() => h.exited(), 2000, 'exit');
  assert.deepEqual(h.actions.calls, ['quit']);
};

interface Effect<A> {
  /** keys pressed first, after entering the mode */
  before?: (arg: A) => string[];
  then: (h: Harness, arg: A) => Promise<void>;
}

/** What each command does on screen or to the actions; a Record, so a new command needs its line here. */
const EFFECTS: { [C in CommandId]: Effect<CommandArgs[C]> } = {
  startMasters: { then: calls('startMasters') },
  startAgents: { then: calls('startAgents') },
  kill: { then: shows(/Kill the active master\?/) },
  term: { then: calls('term') },
  pause: { then: calls('pause') },
  resign: { then: calls('resign') },
  rounds: { then: shows(/Run how many fault rounds\? 5/) },
  stopAll: { then: shows(/Stop all workers\?/) },
  clean: { then: shows(/Delete the benchmark's keys\?/) },
  export: { then: calls('exportResults') },
  focus: {
    // start on Log; a digit is tried from another panel
    before: (to) => (typeof to === 'number' ? (to === 0 ? [KEY.tab, KEY.tab] : [KEY.tab]) : []),
    then: async (h, to) => {
      const want = to === 'next' ? 0 : to === 'previous' ? 3 : to;
      assert.match(frame(h.app), new RegExp(`▸${want + 1} ${PANELS[want]}`));
    },
  },
  scroll: {
    before: (to) => (to === 'down' || to === 'end' ? [KEY.up, KEY.up] : to === 'pageDown' ? [KEY.home] : []),
    then: async (h, to) => {
      const f = frame(h.app);
      if (to === 'up' || to === 'down') assert.match(f, /paused, 1 newer below/);
      if (to === 'pageUp') assert.match(f, /paused, (\d+) newer below/);
      if (to === 'home') assert.ok(f.includes('run run-1: backend v3-lease') && !f.includes('line 59'), 'the first log line, not the last');
      if (to === 'pageDown') assert.ok(!f.includes('run run-1: backend v3-lease') && /paused, \d+ newer below/.test(f), 'a page further down');
      if (to === 'end') assert.match(f, /· follow\)[\s\S]*line 59/);
    },
  },
  filter: { then: shows(/Enter keeps · Esc clears/) },
  follow: { then: shows(/paused, 0 newer below/) },
  clear: { before: () => ['/', 'l', 'i', 'n', 'e', ' ', '7', KEY.enter], then: async (h) => assert.doesNotMatch(frame(h.app), /filter "/) },
  help: { then: shows(/Keys \(Esc closes this help\)/) },
  quit: { then: shows(/Quit: stop the workers\?/) },
  quitNow: { then: exits },
  closeHelp: { then: async (h) => assert.match(frame(h.app), /^(?![\s\S]*Keys \(Esc closes)[\s\S]*1 Hosts/) },
  filterType: { then: shows(/\/ Z {2}Enter keeps/) },
  filterErase: { before: () => ['a', 'b'], then: shows(/\/ a {2}Enter keeps/) },
  filterKeep: { before: () => ['l', 'i', 'n', 'e', ' ', '7'], then: async (h) => assert.match(frame(h.app), /^(?![\s\S]*Enter keeps)[\s\S]*filter "line 7"/) },
  filterClear: { before: () => ['l', 'i', 'n', 'e'], then: hides(/filter "|Enter keeps/) },
  promptDigit: { then: shows(/rounds\? 7/) },
  promptErase: { before: () => ['1', '2'], then: shows(/rounds\? 1 {3}Enter runs/) },
  promptRun: { then: calls('runRounds(5)') },
  promptCancel: { then: async (h) => (assert.doesNotMatch(frame(h.app), /Run how many/), assert.deepEqual(h.actions.calls, [])) },
  confirm: { then: calls('kill(m1)') },
  cancel: { then: async (h) => (assert.doesNotMatch(frame(h.app), /Kill the active master/), assert.deepEqual(h.actions.calls, [])) },
  leaveNow: {
    then: async (h) => {
      await waitFor(() => h.source.listeners() === 0, 2000, 'the app to leave');
    },
  },
};

describe('every command does in App what its row says', () => {
  for (const b of BINDINGS) {
    for (const mode of b.modes) {
      test(`${mode}: ${b.binding} → ${b.id}${b.arg === undefined ? '' : `(${String(b.arg)})`}`, async () => {
        const h = await start();
        await enter(h, mode);
        const effect = EFFECTS[b.id] as Effect<unknown>;
        await press(h.app, ...(effect.before?.(b.arg) ?? []));
        await press(h.app, sequenceOf(b.binding));
        await effect.then(h, b.arg);
      });
    }
  }
});

describe('App reacts to no key outside the table', () => {
  for (const mode of ['normal', 'help', 'prompt', 'quitting'] as const) {
    test(`${mode}: unbound keys change nothing`, async () => {
      // Given how Ink parses every key a terminal may send
      const parsed: { input: string; key: Key }[] = [];
      const keys = [...new Set(EVERY_KEY)];
      const probe = render(<Parse keys={parsed} />);
      await tick();
      const unbound: string[] = [];
      for (const k of keys) {
        parsed.length = 0;
        await press(probe, k);
        if (parsed.length > 0 && parsed.every((p) => lookupKey(mode, p.input, p.key) === null)) unbound.push(k);
      }
      probe.unmount();
      assert.ok(unbound.length > 40, `${unbound.length} unbound keys`);
      // When each is pressed in App
      const h = await start();
      await enter(h, mode);
      const before = frame(h.app);
      const callsBefore = [...h.actions.calls];
      for (const k of unbound) {
        await press(h.app, k);
        // Then nothing happens
        assert.equal(frame(h.app), before, `${JSON.stringify(k)} changed the screen in ${mode}`);
        assert.deepEqual(h.actions.calls, callsBefore, `${JSON.stringify(k)} ran an action in ${mode}`);
      }
      assert.equal(h.exited(), false);
    });
  }
});
