/**
 * The dashboard in a real terminal (tmux) that is too small, then just big
 * enough, then too small again: the notice is one line, at the smallest size
 * the layout draws without a wrapped line and with the whole key bar, and q
 * (then y, workers are running) still quits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MINIMUM_SIZE } from '../../views/App.tsx';
import { startTmux } from '../helpers/tmux.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('too small: a one-line notice; the smallest size draws whole; q still quits', { skip: !existsSync('/usr/bin/tmux') && 'tmux is not installed' }, async (t) => {
  // Given the dashboard in a 40x10 terminal
  const term = await startTmux({ command: process.execPath, args: ['--import', 'tsx', 'test/e2e/fixtures/fake-dashboard.tsx'], cwd: root, columns: 40, rows: 10, env: { NO_COLOR: undefined } });
  t.after(() => term.kill());
  const need = `${MINIMUM_SIZE.columns}x${MINIMUM_SIZE.rows}`;
  // Then one line says so
  const small = await term.waitForText(`40x10 too small, need ${need}`, 30_000);
  assert.equal(small.trim(), `40x10 too small, need ${need}`);

  // When the terminal grows to the smallest size the layout draws
  await term.resize(MINIMUM_SIZE.columns, MINIMUM_SIZE.rows);
  const screen = await term.waitForText(/q quit$/m, 10_000);
  // Then no line wrapped: the header and every panel line start where they should, the key bar is whole
  const lines = screen.split('\n');
  assert.ok(lines.length <= MINIMUM_SIZE.rows, `${lines.length} rows:\n${screen}`);
  assert.match(lines[0], /^etcd-election-bench {2}run run-1/);
  assert.match(lines[1], /^etcd up/);
  for (const l of lines.slice(2, -2)) assert.match(l, /^[╭│╰┏┃┗]/, `a wrapped line:\n${screen}`);
  assert.match(lines[lines.length - 1], /^s {2}a {2}k .*\? help {2}q quit$/);

  // When it shrinks again and q is pressed: the question shows under the notice, y quits
  await term.resize(50, 12);
  await term.waitForText(`terminal 50x12 is too small: need at least ${need}`, 10_000);
  await term.sendKeys('q');
  await term.waitForText(/^Quit: stop the workers\? y stop them and quit/m, 10_000);
  await term.sendKeys('y');
  assert.equal(await term.waitForExit(10_000), 0);
});
