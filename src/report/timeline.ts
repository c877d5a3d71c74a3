/**
 * Per-round timelines from a run's events, for the report: when the fault
 * hit, when a candidate saw the key expire, when the new master was elected,
 * when the old master stepped down, and every agent's notify and re-get.
 * Pure: fed one BenchEvent at a time (as events.jsonl is read), so a run of
 * 10,000 agents × 20 rounds is folded without holding its events.
 *
 *   {"kind":"fault","round":1,"fault":"kill","target":"local-m3","host":"localhost","pid":24944,"t":1795989855551.1}
 *   {"kind":"worker","event":{"role":"agent","id":"local-a14","host":"localhost","ev":"notified","tc":1795989857441.4,...}}
 *   -> {round: 1, faultAt: 1795989855551.1, detectMs: 1914.3, electedMs: 1924.3, notifyMs: [1890.3, ...], ...}
 *
 * Rules as the bench's round tracker (src/bench/round.ts) applies them: a
 * round's window runs from its `fault` event to the next `round-start` (or
 * the end of the file); an agent's notify is its first `notified` in the
 * window, its re-get the first `got-master` naming the new master. Times are
 * control-node ms (`tc`) minus the fault time, which is the round-end's
 * `faultAt` when there is one (it is refined for resign), else the `fault`
 * event's `t`. A run killed mid-round still gets its last round, with
 * `result: null`.
 */
import type { BenchEvent, RoundResult, RunSummary, WorkerEvent } from '../events.ts';

export interface RoundTimeline {
  round: number;
  fault: string;
  /** Unix epoch ms, control node clock */
  faultAt: number;
  oldMaster: string | null;
  newMaster: string | null;
  /** the round-end result; null when the run stopped before the round ended */
  result: RoundResult | null;
  /** ms since the fault: first candidate `notified`, new master `elected`, old master `stepdown` */
  detectMs: number | null;
  electedMs: number | null;
  stepdownMs: number | null;
  /** per agent, ms since the fault */
  notifyMs: number[];
  /** per agent: got the new master, ms since the fault */
  gotMs: number[];
  /** per agent: got the new master - its notify, ms */
  regetMs: number[];
  /** agent notify (ms since the fault) by the agent's host */
  notifyByHost: Record<string, number[]>;
}

export interface FoldedRun {
  timelines: RoundTimeline[];
  /** per agent: first got-master - its start, ms (the initial get) */
  agentGetMs: number[];
  /** the summary carried by the last round-end, with the number of rounds it covers */
  lastSummary: { summary: RunSummary; rounds: number } | null;
  /** the `config` event, when there was one */
  config: Extract<BenchEvent, { kind: 'config' }> | null;
  /** `host` events in their last state per host */
  hosts: Extract<BenchEvent, { kind: 'host' }>[];
}

/** One round's raw observations, absolute control-clock ms, until it is finished. */
class RoundWindow {
  result: RoundResult | null = null;
  private firstNotified: number | null = null;
  private elected: { id: string; tc: number } | null = null;
  private stepdown: number | null = null;
  private notified = new Map<string, { tc: number; host: string }>();
  /** got-master events in arrival order: agent id, master, tc */
  private got: { id: string; master: string; tc: number }[] = [];

  constructor(
    readonly round: number,
    readonly fault: string,
    readonly tf: number,
    readonly target: string | null,
    /** the faulted process: a later process under the same id (restarted as a standby) is not the old master */
    readonly targetPid: number | null = null,
  ) {}

  feed(e: WorkerEvent): void {
    const tc = e.tc ?? e.t;
    if (e.role === 'master') {
      if (e.id === this.target) {
        // only the faulted process: the same id restarted as a standby (other pid) is not the old master
        const same = this.targetPid === null || e.pid === this.targetPid;
        if (same && e.ev === 'stepdown' && this.stepdown === null && tc >= this.tf) this.stepdown = tc;
      } else if (e.ev === 'elected' && !this.elected && tc >= this.tf) this.elected = { id: e.id, tc };
      else if (e.ev === 'notified' && this.firstNotified === null) this.firstNotified = tc;
      return;
    }
    if (e.ev === 'notified' && !this.notified.has(e.id)) this.notified.set(e.id, { tc, host: e.host });
    else if (e.ev === 'got-master' && typeof e.master === 'string') this.got.push({ id: e.id, master: e.master, tc });
  }

  finish(): RoundTimeline {
    const r = this.result;
    const tf = r?.faultAt ?? this.tf;
    const newMaster = r?.newMaster ?? this.elected?.id ?? null;
    const since = (t: number | null) => (t === null ? null : t - tf);
    const gotAt = new Map<string, number>();
    for (const g of this.got) if (g.master === newMaster && !gotAt.has(g.id)) gotAt.set(g.id, g.tc);
    const notifyMs: number[] = [];
    const regetMs: number[] = [];
    const notifyByHost: Record<string, number[]> = {};
    for (const [id, n] of this.notified) {
      notifyMs.push(n.tc - tf);
      (notifyByHost[n.host] ??= []).push(n.tc - tf);
      const g = gotAt.get(id);
      if (g !== undefined) regetMs.push(g - n.tc);
    }
    return {
      round: this.round,
      fault: this.fault,
      faultAt: tf,
      oldMaster: r?.oldMaster ?? this.target,
      newMaster,
      result: r,
      detectMs: r ? r.detectMs : since(this.firstNotified),
      electedMs: r ? r.failoverMs : since(this.elected?.tc ?? null),
      stepdownMs: since(this.stepdown),
      notifyMs,
      gotMs: [...gotAt.values()].map((t) => t - tf),
      regetMs,
      notifyByHost,
    };
  }
}

/** Folds a run's events, in file order, into per-round timelines. */
export class TimelineFold {
  private done: RoundTimeline[] = [];
  private open: RoundWindow | null = null;
  private agentStart = new Map<string, number>();
  private agentGetMs: number[] = [];
  private lastSummary: FoldedRun['lastSummary'] = null;
  private config: FoldedRun['config'] = null;
  private hosts = new Map<string, Extract<BenchEvent, { kind: 'host' }>>();
  private ended = 0;

  feed(e: BenchEvent): void {
    switch (e.kind) {
      case 'worker':
        return this.worker(e.event);
      case 'round-start':
        return this.close();
      case 'fault':
        this.close();
        this.open = new RoundWindow(e.round, e.fault, e.t, e.target ?? null, typeof e.pid === 'number' ? e.pid : null);
        return;
      case 'round-end':
        this.roundEnd(e.result, e.summary);
        return;
      case 'config':
        this.config = e;
        return;
      case 'host':
        this.hosts.set(e.host, { ...this.hosts.get(e.host), ...e });
        return;
    }
  }

  finish(): FoldedRun {
    this.close();
    return { timelines: this.done, agentGetMs: this.agentGetMs, lastSummary: this.lastSummary, config: this.config, hosts: [...this.hosts.values()] };
  }

  private worker(w: WorkerEvent): void {
    if (w.role === 'agent' && w.process !== true) {
      const tc = w.tc ?? w.t;
      if (w.ev === 'start') this.agentStart.set(w.id, tc);
      else if (w.ev === 'got-master') {
        const start = this.agentStart.get(w.id);
        if (start !== undefined) {
          this.agentGetMs.push(tc - start);
          this.agentStart.delete(w.id);
        }
      }
    }
    this.open?.feed(w);
  }

  private roundEnd(result: RoundResult, summary: RunSummary | undefined): void {
    this.ended++;
    if (summary) this.lastSummary = { summary, rounds: this.ended };
    if (this.open && this.open.round === result.round) this.open.result = result;
    else {
      // a round-end without its fault event (the file was cut before it): the result alone
      this.close();
      const w = new RoundWindow(result.round, result.fault, result.faultAt, result.oldMaster);
      w.result = result;
      this.done.push(w.finish());
    }
  }

  private close(): void {
    if (this.open) this.done.push(this.open.finish());
    this.open = null;
  }
}

/** Fold a whole list of events (tests, small runs). */
export function foldEvents(events: Iterable<BenchEvent>): FoldedRun {
  const f = new TimelineFold();
  for (const e of events) f.feed(e);
  return f.finish();
}
