/**
 * The one place dashboard state changes: `reduce(state, event)` is pure and
 * cheap per event (O(hosts + processes), never O(agents) or O(log)), so the
 * 10,000 `notified` + 10,000 `got-master` lines of one failover in a big run
 * cost 20,000 small updates and no memory growth.
 *
 *   let s = initialState();
 *   s = reduce(s, { kind: 'worker', event: { t, tc, host: 'localhost', pid: 4242, role: 'agent', id: 'localhost-a17', ev: 'got-master', master: 'localhost-m2' } });
 *
 * Times are control-clock ms: a worker event's `tc` (or `t` when the fleet
 * did not convert it), the `t` of every other event.
 */
import type { BenchEvent, FaultKind, MasterWatchLine, RoundResult, WorkerEvent } from '../events.ts';
import { faultVerb, fmtMsUnit, fmtOffset, fmtRound } from './format.ts';
import { pushRing } from './ring.ts';
import type {
  DashboardState,
  FailoverHostCount,
  FailoverView,
  HostRow,
  LogLevel,
  MasterRow,
  MasterState,
  ProcessRow,
  ProgressItem,
} from './state.ts';

/** masters remembered per agent process in `got` (older ones are dropped) */
const GOT_KEYS = 4;
const PROGRESS_KEPT = 8;

/** Control-clock time of an event. */
export function eventTime(e: BenchEvent): number {
  switch (e.kind) {
    case 'worker':
      return e.event.tc ?? e.event.t;
    case 'watch':
      return e.line.t;
    default:
      return e.t;
  }
}

export function reduce(state: DashboardState, e: BenchEvent): DashboardState {
  const t = eventTime(e);
  const s: DashboardState = { ...state, events: state.events + 1, now: Number.isFinite(t) && t > state.now ? t : state.now };
  switch (e.kind) {
    case 'worker':
      return e.event.role === 'agent' ? onAgentEvent(s, e.event, t) : onMasterEvent(s, e.event, t);
    case 'config':
      return addLog(
        {
          ...s,
          config: { endpoints: e.endpoints, backend: e.backend, ttl: e.ttl, refresh: e.refresh, runId: e.runId, masterPath: e.masterPath },
        },
        t,
        'info',
        'bench',
        `run ${e.runId}: backend ${e.backend}, T=${e.ttl}s R=${e.refresh}s, ${e.masterPath} on ${e.endpoints.join(',')}`,
      );
    case 'cluster': {
      const prev = s.cluster;
      const next = {
        state: e.state,
        endpoints: e.endpoints.length > 0 ? e.endpoints : prev.endpoints,
        leader: e.leader !== undefined ? e.leader : prev.leader,
        revision: e.revision !== undefined && e.revision !== null ? maxRev(prev.revision, e.revision) : prev.revision,
        message: e.message ?? (e.state === prev.state ? prev.message : null),
      };
      let out: DashboardState = { ...s, cluster: next };
      if (next.state !== prev.state || next.leader !== prev.leader || (e.message && e.message !== prev.message)) {
        const level: LogLevel = e.state === 'error' ? 'error' : e.state === 'down' ? 'warn' : 'info';
        const leader = next.leader ? `, raft leader ${next.leader}` : '';
        out = addLog(out, t, level, 'etcd', `cluster ${next.state}${leader}${e.message ? `: ${e.message}` : ''}`);
        if (level === 'error') out = addError(out, t, `etcd cluster: ${e.message ?? e.state}`);
      }
      return out;
    }
    case 'host':
      return onHost(s, e, t);
    case 'worker-started':
      return onWorkerStarted(s, e, t);
    case 'worker-exited':
      return onWorkerExited(s, e, t);
    case 'watch':
      return onWatch(s, e.line);
    case 'round-start':
      return addLog({ ...s, currentRound: { round: e.round, fault: e.fault, t } }, t, 'info', 'bench', `round ${e.round}: ${e.fault}`);
    case 'fault':
      return onFault(s, e, t);
    case 'round-end': {
      const out = onRoundEnd(s, e.result, t);
      return e.summary ? { ...out, summary: e.summary } : out;
    }
    case 'progress':
      return onProgress(s, e, t);
    case 'log': {
      const out = addLog(s, t, e.level, 'bench', e.message);
      return e.level === 'error' ? addError(out, t, e.message) : out;
    }
    default:
      return s;
  }
}

/** Reduce a batch (what the TUI does once per frame). */
export function reduceAll(state: DashboardState, events: readonly BenchEvent[]): DashboardState {
  let s = state;
  for (const e of events) s = reduce(s, e);
  return s;
}

// ---------------------------------------------------------------- helpers

function addLog(s: DashboardState, t: number, level: LogLevel, source: string, text: string): DashboardState {
  return { ...s, log: pushRing(s.log, { seq: s.log.total + 1, t, level, source, text }) };
}

function addError(s: DashboardState, t: number, message: string): DashboardState {
  return { ...s, errors: { count: s.errors.count + 1, last: { t, message } } };
}

/** etcd revisions are int64 strings; compare them as numbers when they are numbers */
function maxRev(a: string | null, b: string): string {
  if (a === null) return b;
  try {
    return BigInt(b) > BigInt(a) ? b : a;
  } catch {
    return b;
  }
}

function upsertHost(s: DashboardState, host: string, patch: Partial<HostRow>, role?: HostRow['roles'][number]): DashboardState {
  const i = s.hosts.findIndex((h) => h.host === host);
  const base: HostRow =
    i >= 0
      ? s.hosts[i]
      : {
          host,
          roles: [],
          transport: isLocalName(host) ? 'local' : 'ssh',
          state: 'unknown',
          nodeVersion: null,
          clockOffsetMs: null,
          clockUncertaintyMs: null,
          message: null,
        };
  const roles = role && !base.roles.includes(role) ? [...base.roles, role] : base.roles;
  const row: HostRow = { ...base, ...patch, roles: patch.roles ? mergeRoles(patch.roles, roles) : roles };
  const hosts = s.hosts.slice();
  if (i >= 0) hosts[i] = row;
  else hosts.push(row);
  return { ...s, hosts };
}

function mergeRoles(a: HostRow['roles'], b: HostRow['roles']): HostRow['roles'] {
  const out = a.slice();
  for (const r of b) if (!out.includes(r)) out.push(r);
  return out.sort(); // 'agent' < 'master': stable display order
}

function isLocalName(host: string): boolean {
  return host === 'local' || host === 'localhost' || host === '127.0.0.1';
}

function findProcess(s: DashboardState, host: string, pid: number): number {
  for (let i = s.processes.length - 1; i >= 0; i--) {
    const p = s.processes[i];
    if (p.pid === pid && p.host === host) return i;
  }
  return -1;
}

function newProcess(host: string, pid: number, role: ProcessRow['role'], id: string, total: number, t: number): ProcessRow {
  return { host, pid, role, id, total, alive: true, startedAt: t, started: 0, watching: 0, got: {}, errors: 0 };
}

function setProcess(s: DashboardState, i: number, row: ProcessRow): DashboardState {
  const processes = s.processes.slice();
  if (i >= 0) processes[i] = row;
  else processes.push(row);
  return { ...s, processes: prune(processes, (p) => !p.alive, s.limits.gone) };
}

/** Drop the oldest items matching `gone` beyond `keep` of them. */
function prune<T>(list: T[], gone: (x: T) => boolean, keep: number): T[] {
  let n = 0;
  for (const x of list) if (gone(x)) n++;
  if (n <= keep) return list;
  let drop = n - keep;
  return list.filter((x) => !(drop > 0 && gone(x) && drop-- > 0));
}

function findMaster(s: DashboardState, id: string): number {
  return s.masters.findIndex((m) => m.id === id);
}

function setMaster(s: DashboardState, id: string, patch: Partial<MasterRow>, t: number, fallbackHost = '?'): DashboardState {
  const i = findMaster(s, id);
  const base: MasterRow =
    i >= 0
      ? s.masters[i]
      : { id, host: fallbackHost, pid: null, state: 'starting', since: t, lastRefresh: null, refreshFailing: false, reason: null };
  const row: MasterRow = { ...base, ...patch };
  if (patch.state !== undefined && patch.state !== base.state) row.since = t;
  const masters = s.masters.slice();
  if (i >= 0) masters[i] = row;
  else masters.push(row);
  return { ...s, masters: prune(masters, (m) => m.state === 'dead', s.limits.gone) };
}

function bumpGot(got: Readonly<Record<string, number>>, master: string): Record<string, number> {
  const out: Record<string, number> = { ...got };
  if (!(master in out)) {
    const keys = Object.keys(out);
    // keep only the newest few masters: insertion order is age
    for (let k = 0; k <= keys.length - GOT_KEYS; k++) delete out[keys[k]];
  }
  out[master] = (out[master] ?? 0) + 1;
  return out;
}

/** Did every agent get the new master? Sets completeAt (and logs it) once. */
function checkComplete(s: DashboardState, t: number): DashboardState {
  const f = s.failover;
  if (!f || f.completeAt !== null || f.newMaster === null || f.agentsTotal === 0) return s;
  let got = 0;
  let last = 0;
  for (const h of Object.values(f.perHost)) {
    got += h.got[f.newMaster] ?? 0;
    if (h.lastGotAt !== null && h.lastGotAt > last) last = h.lastGotAt;
  }
  if (got < f.agentsTotal) return s;
  const at = last || t;
  return addLog(
    { ...s, failover: { ...f, completeAt: at } },
    t,
    'info',
    'bench',
    `all ${f.agentsTotal} agents know ${f.newMaster}, ${fmtMsUnit(at - f.tf)} after the fault`,
  );
}

// ---------------------------------------------------------------- agents

function onAgentEvent(s: DashboardState, w: WorkerEvent, t: number): DashboardState {
  let i = findProcess(s, w.host, w.pid);
  let p = i >= 0 ? s.processes[i] : newProcess(w.host, w.pid, 'agent', w.id, 0, t);
  let out = s;
  switch (w.ev) {
    case 'start':
      // the process announces its size once (`count`); each agent says `start` too
      p = typeof w.count === 'number' ? { ...p, total: w.count } : { ...p, started: p.started + 1, total: Math.max(p.total, p.started + 1) };
      break;
    case 'watch-created':
      p = { ...p, watching: p.watching + 1 };
      break;
    case 'got-master': {
      if (!w.master) break;
      p = { ...p, got: bumpGot(p.got, w.master) };
      const f = out.failover;
      if (f && t >= f.tf && w.master !== f.target) {
        const h = f.perHost[w.host] ?? emptyHostCount();
        const isNew = f.newMaster === null || f.newMaster === w.master;
        const hc: FailoverHostCount = { ...h, got: bumpGot(h.got, w.master), lastGotAt: isNew ? Math.max(h.lastGotAt ?? 0, t) : h.lastGotAt };
        out = checkComplete({ ...out, failover: { ...f, perHost: { ...f.perHost, [w.host]: hc } } }, t);
      }
      // an agent's view fills in a master we missed, never the one that just failed
      if (out.activeMaster === null && w.master !== out.failover?.target) out = { ...out, activeMaster: w.master };
      break;
    }
    case 'notified': {
      const f = out.failover;
      if (f && t >= f.tf) {
        const h = f.perHost[w.host] ?? emptyHostCount();
        out = { ...out, failover: { ...f, perHost: { ...f.perHost, [w.host]: { ...h, notified: h.notified + 1 } } } };
      }
      break;
    }
    case 'error': {
      p = { ...p, errors: p.errors + 1 };
      const msg = w.message ?? 'error';
      out = addError(out, t, `${w.id}: ${msg}`);
      // 10,000 agents failing at once must not flood the log: the first few, then every 1000th
      if (p.errors <= s.limits.agentErrorsLogged) out = addLog(out, t, 'error', w.id, msg);
      else if (p.errors % 1000 === 0) out = addLog(out, t, 'error', w.host, `${p.errors} agent errors in pid ${w.pid}, last: ${msg}`);
      break;
    }
    case 'exit':
      // the process says goodbye once (id = its prefix); worker-exited follows
      if (w.process !== true && w.id !== p.id) return out;
      p = { ...p, alive: false };
      break;
    default:
      return out;
  }
  i = findProcess(out, w.host, w.pid);
  return setProcess(out, i, p);
}

function emptyHostCount(): FailoverHostCount {
  return { total: 0, notified: 0, got: {}, lastGotAt: null };
}

// ---------------------------------------------------------------- masters

const CREATES_MASTER: ReadonlySet<string> = new Set(['start', 'campaign', 'elected', 'lost', 'refresh', 'stepdown', 'notified']);

function onMasterEvent(s: DashboardState, w: WorkerEvent, t: number): DashboardState {
  const i = findMaster(s, w.id);
  const prev = i >= 0 ? s.masters[i] : null;
  const host = prev?.host ?? w.host;
  const base: Partial<MasterRow> = prev ? {} : { host: w.host, pid: w.pid };
  // A paused master that speaks again was resumed (SIGCONT).
  const resumed: MasterState | undefined = prev?.state === 'paused' ? (s.activeMaster === w.id ? 'master' : 'candidate') : undefined;
  const set = (patch: Partial<MasterRow>) => setMaster(s, w.id, { ...base, ...(resumed ? { state: resumed } : {}), ...patch }, t, host);
  if (!prev && !CREATES_MASTER.has(w.ev)) {
    // helpers that speak as role master (`worker signal`, the clock channel) are not masters
    if (w.ev !== 'error') return s;
    const msg = w.message ?? 'error';
    return addError(addLog(s, t, 'error', w.id, msg), t, `${w.id}: ${msg}`);
  }
  switch (w.ev) {
    case 'start':
      return addLog(set({ state: prev?.state === 'master' ? 'master' : 'starting', pid: w.pid }), t, 'info', w.id, `master started (pid ${w.pid} on ${w.host})`);
    case 'campaign':
      return set({ state: 'candidate' });
    case 'elected': {
      let out = set({ state: 'master', reason: null, refreshFailing: false, lastRefresh: t });
      out = { ...out, activeMaster: w.id };
      const f = out.failover;
      if (f && f.newMaster === null && t >= f.tf && w.id !== f.target) {
        out = checkComplete({ ...out, failover: { ...f, newMaster: w.id, electedAt: t } }, t);
      }
      const since = f && f.electedAt === null && t >= f.tf ? ` (+${fmtMsUnit(t - f.tf)} after the fault)` : '';
      return addLog(out, t, 'info', w.id, `elected master${w.rev ? ` at rev ${w.rev}` : ''}${since}`);
    }
    case 'lost': {
      let out = set({ state: 'candidate' });
      if (out.activeMaster === null && w.master) out = { ...out, activeMaster: w.master };
      return out;
    }
    case 'refresh':
      return set({ lastRefresh: t, refreshFailing: false });
    case 'refresh-failed': {
      const out = set({ refreshFailing: true });
      // log the transition only: a failing keep-alive repeats every R
      return prev?.refreshFailing ? out : addLog(out, t, 'warn', w.id, `keep-alive failed${w.message ? `: ${w.message}` : ''}`);
    }
    case 'stepdown': {
      let out = set({ state: 'candidate', reason: w.reason ?? null });
      if (out.activeMaster === w.id) out = { ...out, activeMaster: null };
      const f = out.failover;
      if (f && f.target === w.id && f.stepdownAt === null && t >= f.tf) out = { ...out, failover: { ...f, stepdownAt: t } };
      return addLog(out, t, 'warn', w.id, `stepped down${w.reason ? `: ${w.reason}` : ''}`);
    }
    case 'notified': {
      let out = set({});
      const f = out.failover;
      let since = '';
      if (f && f.detectAt === null && t >= f.tf && w.id !== f.target) {
        out = { ...out, failover: { ...f, detectAt: t } };
        since = ` (+${fmtMsUnit(t - f.tf)} after the fault)`;
      }
      return addLog(out, t, 'info', w.id, `saw the master key go away${since}`);
    }
    case 'resign-requested':
      return addLog(set({}), t, 'info', w.id, 'resign requested');
    case 'error': {
      const msg = w.message ?? 'error';
      return addError(addLog(set({}), t, 'error', w.id, msg), t, `${w.id}: ${msg}`);
    }
    case 'exit': {
      let out = set({ state: 'dead' });
      const j = findProcess(out, w.host, w.pid);
      if (j >= 0) out = setProcess(out, j, { ...out.processes[j], alive: false });
      return addLog(out, t, 'info', w.id, `exited${w.reason ? `: ${w.reason}` : ''}`);
    }
    default:
      // ego-written, watch-created, pong, signal-sent: nothing to show
      return resumed ? set({}) : s;
  }
}

// ---------------------------------------------------------------- control events

function onHost(s: DashboardState, e: Extract<BenchEvent, { kind: 'host' }>, t: number): DashboardState {
  const prev = s.hosts.find((h) => h.host === e.host);
  const patch: Partial<HostRow> = { roles: e.roles, transport: e.transport, state: e.state, message: e.message ?? null };
  if (e.nodeVersion !== undefined) patch.nodeVersion = e.nodeVersion;
  if (e.clockOffsetMs !== undefined) patch.clockOffsetMs = e.clockOffsetMs;
  if (e.clockUncertaintyMs !== undefined) patch.clockUncertaintyMs = e.clockUncertaintyMs;
  let out = upsertHost(s, e.host, patch);
  const row = out.hosts.find((h) => h.host === e.host)!;
  const changed = !prev || prev.state !== e.state || (e.message && e.message !== prev.message) || prev.clockOffsetMs !== row.clockOffsetMs;
  if (changed) {
    const level: LogLevel = e.state === 'unreachable' ? 'error' : 'info';
    const details: string[] = [];
    if (e.state === 'up' && row.nodeVersion) details.push(`node ${row.nodeVersion}`);
    if (e.state === 'up' && row.clockOffsetMs !== null) details.push(`clock ${fmtOffset(row.clockOffsetMs, row.clockUncertaintyMs)}`);
    if (e.message) details.push(e.message);
    out = addLog(out, t, level, e.host, `host ${e.state}${details.length ? ` (${details.join(', ')})` : ''}`);
    if (level === 'error') out = addError(out, t, `${e.host}: ${e.message ?? 'unreachable'}`);
  }
  return out;
}

function onWorkerStarted(s: DashboardState, e: Extract<BenchEvent, { kind: 'worker-started' }>, t: number): DashboardState {
  let out = upsertHost(s, e.host, {}, e.role);
  const i = findProcess(out, e.host, e.pid);
  const total = e.role === 'master' ? 1 : e.count;
  const row = i >= 0 ? { ...out.processes[i], id: e.id, total: Math.max(total, out.processes[i].total), alive: true } : newProcess(e.host, e.pid, e.role, e.id, total, t);
  out = setProcess(out, i, row);
  if (e.role === 'master') {
    const prev = out.masters.find((m) => m.id === e.id);
    out = setMaster(out, e.id, { host: e.host, pid: e.pid, ...(prev && prev.state !== 'dead' ? {} : { state: 'starting' as const }) }, t, e.host);
    return addLog(out, t, 'info', e.host, `started master ${e.id} (pid ${e.pid})`);
  }
  return addLog(out, t, 'info', e.host, `started ${e.count} agents ${e.id} (pid ${e.pid})`);
}

function onWorkerExited(s: DashboardState, e: Extract<BenchEvent, { kind: 'worker-exited' }>, t: number): DashboardState {
  let out = s;
  const i = findProcess(out, e.host, e.pid);
  const exit = { code: e.code, signal: e.signal };
  const row = i >= 0 ? { ...out.processes[i], alive: false, exit } : { ...newProcess(e.host, e.pid, e.role, e.id, 0, t), alive: false, exit };
  out = setProcess(out, i, row);
  if (e.role === 'master') {
    const m = out.masters.find((x) => x.id === e.id || (x.pid === e.pid && x.host === e.host));
    if (m) out = setMaster(out, m.id, { state: 'dead' }, t);
  }
  const how = e.signal ? `signal ${e.signal}` : `code ${e.code ?? '?'}`;
  const level: LogLevel = e.code !== null && e.code !== 0 ? 'warn' : 'info';
  return addLog(out, t, level, e.host, `${e.role} ${e.id} (pid ${e.pid}) exited, ${how}`);
}

function onWatch(s: DashboardState, line: MasterWatchLine): DashboardState {
  const cap = s.limits.watchLines;
  const watch = s.watch.length >= cap ? [...s.watch.slice(s.watch.length - cap + 1), line] : [...s.watch, line];
  let out: DashboardState = { ...s, watch, cluster: { ...s.cluster, revision: maxRev(s.cluster.revision, line.rev) } };
  if (line.type === 'DELETE') {
    out = { ...out, activeMaster: null };
  } else if (line.value !== null) {
    const id = masterIdIn(out, line.value);
    if (id) out = { ...out, activeMaster: id };
  }
  return addLog(out, line.t, 'debug', 'watch', `${line.type} ${s.config.masterPath}${line.value !== null ? ` = ${line.value}` : ''} rev ${line.rev}`);
}

/** The master id a watch value names: the value itself, or a known id inside it ("id|start"). */
function masterIdIn(s: DashboardState, value: string): string | null {
  if (s.masters.some((m) => m.id === value)) return value;
  const m = s.masters.find((x) => value.includes(x.id));
  if (m) return m.id;
  return s.masters.length === 0 ? value : null;
}

function onFault(s: DashboardState, e: Extract<BenchEvent, { kind: 'fault' }>, t: number): DashboardState {
  const perHost: Record<string, FailoverHostCount> = {};
  let agentsTotal = 0;
  for (const p of s.processes) {
    if (p.role !== 'agent' || !p.alive) continue;
    const h = (perHost[p.host] ??= emptyHostCount());
    perHost[p.host] = { ...h, total: h.total + p.total };
    agentsTotal += p.total;
  }
  const failover: FailoverView = {
    round: e.round,
    fault: e.fault,
    target: e.target,
    host: e.host,
    pid: e.pid,
    tf: t,
    detectAt: null,
    newMaster: null,
    electedAt: null,
    stepdownAt: null,
    perHost,
    agentsTotal,
    completeAt: null,
    result: null,
  };
  let out: DashboardState = { ...s, failover };
  const stateAfter: Partial<Record<FaultKind, MasterState>> = { kill: 'dead', pause: 'paused' };
  const st = stateAfter[e.fault];
  if (st && findMaster(out, e.target) >= 0) out = setMaster(out, e.target, { state: st }, t);
  return addLog(out, t, 'warn', 'bench', `round ${e.round}: ${faultVerb(e.fault)} ${e.target} (pid ${e.pid} on ${e.host})`);
}

function onRoundEnd(s: DashboardState, r: RoundResult, t: number): DashboardState {
  const cap = s.limits.rounds;
  const rounds = s.rounds.length >= cap ? [...s.rounds.slice(s.rounds.length - cap + 1), r] : [...s.rounds, r];
  const f = s.failover;
  let out: DashboardState = {
    ...s,
    rounds,
    currentRound: null,
    failover: f && f.round === r.round ? { ...f, result: r, newMaster: f.newMaster ?? r.newMaster } : f,
  };
  out = addLog(out, t, r.ok ? 'info' : 'error', 'bench', fmtRound(r));
  if (!r.ok) out = addError(out, t, `round ${r.round}: ${r.error ?? 'failed'}`);
  return out;
}

function onProgress(s: DashboardState, e: Extract<BenchEvent, { kind: 'progress' }>, t: number): DashboardState {
  const i = s.progress.findIndex((p) => p.step === e.step && !p.finished);
  const finished = e.total > 0 && e.done >= e.total;
  const item: ProgressItem = i >= 0 ? { ...s.progress[i], done: e.done, total: e.total, t, finished } : { step: e.step, done: e.done, total: e.total, startedAt: t, t, finished };
  let progress = s.progress.slice();
  if (i >= 0) progress[i] = item;
  else progress.push(item);
  progress = prune(progress, (p) => p.finished, Math.max(0, PROGRESS_KEPT - progress.filter((p) => !p.finished).length));
  let out: DashboardState = { ...s, progress };
  const took = fmtMsUnit(t - item.startedAt);
  if (i < 0 && finished) out = addLog(out, t, 'info', 'bench', `${e.step}: done (${e.done}/${e.total})`);
  else if (i < 0) out = addLog(out, t, 'info', 'bench', `${e.step}: ${e.done}/${e.total}`);
  else if (finished) out = addLog(out, t, 'info', 'bench', `${e.step}: done (${e.done}/${e.total}, ${took})`);
  return out;
}
