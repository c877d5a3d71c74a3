/**
 * `run --progress ndjson`: one JSON object per line, for a long headless
 * run read by a machine, instead of the plain lines. A line per round end
 * (the RoundResult) and per state change, as the run model sees it (the
 * printer folds the events through its own RunModel, so "elected" and
 * "stepped down" mean what they mean everywhere else), plus warnings and
 * errors. Every line has `type` and `t` (control-clock epoch ms).
 *
 *   {"type":"round-start","t":1764083012001.2,"round":1,"fault":"kill","oldMaster":"local-m1","raftLeader":"m2"}
 *   {"type":"fault","t":1764083012345.1,"round":1,"verb":"SIGKILL","target":"local-m1","host":"localhost","pid":4242}
 *   {"type":"elected","t":1764083014412.9,"master":"local-m2","rev":"17"}
 *   {"type":"round-end","t":1764083014502.3,"result":{"round":1,"failoverMs":2067.8,...}}
 *   {"type":"stepdown","t":...,"master":"local-m2","reason":"term"}
 *   {"type":"raft-leader","t":...,"leader":"m3","previous":"m2"}
 *   {"type":"round-cancelled","t":...,"round":2,"reason":"the session is closing"}
 *   {"type":"warning","t":...,"message":"..."}   {"type":"error","t":...,"source":"local-m2","message":"..."}
 */
import type { BenchEvent } from '../events.ts';
import { RunModel, eventTime } from '../model/run-model.ts';

export interface NdjsonPrinter {
  push(e: BenchEvent): void;
}

export function createNdjsonPrinter(write: (line: string) => void): NdjsonPrinter {
  const m = new RunModel();
  const out = (type: string, t: number, fields: Record<string, unknown>) => write(JSON.stringify({ type, t, ...fields }));
  return {
    push(e) {
      const t = eventTime(e);
      const master = e.kind === 'worker' && e.event.role === 'master' ? e.event.id : null;
      const was = master === null ? undefined : m.masters.get(master)?.state;
      const leader = m.cluster.leader;
      const open = m.round;
      const recorded = m.rounds.length;
      const notes = m.apply(e);
      if (master !== null) {
        const row = m.masters.get(master);
        if (row?.state === 'master' && was !== 'master') out('elected', t, { master, host: row.host, rev: row.electedRev });
        if (was === 'master' && row?.state !== 'master' && e.kind === 'worker' && e.event.ev === 'stepdown') out('stepdown', t, { master, reason: e.event.reason ?? null });
      }
      if (e.kind === 'cluster' && m.cluster.leader !== leader && m.cluster.leader !== null) out('raft-leader', t, { leader: m.cluster.leader, previous: leader });
      if (m.round && m.round !== open) out('round-start', t, { round: m.round.round, fault: m.round.fault, oldMaster: m.round.oldMaster, raftLeader: m.round.raftLeader });
      if (e.kind === 'fault' && m.round?.faultSet) out('fault', t, { round: e.round, verb: e.verb ?? null, target: e.target, host: e.host, pid: e.pid });
      if (e.kind === 'fault-healed') out('fault-healed', t, { round: e.round });
      if (m.rounds.length > recorded) out('round-end', t, { result: m.rounds[m.rounds.length - 1] });
      if (e.kind === 'round-cancelled') out('round-cancelled', t, { round: e.round, reason: e.reason });
      if (e.kind === 'log' && e.level === 'warn') out('warning', t, { message: e.message });
      for (const n of notes) if (n.error !== undefined && !n.silent && e.kind !== 'round-end') out('error', t, { source: n.source, message: n.error });
    },
  };
}
