/**
 * runTui and canUseInk: when Ink may run, and a whole session on fake
 * terminal streams (events sent before the dashboard subscribed are shown,
 * quit resolves runTui, the alternate screen is left again).
 */
import './no-ci.ts';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { canUseInk, runTui, wantsColor } from '../../views/run-tui.tsx';
import { config, mastersUp } from '../store/fixtures.ts';
import { fakeActions, fakeSource, waitFor } from './helpers.ts';

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  out = '';
  write(s: string) {
    this.out += s;
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  setRawMode() {
    return this;
  }
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    return this.queue.shift() ?? null;
  }
  press(s: string) {
    this.queue.push(s);
    this.emit('readable');
  }
}

describe('canUseInk', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const stdin = { isTTY: true, setRawMode: () => {} } as unknown as NodeJS.ReadStream;
  test('a terminal with raw mode, not in CI', () => {
    assert.equal(canUseInk(tty, stdin, {}), true);
  });
  test('no TTY, no raw mode, CI or a dumb terminal: plain output', () => {
    assert.equal(canUseInk({ isTTY: false } as NodeJS.WriteStream, stdin, {}), false);
    assert.equal(canUseInk(tty, { isTTY: false } as NodeJS.ReadStream, {}), false);
    assert.equal(canUseInk(tty, { isTTY: true } as NodeJS.ReadStream, {}), false);
    assert.equal(canUseInk(tty, stdin, { CI: 'true' }), false);
    assert.equal(canUseInk(tty, stdin, { CI: 'false' }), true);
    assert.equal(canUseInk(tty, stdin, { TERM: 'dumb' }), false);
  });
  test('NO_COLOR turns colours off', () => {
    assert.equal(wantsColor({}), true);
    assert.equal(wantsColor({ NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ NO_COLOR: '' }), true);
  });
});

describe('runTui', () => {
  test('shows what happened before it subscribed, and resolves after q', async () => {
    // Given a source that already talked before the dashboard was loaded
    const source = fakeSource();
    const actions = fakeActions();
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const running = runTui({ source, actions, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stdout as unknown as NodeJS.WriteStream, frameMs: 20 });
    source.push(config(), ...mastersUp());
    // Then the dashboard shows it
    await waitFor(() => stdout.out.includes('run-1') && stdout.out.includes('m1'), 10_000, 'the replayed events');
    assert.ok(stdout.out.startsWith('\u001B[?1049h'), 'drawn on the alternate screen');
    // When q and y are pressed (workers are running: it asks)
    stdin.press('q');
    await waitFor(() => stdout.out.includes('Quit: stop the workers?'), 5000, 'the quit question');
    stdin.press('y');
    // Then runTui resolves after quit(true), and the normal screen is back
    await running;
    assert.deepEqual(actions.calls, ['quit']);
    assert.ok(stdout.out.endsWith('\u001B[?1049l') || stdout.out.includes('\u001B[?1049l'));
    assert.equal(source.listeners(), 0, 'unsubscribed');
  });
});
