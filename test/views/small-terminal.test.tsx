/**
 * Small terminals: below the smallest size the layout can draw, App shows a
 * one-line notice instead of a wrapped dashboard, and its keys still work;
 * at that size every mode fits without a truncated key bar.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import type { BenchEvent } from '../../src/events.ts';
import { App, MINIMUM_SIZE } from '../../views/App.tsx';
import { keyBarMinWidth } from '../../views/keys.ts';
import { initialState, reduceAll } from '../../src/store/index.ts';
import { T0, agentsUp, clusterUp, config, mastersUp } from '../store/fixtures.ts';
import { KEY, fakeActions, fakeSource, frame, press, waitFor } from './helpers.ts';

afterEach(cleanup);

const RUNNING = [config(), ...clusterUp(), ...mastersUp(), ...agentsUp(20)];

/** App at this size; `initial` is there from the first frame (the notice shows nothing of the state to wait for) */
async function start(columns: number, rows: number, events: BenchEvent[] = RUNNING, initial: BenchEvent[] = []) {
  const source = fakeSource();
  const actions = fakeActions();
  let exited = false;
  const app = render(
    <App
      source={source}
      actions={actions}
      initial={reduceAll(initialState(), initial)}
      frameMs={10}
      columns={columns}
      rows={rows}
      clock={() => T0 + 50000}
      onExit={() => (exited = true)}
    />,
  );
  await waitFor(() => source.listeners() === 1, 2000, 'the app to subscribe');
  source.push(...events);
  return { app, actions, exited: () => exited };
}

describe('a terminal too small for the dashboard', () => {
  test('the smallest size is the narrowest key bar wide and 16 rows tall', () => {
    assert.equal(MINIMUM_SIZE.columns, keyBarMinWidth());
    assert.ok(MINIMUM_SIZE.columns >= 55 && MINIMUM_SIZE.columns <= 60, `${MINIMUM_SIZE.columns} columns`);
    assert.equal(MINIMUM_SIZE.rows, 16);
  });

  test('40x10 shows one line saying so, and q still quits', async () => {
    // Given a 40x10 terminal and no worker running
    const { app, actions, exited } = await start(40, 10, [], [config()]);
    await waitFor(() => frame(app).includes('too small'), 2000, 'the notice');
    // Then one line that fits, no key bar
    assert.equal(frame(app), `40x10 too small, need ${MINIMUM_SIZE.columns}x${MINIMUM_SIZE.rows}`);
    // When q is pressed, it quits
    await press(app, 'q');
    await waitFor(() => exited(), 2000, 'exit');
    assert.deepEqual(actions.calls, ['quit']);
  });

  test('a dialog still asks, under the notice', async () => {
    const { app, actions, exited } = await start(50, 12, [], RUNNING);
    await waitFor(() => frame(app).includes('too small'), 2000, 'the notice');
    assert.equal(frame(app), `terminal 50x12 is too small: need at least ${MINIMUM_SIZE.columns}x${MINIMUM_SIZE.rows}`);
    await press(app, 'q');
    assert.match(frame(app), /^terminal 50x12 is too small[^\n]*\nQuit: stop the workers\? y stop them and quit/);
    for (const line of frame(app).split('\n')) assert.ok(line.length <= 50, line);
    await press(app, 'y');
    await waitFor(() => exited(), 2000, 'exit');
    assert.deepEqual(actions.calls, ['quit']);
  });

  test('one column or one row short is too small; growing back shows the dashboard', async () => {
    for (const [columns, rows] of [
      [MINIMUM_SIZE.columns - 1, MINIMUM_SIZE.rows],
      [MINIMUM_SIZE.columns, MINIMUM_SIZE.rows - 1],
    ]) {
      const { app } = await start(columns, rows);
      await waitFor(() => frame(app).includes('too small'), 2000, `the notice at ${columns}x${rows}`);
      assert.equal(frame(app).split('\n').length, 1);
      app.unmount();
    }
  });

  test('at the smallest size every mode draws whole: nothing wraps, the key bar is not cut', async () => {
    const { columns, rows } = MINIMUM_SIZE;
    for (const keys of [[], ['/'], ['r'], ['k'], ['?'], ['q']]) {
      const { app } = await start(columns, rows);
      await waitFor(() => frame(app).includes('run-1'), 2000, 'the dashboard');
      await press(app, ...keys);
      const lines = frame(app).split('\n');
      assert.ok(lines.length <= rows - 1, `${keys.join('')}: ${lines.length} lines`);
      for (const l of lines) assert.ok(l.length <= columns, `${keys.join('')}: ${l}`);
      assert.doesNotMatch(lines[lines.length - 1], /…/, `${keys.join('')}: the key bar is cut: ${lines[lines.length - 1]}`);
      await press(app, KEY.esc);
      app.unmount();
    }
  });
});
