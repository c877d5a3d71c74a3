/**
 * Agents and worker processes in the run model. Each agent is tracked by id
 * (which master it holds, whether its process is alive), so "how many agents
 * know the active master" and "which agents were lost" are exact at any
 * scale; the per-process rows carry the counts the dashboard shows.
 *
 *   {"ev":"start","id":"local","count":200,"process":true}   -> process row, 200 agents
 *   {"ev":"got-master","id":"local-a17","master":"local-m2"}  -> local-a17 holds local-m2
 */
import type { BenchEvent, WorkerEvent } from '../events.ts';
import type { RunModel } from './run-model.ts';
import type { Note, ProcessRow } from './types.ts';

export interface AgentRow {
  host: string;
  pid: number;
  master: string | null;
  alive: boolean;
  /** control time of the agent's own `start` */
  startedAt: number | null;
}

export function processKey(host: string, pid: number): string {
  return `${host}\u0000${pid}`;
}

export function newProcess(host: string, pid: number, role: ProcessRow['role'], id: string, total: number, t: number): ProcessRow {
  return { host, pid, role, id, total, alive: true, startedAt: t, started: 0, watching: 0, got: {}, errors: 0 };
}

function bump(got: Readonly<Record<string, number>>, master: string, by: number): Record<string, number> {
  const out: Record<string, number> = { ...got };
  const n = (out[master] ?? 0) + by;
  if (n > 0) out[master] = n;
  else delete out[master];
  return out;
}

/** Make `id` hold `master` (null: none), keeping the per-master and per-process counts exact. */
export function setAgentMaster(m: RunModel, id: string, a: AgentRow, master: string | null): void {
  if (a.master === master) return;
  const key = processKey(a.host, a.pid);
  const p = m.processes.get(key);
  if (a.master !== null) {
    m.holders.set(a.master, (m.holders.get(a.master) ?? 1) - 1);
    if (p) m.processes.set(key, { ...p, got: bump(p.got, a.master, -1) });
  }
  a.master = master;
  if (master !== null) {
    m.holders.set(master, (m.holders.get(master) ?? 0) + 1);
    const q = m.processes.get(key);
    if (q) m.processes.set(key, { ...q, got: bump(q.got, master, 1) });
  }
}

function agentRow(m: RunModel, w: WorkerEvent): AgentRow {
  let a = m.agents.get(w.id);
  if (a && a.pid === w.pid && a.host === w.host) return a;
  if (a) {
    // the same id in a new process: the agents were restarted
    setAgentMaster(m, w.id, a, null);
    m.procAgents.get(processKey(a.host, a.pid))?.delete(w.id);
    if (!a.alive) m.agentsAlive++;
    a.host = w.host;
    a.pid = w.pid;
    a.alive = true;
    a.startedAt = null;
  } else {
    m.agents.set(w.id, (a = { host: w.host, pid: w.pid, master: null, alive: true, startedAt: null }));
    m.agentsAlive++;
  }
  const key = processKey(w.host, w.pid);
  let ids = m.procAgents.get(key);
  if (!ids) m.procAgents.set(key, (ids = new Set()));
  ids.add(w.id);
  return a;
}

/** An agents process's own line (not one agent's): its start with `count`, its exit, a stream moving, ... */
function processLevel(w: WorkerEvent, p: ProcessRow | undefined): boolean {
  return w.process === true || (w.ev === 'start' && typeof w.count === 'number') || (p !== undefined && w.id === p.id);
}

function onProcessEvent(m: RunModel, w: WorkerEvent, p: ProcessRow, t: number, notes: Note[]): void {
  const key = processKey(w.host, w.pid);
  if (w.ev === 'start') p = { ...p, id: w.id, total: typeof w.count === 'number' ? w.count : p.total };
  m.processes.set(key, p);
  if (w.ev === 'exit') m.processGone(w.host, w.pid, t);
  // e.g. "watch stream on URL broke (...); N watchers move to URL"
  if (w.ev === 'error') notes.push({ level: 'warn', source: w.host, text: `agents pid ${w.pid}: ${w.message ?? 'error'}`, t });
}

export function onAgentEvent(m: RunModel, w: WorkerEvent, t: number, notes: Note[]): void {
  const key = processKey(w.host, w.pid);
  const known = m.processes.get(key);
  // a process first heard of through one agent's line: its own id is not known yet
  const p = known ?? newProcess(w.host, w.pid, 'agent', '', 0, t);
  if (processLevel(w, known)) return onProcessEvent(m, w, p, t, notes);
  m.processes.set(key, p);
  const a = agentRow(m, w);
  switch (w.ev) {
    case 'start': {
      a.startedAt = t;
      const q = m.processes.get(key)!;
      m.processes.set(key, { ...q, started: q.started + 1, total: Math.max(q.total, q.started + 1) });
      break;
    }
    case 'watch-created': {
      const q = m.processes.get(key)!;
      m.processes.set(key, { ...q, watching: q.watching + 1 });
      break;
    }
    case 'got-master':
      if (typeof w.master !== 'string') break;
      setAgentMaster(m, w.id, a, w.master);
      if (w.initial === true && a.startedAt !== null) m.samples.get.push(t - a.startedAt);
      // an agent's view fills in a master we missed, never the one that just failed
      if (m.active === null && m.masters.has(w.master) && w.master !== m.round?.target) m.setActive(w.master);
      break;
    case 'error': {
      const q = m.processes.get(key)!;
      const errors = q.errors + 1;
      m.processes.set(key, { ...q, errors });
      const msg = w.message ?? 'error';
      // 10,000 agents failing at once must not flood the log: the first few, then every 1000th
      const text = errors <= m.limits.agentErrorsLogged ? msg : errors % 1000 === 0 ? `${errors} agent errors in pid ${w.pid}, last: ${msg}` : null;
      notes.push({ level: 'error', source: text === msg ? w.id : w.host, text: text ?? '', t, error: `${w.id}: ${msg}`, ...(text === null ? { silent: true } : {}) });
      break;
    }
  }
  m.round?.onAgent(w, t);
}

/** worker-started: the control node started a process (a master, or an agents process of `count`). */
export function onWorkerStarted(m: RunModel, e: Extract<BenchEvent, { kind: 'worker-started' }>, t: number): void {
  const key = processKey(e.host, e.pid);
  const prev = m.processes.get(key);
  const total = e.role === 'master' ? 1 : e.count;
  m.processes.set(key, prev ? { ...prev, id: e.id, total: Math.max(total, prev.total), alive: true } : newProcess(e.host, e.pid, e.role, e.id, total, t));
}
