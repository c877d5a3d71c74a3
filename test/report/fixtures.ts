/**
 * Synthetic run events for the pure report tests (the browser tests use real
 * runs): one `kill` round per call, masters m1..m3, agents on given hosts.
 *
 *   const ev = [...configEvent(), ...killRound({round: 1, t0: 1e12, agents: 50})];
 */
import type { BenchEvent, RoundResult, WorkerEvent } from '../../src/events.ts';
import { distribution } from '../../src/stats/distribution.ts';

export const T0 = 1_795_989_855_551;

export function configEvent(ttl = 2, refresh = 0.5): BenchEvent {
  return { kind: 'config', endpoints: ['http://127.0.0.1:2379'], backend: 'v3-lease', ttl, refresh, runId: 'synthetic-run', masterPath: '/master', t: T0 - 5000 };
}

function w(host: string, role: 'master' | 'agent', id: string, ev: WorkerEvent['ev'], tc: number, extra: Partial<WorkerEvent> = {}): BenchEvent {
  return { kind: 'worker', event: { t: tc, tc, host, pid: 1, role, id, ev, ...extra } };
}

export interface RoundOpts {
  round: number;
  tf: number;
  old: string;
  winner: string;
  /** ms after the fault */
  detect: number;
  elected: number;
  /** agent ids with their host, notify and re-get ms */
  agents: { id: string; host: string; notify: number; reget: number }[];
  stepdown?: number;
  fault?: RoundResult['fault'];
  /** leave the round without its round-end event */
  unfinished?: boolean;
}

/**
 * One round's events in arrival order, ending with round-end (unless
 * unfinished). Before it, as in a real run, the agents are up and hold the
 * old master (the run model expects the agents that were up at the round's start).
 */
export function roundEvents(o: RoundOpts): BenchEvent[] {
  const fault = o.fault ?? 'kill';
  const ev: BenchEvent[] = [];
  for (const a of o.agents) ev.push(w(a.host, 'agent', a.id, 'start', o.tf - 200), w(a.host, 'agent', a.id, 'got-master', o.tf - 199, { master: o.old }));
  ev.push(
    { kind: 'round-start', round: o.round, fault, oldMaster: o.old, t: o.tf - 1 },
    { kind: 'fault', round: o.round, fault, target: o.old, host: 'ctl', pid: 1, t: o.tf },
    w('ctl', 'master', 'm9', 'notified', o.tf + o.detect),
    w('ctl', 'master', o.winner, 'elected', o.tf + o.elected),
  );
  for (const a of o.agents) ev.push(w(a.host, 'agent', a.id, 'notified', o.tf + a.notify));
  // an agent may see the old master again first: only the new one counts
  for (const a of o.agents) ev.push(w(a.host, 'agent', a.id, 'got-master', o.tf + a.notify + a.reget, { master: o.winner }));
  if (o.stepdown !== undefined) ev.push(w('ctl', 'master', o.old, 'stepdown', o.tf + o.stepdown, { reason: 'deadline' }));
  if (o.unfinished) return ev;
  const result: RoundResult = {
    round: o.round,
    fault,
    faultAt: o.tf,
    oldMaster: o.old,
    newMaster: o.winner,
    failoverMs: o.elected,
    detectMs: o.detect,
    electionMs: o.elected - o.detect,
    dualLeaderMs: o.stepdown !== undefined ? Math.max(0, o.stepdown - o.elected) : null,
    staleLeaderMs: null,
    outcome: 'failover',
    agents: { count: o.agents.length, notified: o.agents.length, lost: 0, notifyMs: distribution(o.agents.map((a) => a.notify)), regetMs: distribution(o.agents.map((a) => a.reget)) },
    ok: true,
  };
  ev.push({ kind: 'round-end', result, t: o.tf + o.elected + 100 });
  return ev;
}

/** n agents a1..an spread over the hosts, notify from base ms on, re-get 5..25 ms. */
export function agents(n: number, hosts: string[], base: number): RoundOpts['agents'] {
  return Array.from({ length: n }, (_, i) => ({ id: `a${i + 1}`, host: hosts[i % hosts.length], notify: base + ((i * 37) % 200) / 2, reget: 5 + (i % 21) }));
}
