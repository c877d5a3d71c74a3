/**
 * The dashboard reducer: events in, state out, read as Given / When / Then.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../src/stats/distribution.ts';
import { initialState, reduce, reduceAll, ringToArray, hostRows, failoverProgress, workersRunning, type DashboardState } from '../../src/store/index.ts';
import type { BenchEvent } from '../../src/events.ts';
import { T0, agentsUp, clusterUp, config, failover, fault, mastersUp, roundEnd, roundResult, worker } from './fixtures.ts';

function logText(s: DashboardState): string[] {
  return ringToArray(s.log).map((l) => `${l.level} ${l.source}: ${l.text}`);
}

describe('header', () => {
  test('config and cluster events fill the header', () => {
    // Given a fresh state
    const s0 = initialState();
    // When the run is configured and the cluster comes up
    const s = reduceAll(s0, [config(), ...clusterUp()]);
    // Then the header shows endpoints, backend, T/R, run id, leader and revision
    assert.deepEqual(s.config, { endpoints: ['http://127.0.0.1:2379'], backend: 'v3-lease', ttl: 2, refresh: 0.5, runId: 'run-1', masterPath: '/master' });
    assert.equal(s.cluster.state, 'up');
    assert.equal(s.cluster.leader, 'm1');
    assert.equal(s.cluster.revision, '5');
    assert.equal(s0.events, 0, 'the old state is untouched');
  });

  test('revision only moves forward, as int64 strings', () => {
    const s = reduceAll(initialState(), [
      ...clusterUp(),
      { kind: 'watch', line: { type: 'PUT', value: 'x', rev: '12', t: T0 } },
      { kind: 'cluster', state: 'up', endpoints: [], revision: '9', t: T0 + 1 },
    ]);
    assert.equal(s.cluster.revision, '12');
    assert.equal(s.cluster.endpoints.length, 2, 'an empty endpoint list keeps the known ones');
  });

  test('a cluster error is logged and counted', () => {
    const s = reduce(initialState(), { kind: 'cluster', state: 'error', endpoints: [], message: 'member 2 did not start', t: T0 });
    assert.equal(s.errors.count, 1);
    assert.match(s.errors.last!.message, /member 2 did not start/);
    assert.ok(logText(s).some((l) => l.startsWith('error etcd: cluster error')));
  });
});

describe('masters', () => {
  test('an election makes one master and one candidate', () => {
    // Given two masters started
    // When m1 is elected and m2 loses
    const s = reduceAll(initialState(), mastersUp());
    // Then
    assert.equal(s.activeMaster, 'm1');
    assert.deepEqual(
      s.masters.map((m) => [m.id, m.state, m.pid, m.host]),
      [
        ['m1', 'master', 101, 'localhost'],
        ['m2', 'candidate', 102, 'localhost'],
      ],
    );
    assert.equal(s.watch.length, 1);
    assert.ok(logText(s).some((l) => l === 'info m1: elected master at rev 6'));
  });

  test('SIGKILL marks the master dead; the next elected one becomes active', () => {
    const tf = T0 + 10000;
    const s1 = reduceAll(initialState(), [...mastersUp(), ...fault(tf)]);
    assert.equal(s1.masters.find((m) => m.id === 'm1')!.state, 'dead');
    assert.equal(s1.activeMaster, 'm1', 'the key still names m1 until it expires');
    const s2 = reduceAll(s1, failover(tf, 0));
    assert.equal(s2.activeMaster, 'm2');
    assert.equal(s2.masters.find((m) => m.id === 'm2')!.state, 'master');
  });

  test('pause: paused, then a resumed master that steps down is a candidate', () => {
    const tf = T0 + 10000;
    let s = reduceAll(initialState(), [...mastersUp(), ...fault(tf, 1, 'pause')]);
    assert.equal(s.masters[0].state, 'paused');
    s = reduceAll(s, [...failover(tf, 0), worker({ id: 'm1', pid: 101, ev: 'stepdown', reason: 'lease deadline passed' }, tf + 2600)]);
    assert.equal(s.masters[0].state, 'candidate');
    assert.equal(s.masters[0].reason, 'lease deadline passed');
    assert.equal(s.failover!.stepdownAt, tf + 2600);
    assert.equal(s.activeMaster, 'm2', 'the old master stepping down does not clear the new one');
  });

  test('worker-exited marks a master dead and the process gone', () => {
    const s = reduceAll(initialState(), [
      ...mastersUp(),
      { kind: 'worker-exited', host: 'localhost', role: 'master', pid: 102, id: 'm2', code: null, signal: 'SIGTERM', t: T0 + 50 },
    ]);
    assert.equal(s.masters[1].state, 'dead');
    assert.equal(s.processes.find((p) => p.pid === 102)!.alive, false);
    assert.ok(logText(s).some((l) => /m2 \(pid 102\) exited, signal SIGTERM/.test(l)));
  });

  test('refresh events are not logged; a failing keep-alive is logged once', () => {
    const s = reduceAll(initialState(), [
      ...mastersUp(),
      ...Array.from({ length: 50 }, (_, i) => worker({ id: 'm1', pid: 101, ev: 'refresh' }, T0 + 100 + i)),
      ...Array.from({ length: 5 }, (_, i) => worker({ id: 'm1', pid: 101, ev: 'refresh-failed', message: 'ECONNREFUSED' }, T0 + 200 + i)),
    ]);
    const lines = logText(s);
    assert.equal(lines.filter((l) => l.includes('refresh')).length, 0);
    assert.equal(lines.filter((l) => l.includes('keep-alive failed')).length, 1);
    assert.equal(s.masters[0].refreshFailing, true);
  });

  test('a watch DELETE clears the active master, a PUT of a known id sets it', () => {
    let s = reduceAll(initialState(), mastersUp());
    s = reduce(s, { kind: 'watch', line: { type: 'DELETE', value: null, rev: '7', t: T0 + 100 } });
    assert.equal(s.activeMaster, null);
    s = reduce(s, { kind: 'watch', line: { type: 'PUT', value: 'm2|1764083012345', rev: '8', t: T0 + 101 } });
    assert.equal(s.activeMaster, 'm2', 'a seed-style value "id|start" names the id');
  });
});

describe('hosts and agents', () => {
  test('host rows show pids, agents up/total and clock offset', () => {
    // Given masters on localhost and 200 agents on agent-1
    const s = reduceAll(initialState(), [...mastersUp(), ...agentsUp(200)]);
    // Then
    const rows = hostRows(s);
    assert.deepEqual(
      rows.map((h) => [h.host, h.roles.join('+'), h.transport, h.state, h.pids.join(','), h.agentsUp, h.agentsTotal, h.agentsKnowMaster]),
      [
        ['localhost', 'master', 'local', 'up', '101,102', 0, 0, 0],
        ['agent-1', 'agent', 'ssh', 'up', '200', 200, 200, 200],
      ],
    );
    assert.equal(rows[1].clockOffsetMs, 3.2);
    assert.equal(rows[1].clockUncertaintyMs, 0.4);
    assert.equal(workersRunning(s), true);
  });

  test('agent events are aggregated: 10,000 agents add no log lines and one process row', () => {
    const s = reduceAll(initialState(), [...mastersUp(), ...agentsUp(10000)]);
    assert.equal(s.processes.filter((p) => p.role === 'agent').length, 1);
    assert.equal(hostRows(s)[1].agentsUp, 10000);
    assert.ok(s.log.size < 20, `log has ${s.log.size} lines`);
  });

  test('agent got-master counts are exact: an agent holds only its newest master', () => {
    const evs: BenchEvent[] = [];
    for (let m = 0; m < 10; m++) evs.push(worker({ host: 'a', pid: 9, role: 'agent', id: 'a1', ev: 'got-master', master: `m${m}` }, T0 + m));
    const s = reduceAll(initialState(), evs);
    assert.deepEqual(s.processes[0].got, { m9: 1 });
  });

  test('agent errors: the first few are logged, then only every 1000th', () => {
    const evs = Array.from({ length: 2500 }, (_, i) => worker({ host: 'a', pid: 9, role: 'agent', id: `a${i}`, ev: 'error', message: 'ECONNRESET' }, T0 + i));
    const s = reduceAll(initialState(), evs);
    const lines = logText(s);
    assert.equal(lines.length, 5 + 2);
    assert.match(lines[lines.length - 1], /2000 agent errors in pid 9, last: ECONNRESET/);
    assert.equal(s.errors.count, 2500);
  });

  test('an unreachable host is an error with its message', () => {
    const s = reduce(initialState(), { kind: 'host', host: 'root@127.0.0.3:2222', roles: ['agent'], transport: 'ssh', state: 'unreachable', message: 'connect ECONNREFUSED', t: T0 });
    assert.equal(s.hosts[0].state, 'unreachable');
    assert.equal(s.errors.count, 1);
    assert.ok(logText(s)[0].startsWith('error root@127.0.0.3:2222: host unreachable (connect ECONNREFUSED)'));
  });
});

describe('live failover', () => {
  test('agents that know the new master are counted per host while the failover runs', () => {
    // Given m1 elected, 100 agents on agent-1 and 50 on agent-2
    const tf = T0 + 10000;
    let s = reduceAll(initialState(), [...mastersUp(), ...agentsUp(100), ...agentsUp(50, T0 + 30, 'agent-2', 300), ...fault(tf)]);
    assert.equal(s.failover!.agentsTotal, 150);
    // When m2 is elected and 60 of agent-1's agents and 50 of agent-2's got it
    s = reduceAll(s, [...failover(tf, 100, 60), ...failover(tf, 50, 50, 'agent-2', 300).slice(4)]);
    // Then the live view shows 60/100 and 50/50, not complete yet
    const p = failoverProgress(s.failover!, tf + 1800);
    assert.deepEqual(
      p.hosts.map((h) => [h.host, h.know, h.total, h.notified]),
      [
        ['agent-1', 60, 100, 100],
        ['agent-2', 50, 50, 50],
      ],
    );
    assert.equal(p.phase, 're-detecting');
    assert.equal(p.elapsedMs, 1800);
    assert.equal(s.failover!.detectAt, tf + 1690);
    assert.equal(s.failover!.electedAt, tf + 1712);
    // When the other 40 get it
    s = reduceAll(s, Array.from({ length: 40 }, (_, i) => worker({ host: 'agent-1', pid: 200, role: 'agent', id: `agent-1-a${60 + i}`, ev: 'got-master', master: 'm2' }, tf + 1750 + i)));
    // Then it is complete, timed at the last one
    assert.equal(s.failover!.completeAt, tf + 1789);
    assert.equal(failoverProgress(s.failover!, tf + 99999).elapsedMs, 1789);
    assert.ok(logText(s).some((l) => l === 'info bench: all 150 agents know m2, 1789 ms after the fault'));
  });

  test('got-master of the old master after the fault is not re-detection', () => {
    const tf = T0 + 10000;
    const s = reduceAll(initialState(), [
      ...mastersUp(),
      ...agentsUp(10),
      ...fault(tf),
      worker({ host: 'agent-1', pid: 200, role: 'agent', id: 'a1', ev: 'got-master', master: 'm1' }, tf + 5),
    ]);
    assert.equal(failoverProgress(s.failover!, tf + 10).know, 0);
  });

  test('round-end records the result and ends the live view', () => {
    const tf = T0 + 10000;
    const r = roundResult(1, 1712.3, { faultAt: tf });
    const s = reduceAll(initialState(), [...mastersUp(), ...fault(tf), ...failover(tf, 0), roundEnd(r)]);
    assert.equal(s.rounds.length, 1);
    assert.equal(s.currentRound, null);
    assert.equal(s.failover!.result, r);
    assert.equal(failoverProgress(s.failover!, tf + 5000).phase, 'ended');
    assert.ok(logText(s).some((l) => l.startsWith('info bench: round 1 kill: m1 -> m2 failover 1712 ms detect 1690 ms election 22.0 ms')));
  });

  test("round-end keeps the session's summary (exact per-agent distributions)", () => {
    const r = roundResult(1, 1712.3);
    const summary = summarize([r], [1690, 1701], [3, 4], [100]);
    assert.equal(reduce(initialState(), roundEnd(r)).summary, null);
    const s = reduce(initialState(), { kind: 'round-end', result: r, summary, t: r.faultAt + 3000 });
    assert.equal(s.summary, summary);
    assert.equal(s.summary!.agentNotifyMs.n, 2);
  });

  test('a failed round is an error', () => {
    const s = reduce(initialState(), roundEnd(roundResult(2, 0, { ok: false, error: 'no new master within 10 s', failoverMs: null })));
    assert.equal(s.errors.count, 1);
    assert.match(s.errors.last!.message, /round 2: no new master within 10 s/);
  });
});

describe('bounded memory', () => {
  test('the log keeps the newest lines only', () => {
    let s = initialState({ limits: { watchLines: 200, logLines: 100, rounds: 10, gone: 5, agentErrorsLogged: 5 } });
    for (let i = 0; i < 1000; i++) s = reduce(s, { kind: 'log', level: 'info', message: `line ${i}`, t: T0 + i });
    const lines = ringToArray(s.log);
    assert.equal(lines.length, 100);
    assert.equal(lines[0].text, 'line 900');
    assert.equal(lines[99].seq, 1000);
  });

  test('watch tail, rounds and exited processes are capped', () => {
    let s = initialState({ limits: { watchLines: 3, logLines: 50, rounds: 2, gone: 2, agentErrorsLogged: 5 } });
    for (let i = 0; i < 10; i++) {
      s = reduceAll(s, [
        { kind: 'watch', line: { type: 'PUT', value: `m${i}`, rev: String(i), t: T0 + i } },
        roundEnd(roundResult(i, 1000 + i)),
        { kind: 'worker-started', host: 'h', role: 'agent', pid: i, id: `a${i}`, count: 1, t: T0 + i },
        { kind: 'worker-exited', host: 'h', role: 'agent', pid: i, id: `a${i}`, code: 0, signal: null, t: T0 + i },
      ]);
    }
    assert.deepEqual(s.watch.map((w) => w.rev), ['7', '8', '9']);
    assert.deepEqual(s.rounds.map((r) => r.round), [8, 9]);
    assert.deepEqual(s.processes.map((p) => p.pid), [8, 9]);
  });
});

describe('progress and log events', () => {
  test('a long step logs its start and its end, and is shown while it runs', () => {
    let s = reduce(initialState(), { kind: 'progress', step: 'agents up', done: 0, total: 200, t: T0 });
    s = reduce(s, { kind: 'progress', step: 'agents up', done: 150, total: 200, t: T0 + 400 });
    assert.deepEqual(s.progress.map((p) => [p.step, p.done, p.total, p.finished]), [['agents up', 150, 200, false]]);
    s = reduce(s, { kind: 'progress', step: 'agents up', done: 200, total: 200, t: T0 + 900 });
    assert.equal(s.progress[0].finished, true);
    assert.deepEqual(logText(s), ['info bench: agents up: 0/200', 'info bench: agents up: done (200/200, 900 ms)']);
  });

  test('a log error is counted as an error', () => {
    const s = reduce(initialState(), { kind: 'log', level: 'error', message: 'export failed: EACCES', t: T0 });
    assert.equal(s.errors.count, 1);
    assert.equal(s.errors.last!.message, 'export failed: EACCES');
  });
});

describe('an agents process speaking for itself', () => {
  test('its own error line (a watch stream moving) is a process note, not a 201st agent', () => {
    const s = reduceAll(initialState(), [
      ...agentsUp(200),
      worker({ host: 'agent-1', pid: 200, role: 'agent', id: 'agent-1-a', ev: 'error', message: 'watch stream on http://127.0.0.1:2379 broke; 67 watchers move to http://127.0.0.1:22379' }, T0 + 100),
    ]);
    assert.equal(s.model.agentsAlive, 200);
    assert.ok(logText(s).some((l) => /agents pid 200: watch stream on .* broke/.test(l)));
  });
});
