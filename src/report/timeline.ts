/**
 * A run's rounds as the report draws them, read from the run model: the
 * events (events.jsonl, in file order) are folded through `new RunModel()`
 * (src/model/), and each round's per-agent times are taken from its
 * RoundState (agentTimes()) when the model closes it. No round rule is
 * restated here: which agents count, when a notify or got-master counts,
 * who the old and the new master are, is the model's. A fold, so a run of
 * 10,000 agents × 20 rounds is read without holding its events.
 *
 *   {"kind":"fault","round":1,"fault":"kill","target":"local-m3","host":"localhost","pid":24944,"t":1795989855551.1}
 *   {"kind":"worker","event":{"role":"agent","id":"local-a14","host":"localhost","ev":"notified","tc":1795989857441.4,...}}
 *   -> {round: 1, faultAt: 1795989855551.1, detectMs: 1914.3, electedMs: 1924.3, notifyMs: [1890.3, ...], ...}
 *
 * Times are ms since the round's fault time (the model's, which the
 * round-end's `faultAt` carries). A run killed mid-round still gets its last
 * round, with `result: null`.
 */
import type { BenchEvent, RoundResult, RunSummary } from '../events.ts';
import type { RoundState } from '../model/round.ts';
import { RunModel } from '../model/run-model.ts';
import type { HostRow } from '../model/types.ts';

export interface RoundTimeline {
  round: number;
  fault: string;
  /** Unix epoch ms, control node clock */
  faultAt: number;
  oldMaster: string | null;
  newMaster: string | null;
  /** the etcd raft leader when the round started; null: unknown */
  raftLeader: string | null;
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
  /** per agent: got the new master - its notify, ms (>= 0, as the model's samples) */
  regetMs: number[];
  /** agent notify (ms since the fault) by the agent's host */
  notifyByHost: Record<string, number[]>;
}

export interface FoldedRun {
  timelines: RoundTimeline[];
  /** the rounds the model recorded (round-end events), in order */
  rounds: RoundResult[];
  /** the model's summary of those rounds from its own per-agent samples (no round-end summary needed) */
  samplesSummary: RunSummary;
  /** per agent: its initial get (first got-master - its start), ms, as the model samples it */
  agentGetMs: number[];
  /** the summary carried by the last round-end, with the number of rounds it covers */
  lastSummary: { summary: RunSummary; rounds: number } | null;
  /** the `config` event, when there was one */
  config: Extract<BenchEvent, { kind: 'config' }> | null;
  /** the model's hosts */
  hosts: HostRow[];
}

/** A closed (or still open) round of the model as a timeline. O(agents). */
export function timelineOf(r: RoundState): RoundTimeline {
  const result = r.result;
  const tf = r.tf;
  const since = (t: number | null | undefined) => (t === null || t === undefined ? null : t - tf);
  const notifyMs: number[] = [];
  const gotMs: number[] = [];
  const regetMs: number[] = [];
  const notifyByHost: Record<string, number[]> = {};
  for (const a of r.agentTimes()) {
    if (a.notified !== null) {
      notifyMs.push(a.notified - tf);
      (notifyByHost[a.host] ??= []).push(a.notified - tf);
    }
    if (a.got !== null) {
      gotMs.push(a.got - tf);
      if (a.notified !== null && a.got >= a.notified) regetMs.push(a.got - a.notified);
    }
  }
  return {
    round: r.round,
    fault: r.fault,
    faultAt: tf,
    oldMaster: result?.oldMaster ?? r.oldMaster ?? r.target,
    newMaster: result?.newMaster ?? r.elected?.id ?? null,
    raftLeader: result?.raftLeader ?? r.raftLeader,
    result,
    detectMs: result ? result.detectMs : since(r.detectAt),
    electedMs: result ? result.failoverMs : since(r.elected?.t),
    stepdownMs: since(r.oldStepdown),
    notifyMs,
    gotMs,
    regetMs,
    notifyByHost,
  };
}

/** A round-end whose round the model never saw start (the file was cut before it): the result alone. */
function resultOnly(result: RoundResult): RoundTimeline {
  return {
    round: result.round,
    fault: result.fault,
    faultAt: result.faultAt,
    oldMaster: result.oldMaster,
    newMaster: result.newMaster,
    raftLeader: result.raftLeader ?? null,
    result,
    detectMs: result.detectMs,
    electedMs: result.failoverMs,
    stepdownMs: null,
    notifyMs: [],
    gotMs: [],
    regetMs: [],
    notifyByHost: {},
  };
}

/** Folds a run's events, in file order, through the run model into per-round timelines. */
export class TimelineFold {
  readonly model = new RunModel();
  private done: RoundTimeline[] = [];
  private lastSummary: FoldedRun['lastSummary'] = null;
  private config: FoldedRun['config'] = null;

  feed(e: BenchEvent): void {
    const m = this.model;
    const open = m.round;
    const recorded = m.rounds.length;
    m.apply(e);
    if (e.kind === 'config') this.config = e;
    if (e.kind === 'round-end' && e.summary) this.lastSummary = { summary: e.summary, rounds: m.rounds.length };
    // the model closed (or replaced) the round it had open: take its times now
    if (open && m.round !== open) this.done.push(timelineOf(open));
    else if (e.kind === 'round-end' && m.rounds.length > recorded && (!open || open.round !== e.result.round)) this.done.push(resultOnly(e.result));
  }

  finish(): FoldedRun {
    const m = this.model;
    const timelines = m.round ? [...this.done, timelineOf(m.round)] : this.done;
    return {
      timelines,
      rounds: m.rounds.slice(),
      samplesSummary: m.samples.summary(m.rounds),
      agentGetMs: m.samples.get.slice(),
      lastSummary: this.lastSummary,
      config: this.config,
      hosts: [...m.hosts.values()],
    };
  }
}

/** Fold a whole list of events (tests, small runs). */
export function foldEvents(events: Iterable<BenchEvent>): FoldedRun {
  const f = new TimelineFold();
  for (const e of events) f.feed(e);
  return f.finish();
}
