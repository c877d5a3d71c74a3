/**
 * `run --progress ndjson`, pure: a known sequence of events gives one JSON
 * line per state change (as the run model sees it) and per round end, and
 * nothing for the per-agent or keep-alive chatter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchEvent, WorkerEvent } from '../../src/events.ts';
import { createNdjsonPrinter } from '../../src/store/ndjson.ts';
import { closeRound } from '../../src/model/select.ts';
import { RunModel } from '../../src/model/run-model.ts';
import { FAULTS } from '../../src/run/faults.ts';

const w = (tc: number, role: 'master' | 'agent', id: string, ev: WorkerEvent['ev'], extra: Partial<WorkerEvent> = {}): BenchEvent => ({
  kind: 'worker',
  event: { t: tc, tc, host: 'h', pid: role === 'agent' ? 9 : id === 'm1' ? 1 : 2, role, id, ev, ...extra },
});

test('Given a kill round, Then elected, raft-leader, round-start, fault, stepdown and round-end lines, each JSON with type and t', () => {
  const lines: string[] = [];
  const p = createNdjsonPrinter((l) => lines.push(l));
  const rules = FAULTS.kill.rules({ ttl: 2, refresh: 0.5, pause: 0 });
  const events: BenchEvent[] = [
    { kind: 'cluster', state: 'up', endpoints: ['http://127.0.0.1:1'], leader: 'm2', t: 10 },
    w(100, 'master', 'm1', 'elected', { rev: '5' }),
    w(101, 'master', 'm2', 'lost', { master: 'm1' }),
    w(110, 'agent', 'a1', 'start'),
    w(111, 'agent', 'a1', 'got-master', { master: 'm1' }),
    w(150, 'master', 'm1', 'refresh'),
    { kind: 'round-start', round: 1, fault: 'kill', rules, oldMaster: 'm1', t: 990 },
    { kind: 'fault', round: 1, fault: 'kill', verb: 'SIGKILL', target: 'm1', host: 'h', pid: 1, t: 1000 },
    w(3000, 'agent', 'a1', 'notified'),
    w(3010, 'master', 'm2', 'elected', { rev: '9' }),
    w(3020, 'agent', 'a1', 'got-master', { master: 'm2' }),
    { kind: 'cluster', state: 'up', endpoints: [], leader: 'm2', t: 3030 },
    { kind: 'cluster', state: 'up', endpoints: [], leader: 'm3', t: 3040 },
    { kind: 'log', level: 'warn', message: 'something to know', t: 3050 },
  ];
  // the round-end the session would publish, from the same events
  const m = new RunModel();
  for (const e of events) m.apply(e);
  const closed = closeRound(m)!;
  events.push({ kind: 'round-end', result: closed.result, summary: closed.summary, t: 3100 });
  events.push(w(3200, 'master', 'm2', 'stepdown', { reason: 'term' }));
  events.push({ kind: 'round-start', round: 2, fault: 'kill', rules, oldMaster: null, t: 3300 });
  events.push({ kind: 'round-cancelled', round: 2, reason: 'the session is closing', t: 3400 });
  for (const e of events) p.push(e);

  const parsed = lines.map((l) => JSON.parse(l) as { type: string; t: number; [k: string]: unknown });
  assert.deepEqual(
    parsed.map((l) => [l.type, l.t]),
    [
      ['raft-leader', 10],
      ['elected', 100],
      ['round-start', 990],
      ['fault', 1000],
      ['elected', 3010],
      ['raft-leader', 3040],
      ['warning', 3050],
      ['round-end', 3100],
      ['stepdown', 3200],
      ['round-start', 3300],
      ['round-cancelled', 3400],
    ],
  );
  assert.deepEqual(parsed[0], { type: 'raft-leader', t: 10, leader: 'm2', previous: null });
  assert.deepEqual(parsed[1], { type: 'elected', t: 100, master: 'm1', host: 'h', rev: '5' });
  assert.deepEqual(parsed[2], { type: 'round-start', t: 990, round: 1, fault: 'kill', oldMaster: 'm1', raftLeader: 'm2' });
  assert.deepEqual(parsed[3], { type: 'fault', t: 1000, round: 1, verb: 'SIGKILL', target: 'm1', host: 'h', pid: 1 });
  assert.deepEqual(parsed[5], { type: 'raft-leader', t: 3040, leader: 'm3', previous: 'm2' });
  assert.deepEqual(parsed[7].result, closed.result);
  assert.equal((parsed[7].result as { failoverMs: number }).failoverMs, 2010);
  assert.deepEqual(parsed[8], { type: 'stepdown', t: 3200, master: 'm2', reason: 'term' });
  assert.deepEqual(parsed[10], { type: 'round-cancelled', t: 3400, round: 2, reason: 'the session is closing' });
});
