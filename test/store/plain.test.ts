/**
 * Plain one-line output (no TTY, headless progress): what prints and what does not.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPlainPrinter, formatPlain } from '../../src/store/plain.ts';
import { T0, agentsUp, config, failover, fault, mastersUp, roundEnd, roundResult, worker } from './fixtures.ts';

describe('formatPlain (one event, no history)', () => {
  test('a round result prints with its ms figures', () => {
    // Given a finished round
    const r = roundResult(3, 1712.34, { faultAt: T0 });
    // When it is formatted
    const line = formatPlain(roundEnd(r, T0 + 2000), { utc: true });
    // Then one line carries the figures
    assert.equal(
      line,
      '15:21:02.000 info  bench: round 3 kill: m1 -> m2 failover 1712 ms detect 1690 ms election 22.0 ms agents 200/200 notify p50 1702 p99 1730 max 1735 ms re-get p99 4.1 ms',
    );
  });

  test('faults, elections and errors print; refresh and agent events do not', () => {
    assert.equal(formatPlain(fault(T0)[1], { utc: true }), '15:21:00.000 warn  bench: round 1: SIGKILL m1 (pid 101 on localhost)');
    assert.equal(formatPlain(worker({ id: 'm2', ev: 'elected', rev: '8' }, T0), { utc: true }), '15:21:00.000 info  m2: elected master at rev 8');
    assert.equal(formatPlain({ kind: 'log', level: 'error', message: 'etcd http://127.0.0.1:2379 range: ECONNREFUSED', t: T0 }, { utc: true }), '15:21:00.000 error bench: etcd http://127.0.0.1:2379 range: ECONNREFUSED');
    assert.equal(formatPlain(worker({ id: 'm1', ev: 'refresh' }, T0)), null);
    assert.equal(formatPlain(worker({ id: 'a1', role: 'agent', ev: 'got-master', master: 'm1' }, T0)), null);
    assert.equal(formatPlain(worker({ id: 'a1', role: 'agent', ev: 'notified' }, T0)), null);
  });

  test('watch lines are debug: printed only when asked for', () => {
    const e = { kind: 'watch' as const, line: { type: 'PUT' as const, value: 'm1', rev: '6', t: T0 } };
    assert.equal(formatPlain(e), null);
    assert.equal(formatPlain(e, { minLevel: 'debug', utc: true }), '15:21:00.000 debug watch: PUT /master = m1 rev 6');
  });
});

describe('createPlainPrinter (a whole run)', () => {
  test('a failover with 1000 agents prints a handful of lines, including the re-detection', () => {
    // Given a printer collecting lines
    const lines: string[] = [];
    const p = createPlainPrinter((l) => lines.push(l), { utc: true });
    const tf = T0 + 10000;
    // When a run with 1000 agents goes through one SIGKILL round
    for (const e of [config(), ...mastersUp(), ...agentsUp(1000), ...fault(tf), ...failover(tf, 1000), roundEnd(roundResult(1, 1712, { faultAt: tf }), tf + 3000)]) p.push(e);
    // Then there are few lines, and the interesting ones are there
    assert.ok(lines.length < 25, `${lines.length} lines`);
    assert.ok(lines.some((l) => l.includes('bench: round 1: SIGKILL m1')));
    assert.ok(lines.some((l) => l.includes('m2: elected master at rev 8 (+1712 ms after the fault)')));
    assert.ok(lines.some((l) => l.includes('bench: all 1000 agents know m2, 1721 ms after the fault')));
    assert.ok(lines[lines.length - 1].includes('round 1 kill: m1 -> m2 failover 1712 ms'));
    assert.equal(p.state().rounds.length, 1);
  });
});
