/**
 * Panel: focus shows as a heavy border, and turning it on or off on a live
 * panel keeps every line of the content where it was.
 */
import './no-ci.ts';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { hostRows, initialState, reduceAll } from '../../src/store/index.ts';
import { HostsPanel } from '../../views/HostsPanel.tsx';
import { SummaryPanel } from '../../views/SummaryPanel.tsx';
import { config, agentsUp, mastersUp, roundResult } from '../store/fixtures.ts';
import { frame } from './helpers.ts';

afterEach(cleanup);

test('a panel that gains or loses focus keeps its first line (the table header)', () => {
  // Given a Hosts panel drawn without focus
  const s = reduceAll(initialState(), [config(), ...mastersUp(), ...agentsUp(5)]);
  const app = render(<HostsPanel hosts={hostRows(s)} width={80} height={6} />);
  assert.match(frame(app).split('\n')[1], /host\s+roles/);
  // When it gains focus, then loses it
  app.rerender(<HostsPanel hosts={hostRows(s)} width={80} height={6} focused />);
  // Then the header line is still the first line inside, the last host still shown
  assert.match(frame(app), /^┏━ ▸1 Hosts/);
  assert.match(frame(app).split('\n')[1], /host\s+roles/);
  assert.match(frame(app), /agent-1\s+agent/);
  app.rerender(<HostsPanel hosts={hostRows(s)} width={80} height={6} />);
  assert.match(frame(app).split('\n')[1], /host\s+roles/);
  assert.match(frame(app), /agent-1\s+agent/);
});

test('the Summary keeps its column headers when focused and scrolled', () => {
  const rounds = Array.from({ length: 12 }, (_, i) => roundResult(i + 1, 1500 + i));
  const app = render(<SummaryPanel rounds={rounds} width={100} height={13} />);
  app.rerender(<SummaryPanel rounds={rounds} width={100} height={13} focused scroll={1} />);
  const f = frame(app).split('\n');
  assert.match(f[1], /#\s+fault\s+old -> new\s+failover/);
  assert.match(f[2], /^┃ ?\d+ kill/);
});
