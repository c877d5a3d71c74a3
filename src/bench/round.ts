/**
 * One failover round, measured from the events that arrive after the fault
 * (pure: no I/O, fed event by event). All times are control-node ms (`tc`).
 *
 *   failover  = new master elected     - fault time
 *   detect    = first candidate notified - fault time
 *   election  = new master elected     - that notification
 *   dual      = old master's stepdown  - new master elected (pause; >= 0)
 *   agent notify = agent notified - fault; re-get = got-master(new) - notified
 */
import type { FaultKind, RoundResult, WorkerEvent } from '../events.ts';
import { distribution } from '../stats/distribution.ts';

interface AgentTrack {
  notified: number | null;
  got: Map<string, number>;
}

export class RoundTracker {
  private elected: { id: string; tc: number } | null = null;
  private firstNotified: number | null = null;
  private oldStepdown: number | null = null;
  private oldExited = false;
  /** etcd-leader: the old master's first successful keep-alive after the fault */
  private oldRefresh: number | null = null;
  private agents = new Map<string, AgentTrack>();
  /** a master other than the old one stepped down during the round: it flapped */
  private flap: string | null = null;
  /** agents holding the new master, counted as events arrive */
  private knowing = 0;

  constructor(
    readonly round: number,
    readonly fault: FaultKind,
    /** fault time, control clock (refined by setFaultAt for resign) */
    public faultAt: number,
    readonly oldMaster: string | null,
    /** ids of every agent expected to follow the failover */
    readonly agentIds: ReadonlySet<string>,
  ) {}

  setFaultAt(t: number): void {
    this.faultAt = t;
  }

  get newMaster(): string | null {
    return this.elected?.id ?? null;
  }

  feed(e: WorkerEvent): void {
    const tc = e.tc ?? e.t;
    if (e.role === 'master') {
      // losing the etcd leader can make the master step down and win again: that counts
      if (e.id === this.oldMaster && !(this.fault === 'etcd-leader' && e.ev === 'elected' && tc >= this.faultAt)) {
        if (e.ev === 'stepdown' && this.oldStepdown === null && tc >= this.faultAt) this.oldStepdown = tc;
        if (e.ev === 'exit') this.oldExited = true;
        if (e.ev === 'refresh' && this.oldRefresh === null && tc > this.faultAt) this.oldRefresh = tc;
        return;
      }
      if (e.ev === 'elected' && !this.elected && tc >= this.faultAt) {
        this.elected = { id: e.id, tc };
        // agents' events may have come in first: count them once
        for (const a of this.agents.values()) if (a.got.has(e.id)) this.knowing++;
      }
      if (e.ev === 'notified' && this.firstNotified === null) this.firstNotified = tc;
      if (e.ev === 'stepdown' && e.reason !== 'term' && e.reason !== 'stop' && tc >= this.faultAt && !this.flap)
        this.flap = `the new master ${e.id} stepped down (${String(e.reason)}) during the round: its keep-alives stalled (etcd overloaded?)`;
      return;
    }
    if (!this.agentIds.has(e.id)) return;
    let a = this.agents.get(e.id);
    if (!a) this.agents.set(e.id, (a = { notified: null, got: new Map() }));
    if (e.ev === 'notified' && a.notified === null) a.notified = tc;
    if (e.ev === 'got-master' && typeof e.master === 'string' && !a.got.has(e.master)) {
      a.got.set(e.master, tc);
      if (e.master === this.elected?.id) this.knowing++;
    }
  }

  /** the old master is gone for good (its process exited) */
  markOldExited(): void {
    this.oldExited = true;
  }

  /** how many agents already hold the new master */
  get agentsKnowing(): number {
    return this.knowing;
  }


  get done(): boolean {
    // losing the etcd raft leader need not move the master: done once it keeps its lease again
    if (this.fault === 'etcd-leader' && !this.elected && this.oldRefresh !== null && this.oldStepdown === null) return true;
    if (!this.elected) return false;
    if (this.agentsKnowing < this.agentIds.size) return false;
    if (this.fault === 'pause' && this.oldStepdown === null && !this.oldExited) return false;
    return true;
  }

  /** per-agent samples for the run summary */
  samples(): { notify: number[]; reget: number[] } {
    const m = this.newMaster;
    const notify: number[] = [];
    const reget: number[] = [];
    for (const a of this.agents.values()) {
      if (a.notified === null) continue;
      notify.push(a.notified - this.faultAt);
      const got = m ? a.got.get(m) : undefined;
      if (got !== undefined) reget.push(got - a.notified);
    }
    return { notify, reget };
  }

  result(error?: string): RoundResult {
    const { notify, reget } = this.samples();
    const elected = this.elected?.tc ?? null;
    const failoverMs = elected === null ? null : elected - this.faultAt;
    const detectMs = this.firstNotified === null ? null : this.firstNotified - this.faultAt;
    const electionMs = elected === null || this.firstNotified === null ? null : elected - this.firstNotified;
    let dualLeaderMs: number | null = null;
    if (this.fault === 'pause' && elected !== null && this.oldStepdown !== null) dualLeaderMs = Math.max(0, this.oldStepdown - elected);
    const done = this.done;
    if (this.flap && !error) error = this.flap;
    return {
      round: this.round,
      fault: this.fault,
      faultAt: this.faultAt,
      oldMaster: this.oldMaster,
      newMaster: this.newMaster,
      failoverMs,
      detectMs,
      electionMs,
      dualLeaderMs,
      ...(this.fault === 'etcd-leader' ? { recoveryMs: this.oldRefresh === null ? null : this.oldRefresh - this.faultAt } : {}),
      agents: { count: this.agentIds.size, notified: notify.length, notifyMs: distribution(notify), regetMs: distribution(reget) },
      ok: done && !error,
      ...(error ? { error } : !done ? { error: this.missing() } : {}),
    };
  }

  /** what the round still waits for, in words */
  missing(): string {
    if (!this.elected) return 'no new master was elected';
    const k = this.agentsKnowing;
    if (k < this.agentIds.size) return `${this.agentIds.size - k} of ${this.agentIds.size} agents did not get the new master ${this.newMaster}`;
    if (this.fault === 'pause' && this.oldStepdown === null) return `old master ${this.oldMaster} did not step down after the pause`;
    return '';
  }
}
