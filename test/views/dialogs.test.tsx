/**
 * ConfirmDialog and RoundsPrompt: what they show, and how keys answer them.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { ConfirmDialog, confirmAnswer } from '../../views/ConfirmDialog.tsx';
import { editRounds, RoundsPrompt, roundsInput, type RoundsInput } from '../../views/RoundsPrompt.tsx';
import { frame } from './helpers.ts';

afterEach(cleanup);

const plain = { ctrl: false, meta: false };
const noKey = { escape: false, return: false, backspace: false, delete: false, ctrl: false };

describe('ConfirmDialog', () => {
  test('shows the question, what y does and how to cancel', () => {
    const f = frame(render(<ConfirmDialog title="Kill the active master?" message="SIGKILL m1 (pid 101 on localhost)" confirmLabel="kill" width={80} />));
    assert.match(f, /Kill the active master\? {2}SIGKILL m1 \(pid 101 on localhost\)/);
    assert.match(f, /y kill · any other key or Esc cancels/);
  });
  test('y confirms; n, Esc, q and ctrl+y cancel', () => {
    assert.equal(confirmAnswer('y', plain), 'confirm');
    assert.equal(confirmAnswer('n', plain), 'cancel');
    assert.equal(confirmAnswer('', plain), 'cancel'); // Esc arrives as an empty input
    assert.equal(confirmAnswer('q', plain), 'cancel');
    assert.equal(confirmAnswer('y', { ctrl: true, meta: false }), 'cancel');
    assert.equal(confirmAnswer('Y', plain), 'cancel', 'only a deliberate lowercase y confirms');
  });
  test('a second answer has its own key', () => {
    const f = frame(render(<ConfirmDialog title="Quit: stop the workers?" message="" confirmLabel="stop them and quit" alternative={{ key: 'n', label: 'quit, leave them running' }} width={100} />));
    assert.match(f, /y stop them and quit · n quit, leave them running · any other key or Esc cancels/);
    assert.equal(confirmAnswer('n', plain, 'n'), 'alternative');
    assert.equal(confirmAnswer('x', plain, 'n'), 'cancel');
  });
});

describe('RoundsPrompt', () => {
  const type = (s: RoundsInput, ...keys: (string | Partial<typeof noKey>)[]) => {
    let cur = s;
    for (const k of keys) {
      const e = typeof k === 'string' ? editRounds(cur, k, noKey) : editRounds(cur, '', { ...noKey, ...k });
      if (e.kind !== 'edit') return e;
      cur = e.input;
    }
    return { kind: 'edit' as const, input: cur };
  };
  test('the default is prefilled; Enter takes it', () => {
    assert.match(frame(render(<RoundsPrompt input={roundsInput(5)} fault="kill" width={80} />)), /Run how many kill rounds\? 5 +Enter runs · Esc cancels/);
    assert.deepEqual(type(roundsInput(5), { return: true }), { kind: 'submit', rounds: 5 });
  });
  test('the first digit replaces the default, backspace edits', () => {
    assert.deepEqual(type(roundsInput(5), '1', '2', '3', { backspace: true }, { return: true }), { kind: 'submit', rounds: 12 });
  });
  test('letters are ignored, 0 is not a number of rounds, Esc cancels', () => {
    const zero = type(roundsInput(5), 'x', '0', { return: true });
    assert.equal(zero.kind, 'edit');
    assert.match(frame(render(<RoundsPrompt input={{ text: '0', fresh: false }} fault="kill" width={80} />)), /type a number > 0/);
    assert.deepEqual(type(roundsInput(5), { escape: true }), { kind: 'cancel' });
  });
});
