/**
 * One failover round, folded from the events that follow its `round-start`
 * (part of the run model: no I/O, no clock). The fault's rules (FaultRules,
 * from the fault table via the round-start event) say what outcome to expect
 * and when the round is complete. All times are control-clock ms.
 *
 *   failover  = new master elected        - fault time
 *   detect    = first candidate notified  - fault time
 *   election  = new master elected        - that notification
 *   dual      = old master's stepdown     - new master elected   (>= 0)
 *   stale     = old master's stepdown     - fault healed (SIGCONT, link up) (>= 0)
 *   agent notify = agent notified - fault; re-get = got-master(new) - notified
 *
 * Figures built from two unordered streams (a candidate's watch and its
 * campaign, a worker's clock and the control node's) are never negative:
 * when the order is unknown the figure is null and the round says why (notes).
 */
import type { FaultKind, FaultRules, RoundResult, WorkerEvent } from '../events.ts';
import { distribution } from '../stats/distribution.ts';
import { failoverSplit } from './split.ts';
import type { AgentTimes, FailoverHostCount, FailoverView, RoundStatus } from './types.ts';

export type { AgentTimes, RoundStatus } from './types.ts';

/** Rules of a round whose round-start carried none (events.jsonl of older versions): kill's. */
export const DEFAULT_RULES: FaultRules = { expect: 'failover', oldMasterAfter: 'dead', waitOldStepdown: false, oldMayWin: false, figures: [] };

/** stepdown reasons of a master that lost its claim without being asked to (src/election/types.ts StepdownReason) */
const LEASE_LOST: ReadonlySet<string> = new Set(['deadline', 'lease-lost', 'key-lost']);

interface AgentTrack {
  notified: number | null;
  got: Map<string, number>;
}

interface HostTrack {
  total: number;
  notified: number;
  got: Map<string, number>;
  lastGotAt: number | null;
  lost: number;
}

export class RoundState {
  /** fault time: provisional (round start) until the fault event says when it was injected */
  tf: number;
  faultSet = false;
  target: string;
  host = '?';
  pid = 0;
  healedAt: number | null = null;
  detectAt: number | null = null;
  elected: { id: string; t: number } | null = null;
  oldStepdown: number | null = null;
  oldExited = false;
  oldRefresh: number | null = null;
  oldRefreshAfterHeal: number | null = null;
  flap: string | null = null;
  completeAt: number | null = null;
  result: RoundResult | null = null;
  /** control time of the round-end (or cancel) */
  endedAt: number | null = null;
  cancelled: string | null = null;
  /** the fault's verb, as its event named it ("SIGKILL") */
  verb: string | null = null;
  /** send time of the old master's last acknowledged keep-alive before the fault */
  lastKeepAliveSent: number | null = null;
  /** the control node's watch saw the master key go (after the fault) */
  deleteAt: number | null = null;
  /** the etcd raft leader when the round started (the model's cluster view); null: unknown */
  raftLeader: string | null = null;
  /** healthy masters that lost their claim during the round: "local-m2 (deadline)" */
  readonly flaps: string[] = [];
  private agents = new Map<string, AgentTrack>();
  private hosts = new Map<string, HostTrack>();
  private lost = new Set<string>();
  private knowing = 0;

  constructor(
    readonly round: number,
    readonly fault: FaultKind,
    readonly rules: FaultRules,
    readonly startedAt: number,
    readonly oldMaster: string | null,
    /** agent id -> its host, for every agent expected to follow the failover */
    readonly expected: ReadonlyMap<string, string>,
    /** expected agents already gone at the start */
    goneAtStart: Iterable<string>,
    /** the lease / key TTL, ms (null: unknown) */
    readonly ttlMs: number | null = null,
  ) {
    this.tf = startedAt;
    this.target = oldMaster ?? '?';
    for (const host of expected.values()) this.hostTrack(host).total++;
    for (const id of goneAtStart) this.agentLost(id);
  }

  private hostTrack(host: string): HostTrack {
    let h = this.hosts.get(host);
    if (!h) this.hosts.set(host, (h = { total: 0, notified: 0, got: new Map(), lastGotAt: null, lost: 0 }));
    return h;
  }

  setFault(t: number, target: string, host: string, pid: number, verb?: string): void {
    this.verb = verb ?? null;
    this.tf = t;
    this.faultSet = true;
    this.target = target;
    this.host = host;
    this.pid = pid;
  }

  heal(t: number): void {
    this.healedAt ??= t;
  }

  /**
   * An event of the old master's own process. Once the fault hit it, a
   * process started again under its id (a restored standby) is another master.
   */
  private fromOldMaster(e: WorkerEvent): boolean {
    if (e.id !== this.oldMaster) return false;
    return !this.faultSet || this.target !== this.oldMaster || this.pid <= 0 || e.pid === this.pid;
  }

  /** a master's event (tc: control time) */
  onMaster(e: WorkerEvent, tc: number): void {
    if (e.ev === 'stepdown' && tc >= this.tf && LEASE_LOST.has(String(e.reason)) && !(this.faultSet && this.fromOldMaster(e) && this.target === this.oldMaster)) {
      this.flaps.push(`${e.id} (${String(e.reason)})`);
    }
    if (this.fromOldMaster(e) && !(this.rules.oldMayWin && e.ev === 'elected' && tc >= this.tf)) {
      if (e.ev === 'stepdown' && this.oldStepdown === null && tc >= this.tf) this.oldStepdown = tc;
      if (e.ev === 'exit') this.oldExited = true;
      // a refresh event comes at the acknowledgement; `ms` is how long it took since it was sent
      if (e.ev === 'refresh' && tc <= this.tf) this.lastKeepAliveSent = tc - (typeof e.ms === 'number' ? e.ms : 0);
      if (e.ev === 'refresh' && tc > this.tf) {
        this.oldRefresh ??= tc;
        if (this.healedAt !== null && tc > this.healedAt) this.oldRefreshAfterHeal ??= tc;
      }
      return;
    }
    if (e.ev === 'elected' && !this.elected && tc >= this.tf) {
      this.elected = { id: e.id, t: tc };
      // agents' events may have come in first: count them once
      for (const [id, a] of this.agents) if (a.got.has(e.id) && !this.lost.has(id)) this.know(id, a.got.get(e.id)!);
      this.checkComplete();
    }
    if (e.ev === 'notified' && this.detectAt === null && tc >= this.tf) this.detectAt = tc;
    if (e.ev === 'stepdown' && e.reason !== 'term' && e.reason !== 'stop' && tc >= this.tf && !this.flap) {
      this.flap = `the new master ${e.id} stepped down (${String(e.reason)}) during the round: its keep-alives stalled (etcd overloaded?)`;
    }
  }

  /** the control node's own watch: the first DELETE after the fault */
  onWatch(type: 'PUT' | 'DELETE', t: number): void {
    if (type === 'DELETE' && t >= this.tf && this.faultSet) this.deleteAt ??= t;
  }

  /** an agent's event; ignored unless the agent is expected */
  onAgent(e: WorkerEvent, tc: number): void {
    const host = this.expected.get(e.id);
    if (host === undefined) return;
    let a = this.agents.get(e.id);
    if (!a) this.agents.set(e.id, (a = { notified: null, got: new Map() }));
    if (e.ev === 'notified' && a.notified === null && tc >= this.startedAt) {
      a.notified = tc;
      this.hostTrack(host).notified++;
    }
    if (e.ev === 'got-master' && typeof e.master === 'string' && !a.got.has(e.master) && tc >= this.startedAt) {
      a.got.set(e.master, tc);
      const h = this.hostTrack(host);
      h.got.set(e.master, (h.got.get(e.master) ?? 0) + 1);
      if (e.master === this.elected?.id && !this.lost.has(e.id)) this.know(e.id, tc);
    }
  }

  private know(id: string, t: number): void {
    this.knowing++;
    const h = this.hostTrack(this.expected.get(id)!);
    h.lastGotAt = Math.max(h.lastGotAt ?? 0, t);
    this.checkComplete();
  }

  /** an expected agent's process is gone */
  agentLost(id: string): void {
    const host = this.expected.get(id);
    if (host === undefined || this.lost.has(id)) return;
    this.lost.add(id);
    this.hostTrack(host).lost++;
    const m = this.elected?.id;
    if (m && this.agents.get(id)?.got.has(m)) this.knowing--;
    this.checkComplete();
  }

  /** completeAt: when the last expected agent got the new master (there must be agents and a new master) */
  private checkComplete(): void {
    if (this.completeAt === null && this.elected && this.expected.size > 0 && this.accounted()) this.completeAt = this.lastGot();
  }

  /** every expected agent either knows the new master or is gone */
  private accounted(): boolean {
    return this.knowing + this.lost.size >= this.expected.size;
  }

  private lastGot(): number {
    let last = this.elected?.t ?? this.tf;
    for (const h of this.hosts.values()) if (h.lastGotAt !== null && h.lastGotAt > last) last = h.lastGotAt;
    return last;
  }

  get agentsKnowing(): number {
    return this.knowing;
  }

  /** the master kept its lease: no election by another, no stepdown, a keep-alive after the fault ended */
  private keptLease(): boolean {
    if (this.elected || this.oldStepdown !== null || this.oldExited) return false;
    const needsHeal = this.rules.oldMasterAfter === 'paused' || this.rules.oldMasterAfter === 'partitioned';
    return needsHeal ? this.oldRefreshAfterHeal !== null : this.oldRefresh !== null;
  }

  status(): RoundStatus {
    const { expect } = this.rules;
    if (expect !== 'failover' && this.keptLease()) {
      return this.finish('none', '');
    }
    if (!this.elected) return { complete: false, outcome: null, ok: false, reason: expect === 'none' ? `${this.oldMaster} did not keep its lease yet` : 'no new master was elected' };
    if (!this.accounted()) {
      const missing = this.expected.size - this.knowing - this.lost.size;
      return { complete: false, outcome: null, ok: false, reason: `${missing} of ${this.expected.size} agents did not get the new master ${this.elected.id}` };
    }
    if (this.rules.waitOldStepdown && this.oldStepdown === null && !this.oldExited) {
      return { complete: false, outcome: null, ok: false, reason: `old master ${this.oldMaster} did not step down after the fault` };
    }
    return this.finish('failover', expect === 'none' ? `${this.oldMaster} lost its lease although the fault was shorter than T (expected to keep it)` : '');
  }

  private finish(outcome: 'failover' | 'none', wrong: string): RoundStatus {
    const problems = [wrong, this.flap ?? '', this.lost.size > 0 ? `${this.lost.size} of ${this.expected.size} agents lost (their process is gone)` : ''].filter(Boolean);
    return { complete: true, outcome, ok: problems.length === 0, reason: problems.join('; ') };
  }

  /** per-agent samples for the run summary; negative ones (clock order unknown) are left out and counted */
  samples(): { notify: number[]; reget: number[]; early: number } {
    const m = this.elected?.id;
    const notify: number[] = [];
    const reget: number[] = [];
    let early = 0;
    for (const a of this.agents.values()) {
      if (a.notified === null) continue;
      const n = a.notified - this.tf;
      if (n < 0) early++;
      else notify.push(n);
      const got = m ? a.got.get(m) : undefined;
      if (got !== undefined && got >= a.notified) reget.push(got - a.notified);
    }
    return { notify, reget, early };
  }

  /**
   * Per expected agent that said anything in the round: host, notified, got
   * (of the new master), in the order the agents were expected. O(agents);
   * the report's CDFs are drawn from it.
   */
  agentTimes(): AgentTimes[] {
    const m = this.elected?.id;
    const out: AgentTimes[] = [];
    for (const [id, host] of this.expected) {
      const a = this.agents.get(id);
      if (!a) continue;
      out.push({ id, host, notified: a.notified, got: (m ? a.got.get(m) : undefined) ?? null });
    }
    return out;
  }

  /** the round's result; `error` (a timeout, an injection failure) wins over the figures */
  toResult(error?: string): RoundResult {
    const st = this.status();
    const { notify, reget, early } = this.samples();
    const notes: string[] = [];
    const since = (t: number | null, what: string): number | null => {
      if (t === null) return null;
      if (t < this.tf) {
        notes.push(`${what} is stamped before the fault time by ${(this.tf - t).toFixed(1)} ms (clock uncertainty): not reported`);
        return null;
      }
      return t - this.tf;
    };
    const elected = this.elected?.t ?? null;
    const failoverMs = since(elected, 'the election');
    let detectMs = since(this.detectAt, 'the first notification');
    let electionMs = elected !== null && this.detectAt !== null ? elected - this.detectAt : null;
    if (electionMs !== null && electionMs < 0) {
      notes.push(`order unknown: the first notification (+${(this.detectAt! - this.tf).toFixed(1)} ms) came after the election (+${(elected! - this.tf).toFixed(1)} ms), from a watch that lagged the campaign`);
      electionMs = null;
      detectMs = null;
    }
    if (early > 0) notes.push(`${early} agent notification(s) stamped before the fault time (clock uncertainty): left out`);
    const figures = this.rules.figures;
    const dualLeaderMs = figures.includes('dualLeaderMs') && elected !== null && this.oldStepdown !== null ? Math.max(0, this.oldStepdown - elected) : null;
    const staleLeaderMs = figures.includes('staleLeaderMs') && st.outcome !== 'none' && this.healedAt !== null && this.oldStepdown !== null ? Math.max(0, this.oldStepdown - this.healedAt) : null;
    const reason = error ?? (st.complete ? st.reason : st.reason || 'incomplete');
    const ok = !error && st.complete && st.ok;
    return {
      round: this.round,
      fault: this.fault,
      faultAt: this.tf,
      oldMaster: this.oldMaster,
      newMaster: this.elected?.id ?? null,
      failoverMs,
      detectMs,
      electionMs,
      dualLeaderMs,
      staleLeaderMs,
      ...(figures.includes('recoveryMs') ? { recoveryMs: this.oldRefresh === null ? null : this.oldRefresh - this.tf } : {}),
      ...(figures.includes('split') && st.outcome !== 'none' ? { split: failoverSplit({ tf: this.tf, lastKeepAliveSent: this.lastKeepAliveSent, ttlMs: this.ttlMs, deleteAt: this.deleteAt, detectAt: this.detectAt, elected: this.elected?.t ?? null }, notes) } : {}),
      agents: { count: this.expected.size, notified: notify.length, lost: this.lost.size, notifyMs: distribution(notify), regetMs: distribution(reget) },
      outcome: st.complete ? st.outcome : null,
      ...(notes.length > 0 ? { notes } : {}),
      raftLeader: this.raftLeader,
      ...(this.flaps.length > 0 ? { flaps: this.flaps.slice() } : {}),
      ok,
      ...(ok ? {} : { error: reason }),
    };
  }

  /** the live view the failover panel draws */
  view(): FailoverView {
    const perHost: Record<string, FailoverHostCount> = {};
    for (const [host, h] of this.hosts) perHost[host] = { total: h.total, notified: h.notified, got: Object.fromEntries(h.got), lastGotAt: h.lastGotAt, lost: h.lost };
    return {
      round: this.round,
      fault: this.fault,
      target: this.target,
      host: this.host,
      pid: this.pid,
      tf: this.tf,
      detectAt: this.detectAt,
      newMaster: this.elected?.id ?? this.result?.newMaster ?? null,
      electedAt: this.elected?.t ?? null,
      stepdownAt: this.oldStepdown,
      healedAt: this.healedAt,
      perHost,
      agentsTotal: this.expected.size,
      completeAt: this.completeAt,
      result: this.result,
      endedAt: this.endedAt,
      cancelled: this.cancelled,
      verb: this.verb,
    };
  }
}
