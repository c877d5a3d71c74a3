/**
 * The dashboard root with fake actions and a fake event source: every key
 * binding, the confirmation flows, errors, throttling and resize.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { App, type AppProps } from '../../views/App.tsx';
import { T0, agentsUp, clusterUp, config, failover, fault, mastersUp, roundEnd, roundResult } from '../store/fixtures.ts';
import { KEY, fakeActions, fakeSource, frame, press, waitFor, type FakeActions, type FakeSource } from './helpers.ts';

afterEach(cleanup);

interface Harness {
  app: ReturnType<typeof render>;
  source: FakeSource;
  actions: FakeActions;
  exited: () => boolean;
}

async function start(props: Partial<AppProps> = {}, events = [config(), ...clusterUp(), ...mastersUp(), ...agentsUp(20)]): Promise<Harness> {
  const source = fakeSource();
  const actions = fakeActions();
  let exited = false;
  const app = render(
    <App source={source} actions={actions} frameMs={10} columns={100} rows={40} clock={() => T0 + 50000} onExit={() => (exited = true)} {...props} />,
  );
  await waitFor(() => source.listeners() === 1, 2000, 'the app to subscribe');
  source.push(...events);
  await waitFor(() => frame(app).includes('run-1') || events.length === 0, 2000, 'the first events on screen');
  return { app, source, actions, exited: () => exited };
}

describe('actions without confirmation', () => {
  for (const [key, call] of [
    ['s', 'startMasters'],
    ['a', 'startAgents'],
    ['t', 'term'],
    ['p', 'pause'],
    ['g', 'resign'],
  ] as const) {
    test(`${key} calls ${call}`, async () => {
      // Given the dashboard
      const { app, actions } = await start();
      // When the key is pressed
      await press(app, key);
      // Then the action ran once
      await waitFor(() => actions.calls.length === 1, 2000, call);
      assert.deepEqual(actions.calls, [call]);
    });
  }

  test('e exports and says where', async () => {
    const { app, actions } = await start();
    await press(app, 'e');
    await waitFor(() => frame(app).includes('results exported to /tmp/results/run-1'), 2000, 'the export path');
    assert.deepEqual(actions.calls, ['exportResults']);
  });

  test('a running action shows in the status line until it settles', async () => {
    const { app, actions } = await start();
    let release!: () => void;
    actions.hold.startAgents = new Promise((r) => (release = r));
    await press(app, 'a');
    await waitFor(() => frame(app).includes('start agents…'), 2000, 'busy status');
    release();
    await waitFor(() => frame(app).includes('✓ start agents: done'), 2000, 'done status');
  });
});

describe('destructive keys ask first', () => {
  test('k then y kills the active master', async () => {
    const { app, actions } = await start();
    await press(app, 'k');
    const f = frame(app);
    assert.match(f, /Kill the active master\?\s+SIGKILL m1 \(pid 101 on localhost\)/);
    assert.match(f, /y kill · any other key or Esc cancels/);
    assert.deepEqual(actions.calls, []);
    await press(app, 'y');
    await waitFor(() => actions.calls.length === 1, 2000, 'kill');
    assert.deepEqual(actions.calls, ['kill(m1)']);
    assert.ok(!frame(app).includes('Kill the active master?'), 'the dialog closed');
  });

  test('k then n does not kill', async () => {
    const { app, actions } = await start();
    await press(app, 'k', 'n');
    assert.ok(!frame(app).includes('Kill the active master?'));
    await press(app, 's'); // keys work again afterwards
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['startMasters']);
  });

  test('k then Esc does not kill', async () => {
    const { app, actions } = await start();
    await press(app, 'k', KEY.esc);
    assert.ok(!frame(app).includes('Kill the active master?'));
    assert.deepEqual(actions.calls, []);
  });

  test('x then y stops all; x then any other key does not', async () => {
    const { app, actions } = await start();
    await press(app, 'x');
    assert.match(frame(app), /Stop all workers\?/);
    await press(app, 'q');
    assert.deepEqual(actions.calls, [], 'q in the dialog cancels, it does not quit');
    await press(app, 'x', 'y');
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['stopAll']);
  });

  test('c then y cleans the keys', async () => {
    const { app, actions } = await start();
    await press(app, 'c');
    assert.match(frame(app), /Delete the benchmark's keys\?\s+\/master/);
    await press(app, 'y');
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['clean']);
  });
});

describe('r runs rounds', () => {
  test('Enter takes the default', async () => {
    const { app, actions } = await start({ defaultRounds: 5, roundsFault: 'kill' });
    await press(app, 'r');
    assert.match(frame(app), /Run how many kill rounds\? 5/);
    await press(app, KEY.enter);
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['runRounds(5)']);
  });
  test('typing replaces the default', async () => {
    const { app, actions } = await start();
    await press(app, 'r', '1', '2', '3', KEY.backspace, KEY.enter);
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['runRounds(12)']);
  });
  test('Esc cancels', async () => {
    const { app, actions } = await start();
    await press(app, 'r', KEY.esc);
    assert.ok(!frame(app).includes('Run how many'));
    assert.deepEqual(actions.calls, []);
  });
  test('without asking, r runs the default at once', async () => {
    const { app, actions } = await start({ askRounds: false, defaultRounds: 3 });
    await press(app, 'r');
    await waitFor(() => actions.calls.length === 1);
    assert.deepEqual(actions.calls, ['runRounds(3)']);
  });
});

describe('q quits', () => {
  test('with workers running it asks: y stops them', async () => {
    const { app, actions, exited } = await start();
    await press(app, 'q');
    assert.match(frame(app), /Quit: stop the workers\?/);
    await press(app, 'y');
    await waitFor(() => exited(), 2000, 'exit');
    assert.deepEqual(actions.calls, ['quit']);
  });
  test('n stays: no worker outlives the console, so there is no "leave them running"', async () => {
    const { app, actions, exited } = await start();
    await press(app, 'q', 'n');
    assert.deepEqual(actions.calls, []);
    assert.equal(exited(), false);
    assert.ok(!frame(app).includes('Quit: stop the workers?'));
  });
  test('Esc stays', async () => {
    const { app, actions, exited } = await start();
    await press(app, 'q', KEY.esc);
    assert.deepEqual(actions.calls, []);
    assert.equal(exited(), false);
    assert.ok(!frame(app).includes('Quit: stop the workers?'));
  });
  test('with no worker running it quits at once', async () => {
    const { app, actions, exited } = await start({}, [config()]);
    await press(app, 'q');
    await waitFor(() => exited(), 2000, 'exit');
    assert.deepEqual(actions.calls, ['quit']);
  });
  test('ctrl+c quits and stops the workers', async () => {
    const { app, actions, exited } = await start();
    await press(app, KEY.ctrlC);
    await waitFor(() => exited(), 2000, 'exit');
    assert.deepEqual(actions.calls, ['quit']);
  });
  test('a failing quit is shown and the app stays', async () => {
    const { app, actions, exited } = await start({}, [config()]);
    actions.failWith.quit = new Error('ssh root@10.0.0.2: connection reset');
    await press(app, 'q');
    await waitFor(() => frame(app).includes('quit failed: ssh root@10.0.0.2: connection reset'), 2000, 'the error');
    assert.equal(exited(), false);
  });
});

describe('errors never crash', () => {
  test('a failing action is shown in the status line and the log', async () => {
    const { app, actions } = await start();
    actions.failWith.kill = new Error('no active master');
    await press(app, 'k', 'y');
    await waitFor(() => frame(app).includes('✕ kill failed: no active master'), 2000, 'status');
    await waitFor(() => /error\s+bench\s+kill failed: no active master/.test(frame(app)), 2000, 'log line');
    await press(app, 's');
    await waitFor(() => actions.calls.includes('startMasters'), 2000, 'still responsive');
  });
  test('an action that throws synchronously is caught too', async () => {
    const { app, actions } = await start();
    actions.term = () => {
      throw new Error('boom');
    };
    await press(app, 't');
    await waitFor(() => frame(app).includes('SIGTERM failed: boom'), 2000, 'status');
  });
});

describe('help, filter, follow, focus, scroll', () => {
  test('? opens the help, Esc closes it', async () => {
    const { app } = await start();
    await press(app, '?');
    assert.match(frame(app), /Keys \(Esc closes this help\)/);
    assert.match(frame(app), /SIGKILL the active master/);
    await press(app, KEY.esc);
    assert.ok(!frame(app).includes('Keys (Esc closes this help)'));
    assert.match(frame(app), /1 Hosts/);
  });

  test('/ filters the log as you type; Enter keeps it, Esc clears it', async () => {
    const { app } = await start();
    await press(app, '/', 'e', 'l', 'e', 'c', 't');
    await waitFor(() => /filter "elect": 1\//.test(frame(app)), 2000, 'the filter');
    assert.match(frame(app), /m1\s+elected master at rev 6/);
    assert.ok(!frame(app).includes('started master m2'));
    await press(app, KEY.enter);
    assert.match(frame(app), /filter "elect"/, 'Enter keeps the filter');
    await press(app, 's');
    await press(app, '/', KEY.esc);
    assert.ok(!frame(app).includes('filter "'), 'Esc clears it');
  });

  test('typing in the filter does not trigger actions', async () => {
    const { app, actions } = await start();
    await press(app, '/', 'k', 'x', 'q');
    assert.deepEqual(actions.calls, []);
    assert.match(frame(app), /\/ kxq/);
  });

  test('f toggles follow', async () => {
    const { app } = await start();
    assert.match(frame(app), /5 Log \([^)]*follow\)/);
    await press(app, 'f');
    assert.match(frame(app), /paused, 0 newer below/);
    await press(app, 'f');
    assert.match(frame(app), /· follow\)/);
  });

  test('tab and 1-5 move the focus', async () => {
    const { app, source } = await start();
    assert.match(frame(app), /▸5 Log/);
    await press(app, KEY.tab);
    assert.match(frame(app), /▸1 Hosts/);
    await press(app, KEY.tab);
    assert.match(frame(app), /▸2 Masters/);
    await press(app, KEY.tab);
    assert.match(frame(app), /▸4 Summary/, 'no failover yet: its panel is skipped');
    await press(app, KEY.shiftTab);
    assert.match(frame(app), /▸2 Masters/);
    source.push(...fault(T0 + 40000));
    await waitFor(() => frame(app).includes('3 Failover'), 2000, 'failover panel');
    await press(app, '3');
    assert.match(frame(app), /▸3 Failover/);
    await press(app, '5');
    assert.match(frame(app), /▸5 Log/);
  });

  test('arrows scroll the focused log; End follows again', async () => {
    const { app, source } = await start();
    source.push(...Array.from({ length: 100 }, (_, i) => ({ kind: 'log' as const, level: 'info' as const, message: `line ${i}`, t: T0 + 100 + i })));
    await waitFor(() => frame(app).includes('line 99'), 2000, 'the last line');
    await press(app, KEY.up, KEY.up, KEY.up);
    assert.match(frame(app), /paused, 3 newer below/);
    assert.ok(!frame(app).includes('line 99'));
    await press(app, KEY.pageUp);
    assert.ok(!frame(app).includes('line 90'));
    await press(app, KEY.end);
    assert.match(frame(app), /line 99/);
    assert.match(frame(app), /· follow\)/);
  });
});

describe('rendering', () => {
  test('all panels are there, and a failover with its round row', async () => {
    const tf = T0 + 40000;
    const { app, source } = await start();
    source.push(...fault(tf), ...failover(tf, 20), roundEnd(roundResult(1, 1712, { faultAt: tf })));
    await waitFor(() => frame(app).includes('1 kill'), 2000, 'the round row');
    const f = frame(app);
    for (const s of ['1 Hosts', '2 Masters', '3 Failover', '4 Summary', '5 Log', 'q quit', '20/20 know m2', '● m2']) assert.ok(f.includes(s), `missing ${s}\n${f}`);
    assert.match(f, /1\s+kill\s+m1 -> m2\s+1712/);
  });

  test('the dashboard always fits the terminal', async () => {
    for (const [columns, rows] of [
      [100, 40],
      [80, 24],
      [60, 16],
    ]) {
      const { app } = await start({ columns, rows });
      const lines = frame(app).split('\n');
      assert.ok(lines.length <= rows - 1, `${columns}x${rows}: ${lines.length} lines`);
      for (const l of lines) assert.ok(l.length <= columns, `${columns}x${rows}: ${l}`);
      assert.match(lines[lines.length - 1], /q quit/);
      app.unmount();
    }
  });

  test('a resize reflows', async () => {
    const source = fakeSource();
    const app = render(<App source={source} actions={fakeActions()} frameMs={10} />);
    await waitFor(() => source.listeners() === 1);
    source.push(config(), ...mastersUp());
    await waitFor(() => frame(app).includes('run-1'));
    const width = () => Math.max(...frame(app).split('\n').map((l) => l.length));
    assert.equal(width(), 100);
    Object.defineProperty(app.stdout, 'columns', { value: 70, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: 20, configurable: true });
    app.stdout.emit('resize');
    await waitFor(() => width() === 70, 2000, 'the new width');
    assert.ok(frame(app).split('\n').length <= 19);
  });

  test('many events are reduced in batches: frames stay few', async () => {
    const { app, source } = await start({ frameMs: 100 });
    const before = app.frames.length;
    const tf = T0 + 40000;
    source.push(...fault(tf));
    // 10,000 agent events arrive within one frame
    source.push(...failover(tf, 5000));
    await waitFor(() => frame(app).includes('phase') || /complete/.test(frame(app)), 3000, 're-detection complete');
    const drawn = app.frames.length - before;
    assert.ok(drawn <= 5, `${drawn} frames for 10,000 events`);
  });

  test('it unsubscribes from the source when it ends', async () => {
    const { app, source } = await start();
    app.unmount();
    assert.equal(source.listeners(), 0);
  });
});
