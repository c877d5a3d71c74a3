/**
 * A Masters panel too short to list every master lists the active one
 * first, then the others; with room for all, the order is unchanged.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import type { BenchEvent } from '../../src/events.ts';
import type { MasterRow } from '../../src/store/index.ts';
import { App } from '../../views/App.tsx';
import { MasterWatchPanel } from '../../views/MasterWatchPanel.tsx';
import { T0, config, worker } from '../store/fixtures.ts';
import { fakeActions, fakeSource, frame, waitFor } from './helpers.ts';

afterEach(cleanup);

async function start(columns: number, rows: number, events: BenchEvent[]) {
  const source = fakeSource();
  const app = render(<App source={source} actions={fakeActions()} frameMs={10} columns={columns} rows={rows} clock={() => T0 + 50000} />);
  await waitFor(() => source.listeners() === 1, 2000, 'the app to subscribe');
  source.push(...events);
  return { app };
}

describe('Masters panel too short for every master', () => {
  const masters = (active: string): MasterRow[] =>
    ['m1', 'm2', 'm3', 'm4'].map((id, i) => ({
      id,
      host: 'localhost',
      pid: 101 + i,
      state: id === active ? 'master' : 'candidate',
      since: T0,
      lastRefresh: null,
      keepAliveSentAt: null,
      refreshFailing: false,
      reason: null,
      electedAt: null,
      electedRev: null,
    }));
  const panel = (height: number) =>
    frame(render(<MasterWatchPanel masters={masters('m3')} activeMaster="m3" watch={[]} masterPath="/master" faultAt={null} width={70} height={height} />));

  test('the active master comes first, then the others', () => {
    const f = panel(6); // 4 lines: 2 masters, the rule, 1 watch line
    const rows = f.split('\n').filter((l) => /[●○] m\d/.test(l));
    assert.equal(rows.length, 2);
    assert.match(rows[0], /● m3\s+master/);
    assert.match(rows[1], /○ m1\s+candidate/);
  });

  test('when every master fits, the order stays m1..m4', () => {
    const rows = panel(14)
      .split('\n')
      .filter((l) => /[●○] m\d/.test(l))
      .map((l) => /m\d/.exec(l)![0]);
    assert.deepEqual(rows, ['m1', 'm2', 'm3', 'm4']);
  });

  test('in App: six masters in a short panel, m5 elected, m5 is listed first', async () => {
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    const { app } = await start(70, 30, [
      config(),
      { kind: 'host', host: 'localhost', roles: ['master'], transport: 'local', state: 'up', t: T0 + 10 },
      ...ids.map((id, i): BenchEvent => ({ kind: 'worker-started', host: 'localhost', role: 'master', pid: 101 + i, id, count: 1, t: T0 + 10 })),
      ...ids.map((id, i) => worker({ id, pid: 101 + i, ev: 'campaign' }, T0 + 11)),
      worker({ id: 'm5', pid: 105, ev: 'elected', rev: '6' }, T0 + 12),
    ]);
    await waitFor(() => /master m5/.test(frame(app)), 2000, 'm5 elected');
    const rows = frame(app)
      .split('\n')
      .filter((l) => /[●○] m\d/.test(l));
    assert.ok(rows.length < ids.length, `the panel is too short for all: ${rows.length} shown`);
    assert.match(rows[0], /● m5\s+master/);
  });
});
