/**
 * The run model: the one fold of BenchEvents into what a run is — hosts,
 * worker processes, masters and their states, the active master, which agent
 * holds which master, the round in flight and its figures, the finished
 * rounds and their summary. It is the only code outside worker/ and election/
 * that interprets worker events: the session waits on its selectors
 * (./select.ts), the dashboard draws its snapshot (./snapshot.ts), and
 * `run --json`, summary.json and rounds.csv are read from it.
 *
 * A fold, not a store: apply() is deterministic (no I/O, no clock: times
 * come from the events), and the same events in the same order give the same
 * model. It mutates itself, so that 10,000 agents' events cost O(1) each.
 * apply() returns the notes worth a log line (the dashboard log, plain output).
 *
 *   const m = new RunModel();
 *   for (const e of events) m.apply(e);
 *   activeMaster(m)  // 'local-m2'
 */
import type { BenchEvent, FaultKind, RoundResult, RunSummary } from '../events.ts';
import { faultVerb, fmtMsUnit, fmtOffset, fmtRound } from '../stats/format.ts';
import { onAgentEvent, onWorkerStarted, processKey, setAgentMaster, type AgentRow } from './agents.ts';
import { onMasterEvent, onWatch, setActive, setMaster } from './masters.ts';
import { DEFAULT_RULES, RoundState } from './round.ts';
import { SummarySamples } from './summary.ts';
import type { ClusterView, HeaderConfig, HostRow, KeyHolder, LogLevel, MasterRow, Note, ProcessRow } from './types.ts';

export interface ModelLimits {
  /** exited processes and dead masters kept */
  gone: number;
  /** agent errors logged one by one per process, before only every 1000th */
  agentErrorsLogged: number;
}

export const DEFAULT_MODEL_LIMITS: ModelLimits = { gone: 50, agentErrorsLogged: 5 };

/** Control-clock time of an event. */
export function eventTime(e: BenchEvent): number {
  if (e.kind === 'worker') return e.event.tc ?? e.event.t;
  if (e.kind === 'watch') return e.line.t;
  return e.t;
}

export class RunModel {
  config: HeaderConfig = { endpoints: [], backend: null, ttl: null, refresh: null, runId: null, masterPath: '/master' };
  cluster: ClusterView = { state: 'unknown', endpoints: [], leader: null, revision: null, message: null };
  readonly hosts = new Map<string, HostRow>();
  /** by processKey(host, pid), in start order */
  readonly processes = new Map<string, ProcessRow>();
  readonly masters = new Map<string, MasterRow>();
  active: string | null = null;
  /** the revision of the active master's claim (its `elected` rev, or the watch line that named it) */
  activeRev: string | null = null;
  keyHolder: KeyHolder | null = null;
  readonly agents = new Map<string, AgentRow>();
  /** agents whose process is alive */
  agentsAlive = 0;
  readonly procAgents = new Map<string, Set<string>>();
  /** agents holding each master */
  readonly holders = new Map<string, number>();
  /** agent id -> host of every agent that was up when a round began: each round expects all of them */
  readonly baseline = new Map<string, string>();
  round: RoundState | null = null;
  /** the last round that ended (or was cancelled), frozen */
  last: RoundState | null = null;
  readonly rounds: RoundResult[] = [];
  summary: RunSummary | null = null;
  readonly samples = new SummarySamples();
  readonly warnings: string[] = [];
  /** the run's own errors (log errors, failed rounds); agents' errors are only counted */
  readonly errors: string[] = [];
  errorCount = 0;
  lastError: { t: number; message: string } | null = null;
  now = 0;
  events = 0;

  constructor(readonly limits: ModelLimits = DEFAULT_MODEL_LIMITS) {}

  setActive(id: string | null): void {
    setActive(this, id);
  }

  /** Fold one event in; returns what is worth a log line. */
  apply(e: BenchEvent): Note[] {
    const t = eventTime(e);
    this.events++;
    if (Number.isFinite(t) && t > this.now) this.now = t;
    const notes: Note[] = [];
    const say = (level: LogLevel, source: string, text: string, error?: string) => notes.push({ level, source, text, t, ...(error ? { error } : {}) });
    switch (e.kind) {
      case 'worker':
        if (e.event.role === 'agent') onAgentEvent(this, e.event, t, notes);
        else onMasterEvent(this, e.event, t, notes);
        this.noteComplete(notes, t);
        break;
      case 'config':
        this.config = { endpoints: e.endpoints, backend: e.backend, ttl: e.ttl, refresh: e.refresh, runId: e.runId, masterPath: e.masterPath };
        say('info', 'bench', `run ${e.runId}: backend ${e.backend}, T=${e.ttl}s R=${e.refresh}s, ${e.masterPath} on ${e.endpoints.join(',')}`);
        break;
      case 'cluster':
        this.onCluster(e, say);
        break;
      case 'host':
        this.onHost(e, say);
        break;
      case 'worker-started':
        onWorkerStarted(this, e, t);
        if (e.role === 'master') {
          const prev = this.masters.get(e.id);
          setMaster(this, e.id, { host: e.host, pid: e.pid, ...(prev && prev.state !== 'dead' ? {} : { state: 'starting' as const }) }, t, e.host);
          say('info', e.host, `started master ${e.id} (pid ${e.pid})`);
        } else say('info', e.host, `started ${e.count} agents ${e.id} (pid ${e.pid})`);
        break;
      case 'worker-exited': {
        const how = e.signal ? `signal ${e.signal}` : `code ${e.code ?? '?'}`;
        this.processGone(e.host, e.pid, t, { code: e.code, signal: e.signal });
        if (e.role === 'master') {
          const mr = [...this.masters.values()].find((x) => x.id === e.id || (x.pid === e.pid && x.host === e.host));
          if (mr) setMaster(this, mr.id, { state: 'dead' }, t);
        }
        say(e.code !== null && e.code !== 0 ? 'warn' : 'info', e.host, `${e.role} ${e.id} (pid ${e.pid}) exited, ${how}`);
        break;
      }
      case 'watch':
        onWatch(this, e.line);
        this.round?.onWatch(e.line.type, e.line.t);
        if (e.line.rev) this.cluster = { ...this.cluster, revision: maxRev(this.cluster.revision, e.line.rev) };
        say('debug', 'watch', `${e.line.type} ${this.config.masterPath}${e.line.value !== null ? ` = ${e.line.value}` : ''} rev ${e.line.rev}`);
        break;
      case 'round-start':
        this.startRound(e, t);
        say('info', 'bench', `round ${e.round}: ${e.fault}`);
        break;
      case 'fault':
        this.onFault(e, t);
        say('warn', 'bench', `round ${e.round}: ${faultVerb(e.fault, e.verb)} ${e.target} (pid ${e.pid} on ${e.host})`);
        break;
      case 'fault-healed': {
        const r = this.round;
        if (!r || r.round !== e.round) break;
        r.heal(t);
        const old = r.oldMaster ? this.masters.get(r.oldMaster) : undefined;
        if (old?.state === 'paused') setMaster(this, old.id, { state: this.active === old.id ? 'master' : 'candidate' }, t);
        // a cut-off master is back once it is heard from etcd after the heal (masters.ts), maybe already
        if (old?.state === 'partitioned') {
          const back = (old.heardAt ?? -Infinity) >= t;
          setMaster(this, old.id, { healedAt: t, ...(back ? { state: this.active === old.id ? ('master' as const) : ('candidate' as const) } : {}) }, t);
        }
        say('info', 'bench', `round ${e.round}: ${r.target} can act again, ${fmtMsUnit(t - r.tf)} after the fault`);
        break;
      }
      case 'round-end':
        this.endRound(e.result, e.summary, t);
        say(e.result.ok ? 'info' : 'error', 'bench', fmtRound(e.result), e.result.ok ? undefined : `round ${e.result.round}: ${e.result.error ?? 'failed'}`);
        break;
      case 'round-cancelled': {
        const r = this.round;
        if (r && r.round === e.round) {
          r.cancelled = e.reason;
          r.endedAt = t;
          this.last = r;
          this.round = null;
        }
        say('warn', 'bench', `round ${e.round} cancelled: ${e.reason}`);
        break;
      }
      case 'log':
        if (e.level === 'warn') this.warnings.push(e.message);
        if (e.level === 'error') this.errors.push(e.message);
        say(e.level, 'bench', e.message, e.level === 'error' ? e.message : undefined);
        break;
      default:
        // progress: the dashboard's, not the run's
        break;
    }
    for (const n of notes) {
      if (n.error === undefined) continue;
      this.errorCount++;
      this.lastError = { t: n.t, message: n.error };
    }
    return notes;
  }

  private completeNoted = 0;

  /** "all N agents know X": once per round, when the last expected agent got the new master */
  private noteComplete(notes: Note[], t: number): void {
    const r = this.round;
    if (!r || r.completeAt === null || this.completeNoted === r.round || r.expected.size === 0 || !r.elected) return;
    this.completeNoted = r.round;
    notes.push({ level: 'info', source: 'bench', text: `all ${r.expected.size} agents know ${r.elected.id}, ${fmtMsUnit(r.completeAt - r.tf)} after the fault`, t });
  }

  private onCluster(e: Extract<BenchEvent, { kind: 'cluster' }>, say: (l: LogLevel, s: string, x: string, err?: string) => void): void {
    const prev = this.cluster;
    const next: ClusterView = {
      state: e.state,
      endpoints: e.endpoints.length > 0 ? e.endpoints : prev.endpoints,
      leader: e.leader !== undefined ? e.leader : prev.leader,
      revision: e.revision !== undefined && e.revision !== null ? maxRev(prev.revision, e.revision) : prev.revision,
      message: e.message ?? (e.state === prev.state ? prev.message : null),
    };
    this.cluster = next;
    if (next.state === prev.state && next.leader === prev.leader && !(e.message && e.message !== prev.message)) return;
    const level: LogLevel = e.state === 'error' ? 'error' : e.state === 'down' ? 'warn' : 'info';
    const leader = next.leader ? `, raft leader ${next.leader}` : '';
    say(level, 'etcd', `cluster ${next.state}${leader}${e.message ? `: ${e.message}` : ''}`, level === 'error' ? `etcd cluster: ${e.message ?? e.state}` : undefined);
  }

  private onHost(e: Extract<BenchEvent, { kind: 'host' }>, say: (l: LogLevel, s: string, x: string, err?: string) => void): void {
    const prev = this.hosts.get(e.host);
    const row: HostRow = {
      host: e.host,
      roles: mergeRoles(e.roles, prev?.roles ?? []),
      transport: e.transport,
      state: e.state,
      nodeVersion: e.nodeVersion !== undefined ? e.nodeVersion : (prev?.nodeVersion ?? null),
      clockOffsetMs: e.clockOffsetMs !== undefined ? e.clockOffsetMs : (prev?.clockOffsetMs ?? null),
      clockUncertaintyMs: e.clockUncertaintyMs !== undefined ? e.clockUncertaintyMs : (prev?.clockUncertaintyMs ?? null),
      message: e.message ?? null,
    };
    this.hosts.set(e.host, row);
    if (prev && prev.state === e.state && !(e.message && e.message !== prev.message) && prev.clockOffsetMs === row.clockOffsetMs) return;
    const details: string[] = [];
    if (e.state === 'up' && row.nodeVersion) details.push(`node ${row.nodeVersion}`);
    if (e.state === 'up' && row.clockOffsetMs !== null) details.push(`clock ${fmtOffset(row.clockOffsetMs, row.clockUncertaintyMs)}`);
    if (e.message) details.push(e.message);
    const bad = e.state === 'unreachable';
    say(bad ? 'error' : 'info', e.host, `host ${e.state}${details.length ? ` (${details.join(', ')})` : ''}`, bad ? `${e.host}: ${e.message ?? 'unreachable'}` : undefined);
  }

  private startRound(e: Extract<BenchEvent, { kind: 'round-start' }>, t: number): void {
    for (const [id, a] of this.agents) if (a.alive) this.baseline.set(id, a.host);
    const gone = [...this.baseline.keys()].filter((id) => !this.agents.get(id)?.alive);
    const old = e.oldMaster !== undefined ? e.oldMaster : this.active;
    const ttlMs = this.config.ttl === null ? null : this.config.ttl * 1000;
    this.round = new RoundState(e.round, e.fault, e.rules ?? DEFAULT_RULES, t, old, new Map(this.baseline), gone, ttlMs);
    this.round.lastKeepAliveSent = old ? (this.masters.get(old)?.keepAliveSentAt ?? null) : null;
    this.round.raftLeader = this.cluster.leader;
  }

  private onFault(e: Extract<BenchEvent, { kind: 'fault' }>, t: number): void {
    const r = this.round;
    if (!r || r.round !== e.round) return;
    r.setFault(t, e.target, e.host, e.pid, e.verb);
    const after = r.rules.oldMasterAfter;
    if (after && r.oldMaster && this.masters.has(r.oldMaster)) setMaster(this, r.oldMaster, { state: after, healedAt: null, heardAt: null }, t);
  }

  private endRound(result: RoundResult, summary: RunSummary | undefined, t: number): void {
    const r = this.round && this.round.round === result.round ? this.round : null;
    if (r) {
      const s = r.samples();
      this.samples.add(r.fault, s.notify, s.reget);
      r.result = result;
      r.endedAt = t;
      this.last = r;
      this.round = null;
    }
    this.rounds.push(result);
    if (!result.ok) this.errors.push(`round ${result.round}: ${result.error ?? 'failed'}`);
    this.summary = summary ?? this.summary;
  }

  /** A worker process is gone: its agents are no longer alive (and hold no master). */
  processGone(host: string, pid: number, t: number, exit?: { code: number | null; signal: string | null }): void {
    const key = processKey(host, pid);
    const p = this.processes.get(key);
    if (p) {
      this.processes.set(key, { ...p, alive: false, ...(exit ? { exit } : {}) });
      this.pruneProcesses();
    }
    for (const id of this.procAgents.get(key) ?? []) {
      const a = this.agents.get(id);
      if (!a || a.pid !== pid || a.host !== host || !a.alive) continue;
      setAgentMaster(this, id, a, null);
      a.alive = false;
      this.agentsAlive--;
      this.round?.agentLost(id);
    }
    this.procAgents.delete(key);
    void t;
  }

  private pruneProcesses(): void {
    let dead = 0;
    for (const p of this.processes.values()) if (!p.alive) dead++;
    for (const [k, p] of this.processes) {
      if (dead <= this.limits.gone) break;
      if (!p.alive) {
        this.processes.delete(k);
        dead--;
      }
    }
  }

  pruneDeadMasters(): void {
    let dead = 0;
    for (const m of this.masters.values()) if (m.state === 'dead') dead++;
    for (const [id, m] of this.masters) {
      if (dead <= this.limits.gone) break;
      if (m.state === 'dead' && id !== this.active) {
        this.masters.delete(id);
        dead--;
      }
    }
  }
}

function mergeRoles(a: HostRow['roles'], b: HostRow['roles']): HostRow['roles'] {
  const out = a.slice();
  for (const r of b) if (!out.includes(r)) out.push(r);
  return out.sort(); // 'agent' < 'master': stable display order
}

/** etcd revisions are int64 strings; compare them as numbers when they are numbers */
export function maxRev(a: string | null, b: string): string {
  if (a === null) return b;
  try {
    return BigInt(b) > BigInt(a) ? b : a;
  } catch {
    return b;
  }
}

export type { FaultKind };
