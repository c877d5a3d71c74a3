/**
 * Scrolling the focused panel in App: headers stay while rows scroll, Home
 * goes to the first line and End to the last in every scrollable panel, and
 * Esc clears a log filter kept with Enter.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import type { BenchEvent } from '../../src/events.ts';
import { App } from '../../views/App.tsx';
import { scrollOffset } from '../../views/hooks/use-scroll.ts';
import { T0, agentsUp, clusterUp, config, mastersUp, roundEnd, roundResult } from '../store/fixtures.ts';
import { KEY, fakeActions, fakeSource, frame, press, waitFor } from './helpers.ts';

afterEach(cleanup);

async function start(events: BenchEvent[], until: (f: string) => boolean) {
  const source = fakeSource();
  const app = render(<App source={source} actions={fakeActions()} frameMs={10} columns={100} rows={40} clock={() => T0 + 900000} />);
  await waitFor(() => source.listeners() === 1, 2000, 'the app to subscribe');
  source.push(config(), ...clusterUp(), ...mastersUp(), ...agentsUp(20), ...events);
  await waitFor(() => until(frame(app)), 2000, 'the events on screen');
  return app;
}

const rounds = (n: number) => Array.from({ length: n }, (_, i) => roundEnd(roundResult(i + 1, 1500 + ((i * 37) % 300))));
const ROUND_HEADER = /[│┃] ?# fault\s+old -> new\s+failover/;

describe('Summary', () => {
  test('the column headers stay while the rows scroll up and down', async () => {
    // Given 30 rounds, the Summary focused
    const app = await start(rounds(30), (f) => f.includes('30 rounds'));
    await press(app, '4');
    assert.match(frame(app), ROUND_HEADER);
    // When Up is pressed, then a page up, then Down
    for (const [key, up] of [
      [KEY.up, '1 up'],
      [KEY.pageUp, 'up'],
      [KEY.down, 'up'],
    ] as const) {
      await press(app, key);
      // Then the header is still there above the rows
      const f = frame(app);
      assert.match(f, ROUND_HEADER, `header after ${JSON.stringify(key)}\n${f}`);
      assert.match(f, new RegExp(`4 Summary \\(30 rounds, \\d*\\s?${up}`));
    }
  });

  test('Home shows round 1, End the newest', async () => {
    const app = await start(rounds(30), (f) => f.includes('30 rounds'));
    await press(app, '4', KEY.home);
    assert.match(frame(app), /[│┃] 1 kill/);
    assert.doesNotMatch(frame(app), /[│┃]30 kill/);
    await press(app, KEY.down);
    assert.match(frame(app), /[│┃] 2 kill/, 'Down right after Home moves at once');
    await press(app, KEY.end);
    assert.match(frame(app), /[│┃]30 kill/);
    assert.doesNotMatch(frame(app), /[│┃] 1 kill/);
  });
});

describe('Hosts', () => {
  const hosts: BenchEvent[] = Array.from({ length: 15 }, (_, i) => ({ kind: 'host', host: `h${String(i + 1).padStart(2, '0')}`, roles: ['agent'], transport: 'ssh', state: 'up', t: T0 + 30 }));
  test('Home shows the first host, End the last', async () => {
    const app = await start(hosts, (f) => f.includes('1 Hosts (17'));
    await press(app, '1', KEY.end);
    let f = frame(app);
    assert.match(f, /[│┃]h15 /);
    assert.doesNotMatch(f, /[│┃]localhost /);
    assert.match(f, /1 Hosts \(17, \d+-17\)/);
    await press(app, KEY.home);
    f = frame(app);
    assert.match(f, /[│┃]localhost /);
    assert.doesNotMatch(f, /[│┃]h15 /);
    assert.match(f, /1 Hosts \(17, 1-\d+\)/);
  });
});

describe('Masters', () => {
  const watch: BenchEvent[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'watch', line: { type: 'PUT', value: 'm1', rev: String(100 + i), t: T0 + 100 + i } }));
  test('Home shows the oldest watch line, End the newest', async () => {
    const app = await start(watch, (f) => f.includes('rev 129'));
    await press(app, '2', KEY.home);
    assert.match(frame(app), /PUT\s+m1\s+rev 6 /);
    assert.doesNotMatch(frame(app), /PUT\s+m1\s+rev 129/);
    await press(app, KEY.end);
    assert.match(frame(app), /PUT\s+m1\s+rev 129/);
    assert.doesNotMatch(frame(app), /PUT\s+m1\s+rev 6 /);
  });
});

describe('Log', () => {
  const lines: BenchEvent[] = Array.from({ length: 100 }, (_, i) => ({ kind: 'log', level: 'info', message: `line ${i}`, t: T0 + 100 + i }));
  test('Home shows the first line; End the last, following again', async () => {
    const app = await start(lines, (f) => f.includes('line 99'));
    await press(app, KEY.home);
    assert.match(frame(app), /run run-1: backend/);
    assert.match(frame(app), /paused, \d+ newer below/);
    await press(app, KEY.end);
    assert.match(frame(app), /line 99/);
    assert.match(frame(app), /· follow\)/);
  });

  test('Esc clears a filter kept with Enter', async () => {
    // Given a filter typed and kept
    const app = await start(lines, (f) => f.includes('line 99'));
    await press(app, '/', 'l', 'i', 'n', 'e', ' ', '4', '2', KEY.enter);
    assert.match(frame(app), /filter "line 42": 1\//);
    // When Esc is pressed on the dashboard
    await press(app, KEY.esc);
    // Then the filter is gone and every line shows again
    assert.doesNotMatch(frame(app), /filter "/);
    assert.match(frame(app), /line 99/);
  });
});

describe('scrollOffset', () => {
  test('never passes the end of the list; Home and End go all the way', () => {
    const bottom = { length: 30, visible: 9, anchor: 'bottom' as const };
    assert.equal(scrollOffset(0, 'up', bottom), 1);
    assert.equal(scrollOffset(0, 'home', bottom), 21);
    assert.equal(scrollOffset(21, 'up', bottom), 21);
    assert.equal(scrollOffset(21, 'down', bottom), 20);
    assert.equal(scrollOffset(21, 'end', bottom), 0);
    assert.equal(scrollOffset(0, 'pageUp', bottom), 8);
    const top = { length: 17, visible: 9, anchor: 'top' as const };
    assert.equal(scrollOffset(0, 'end', top), 8);
    assert.equal(scrollOffset(8, 'home', top), 0);
    assert.equal(scrollOffset(0, 'down', top), 1);
    assert.equal(scrollOffset(3, 'up', { length: 3, visible: 9, anchor: 'top' }), 0);
  });
});
