/**
 * BenchEvent builders for store and view tests: a small scripted run on one
 * master host and one agent host, so tests read as the story they tell.
 *
 *   const s = reduceAll(initialState(), [...clusterUp(), ...mastersUp(), ...agentsUp(200)]);
 */
import type { BenchEvent, Distribution, RoundResult, WorkerEvent } from '../../src/events.ts';
import { FAULTS } from '../../src/run/faults.ts';

export const T0 = Date.UTC(2025, 10, 25, 15, 21, 0, 0);

export function worker(ev: Partial<WorkerEvent> & Pick<WorkerEvent, 'ev' | 'id'>, t: number): BenchEvent {
  return {
    kind: 'worker',
    event: { t: t + 0.5, tc: t, host: 'localhost', pid: 100, role: 'master', ...ev },
  };
}

export function config(t = T0): BenchEvent {
  return { kind: 'config', endpoints: ['http://127.0.0.1:2379'], backend: 'v3-lease', ttl: 2, refresh: 0.5, runId: 'run-1', masterPath: '/master', t };
}

export function clusterUp(t = T0): BenchEvent[] {
  return [{ kind: 'cluster', state: 'up', endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'], leader: 'm1', revision: '5', t }];
}

/** localhost with masters m1 (pid 101, elected) and m2 (pid 102, candidate) */
export function mastersUp(t = T0 + 10): BenchEvent[] {
  return [
    { kind: 'host', host: 'localhost', roles: ['master'], transport: 'local', state: 'up', nodeVersion: 'v20.19.0', clockOffsetMs: 0, clockUncertaintyMs: 0, t },
    { kind: 'worker-started', host: 'localhost', role: 'master', pid: 101, id: 'm1', count: 1, t },
    { kind: 'worker-started', host: 'localhost', role: 'master', pid: 102, id: 'm2', count: 1, t },
    worker({ id: 'm1', pid: 101, ev: 'campaign' }, t + 1),
    worker({ id: 'm2', pid: 102, ev: 'campaign' }, t + 1),
    worker({ id: 'm1', pid: 101, ev: 'elected', rev: '6' }, t + 2),
    worker({ id: 'm2', pid: 102, ev: 'lost', master: 'm1' }, t + 2),
    { kind: 'watch', line: { type: 'PUT', value: 'm1', rev: '6', t: t + 3 } },
  ];
}

/** `n` agents in one process (pid 200) on host "agent-1", all watching and holding m1 */
export function agentsUp(n: number, t = T0 + 20, host = 'agent-1', pid = 200): BenchEvent[] {
  const out: BenchEvent[] = [
    { kind: 'host', host, roles: ['agent'], transport: 'ssh', state: 'up', nodeVersion: 'v20.19.0', clockOffsetMs: 3.2, clockUncertaintyMs: 0.4, t },
    { kind: 'worker-started', host, role: 'agent', pid, id: `${host}-a`, count: n, t },
    worker({ host, pid, role: 'agent', id: `${host}-a`, ev: 'start', count: n }, t),
  ];
  for (let i = 0; i < n; i++) {
    out.push(worker({ host, pid, role: 'agent', id: `${host}-a${i}`, ev: 'watch-created' }, t + 1));
    out.push(worker({ host, pid, role: 'agent', id: `${host}-a${i}`, ev: 'got-master', master: 'm1' }, t + 2));
  }
  return out;
}

export function fault(t: number, round = 1, kind: 'kill' | 'pause' | 'term' = 'kill'): BenchEvent[] {
  return [
    { kind: 'round-start', round, fault: kind, rules: FAULTS[kind].rules({ ttl: 2, refresh: 0.5, pause: 0 }), oldMaster: 'm1', t: t - 1 },
    { kind: 'fault', round, fault: kind, verb: FAULTS[kind].verb, target: 'm1', host: 'localhost', pid: 101, t },
  ];
}

/** what follows a SIGKILL of m1: m2 notices at tf+1690, elected at tf+1712, `know` of `n` agents re-get m2 */
export function failover(tf: number, n: number, know = n, host = 'agent-1', pid = 200): BenchEvent[] {
  const out: BenchEvent[] = [
    { kind: 'watch', line: { type: 'DELETE', value: null, rev: '7', t: tf + 1689 } },
    worker({ id: 'm2', pid: 102, ev: 'notified' }, tf + 1690),
    worker({ id: 'm2', pid: 102, ev: 'elected', rev: '8' }, tf + 1712),
    { kind: 'watch', line: { type: 'PUT', value: 'm2', rev: '8', t: tf + 1713 } },
  ];
  for (let i = 0; i < n; i++) out.push(worker({ host, pid, role: 'agent', id: `${host}-a${i}`, ev: 'notified' }, tf + 1700 + i / n));
  for (let i = 0; i < know; i++) out.push(worker({ host, pid, role: 'agent', id: `${host}-a${i}`, ev: 'got-master', master: 'm2' }, tf + 1720 + i / n));
  return out;
}

export function dist(p50: number, p99: number, max: number, n = 200): Distribution {
  return { n, min: p50 - 5, mean: p50, p50, p95: p99 - 1, p99, max };
}

export function roundResult(round: number, failoverMs: number, over: Partial<RoundResult> = {}): RoundResult {
  return {
    round,
    fault: 'kill',
    faultAt: T0 + round * 10000,
    oldMaster: 'm1',
    newMaster: 'm2',
    failoverMs,
    detectMs: failoverMs - 22,
    electionMs: 22,
    dualLeaderMs: null,
    staleLeaderMs: null,
    outcome: 'failover',
    agents: { count: 200, notified: 200, lost: 0, notifyMs: dist(failoverMs - 10, failoverMs + 18, failoverMs + 23), regetMs: dist(2, 4.1, 5) },
    ok: true,
    ...over,
  };
}

export function roundEnd(result: RoundResult, t = result.faultAt + 3000): BenchEvent {
  return { kind: 'round-end', result, t };
}
