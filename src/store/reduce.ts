/**
 * The one place dashboard state changes: reduceAll(state, events) folds the
 * events into the run model (src/model/, the only interpreter of worker
 * events), appends the model's notes to the log, keeps the watch tail and the
 * progress lines, and takes one new picture of the model. Cheap per event:
 * O(1) in the model, never O(agents) or O(log).
 *
 *   let s = initialState();
 *   s = reduce(s, { kind: 'worker', event: { t, tc, host: 'localhost', pid: 4242, role: 'agent', id: 'localhost-a17', ev: 'got-master', master: 'localhost-m2' } });
 */
import type { BenchEvent, MasterWatchLine } from '../events.ts';
import { eventTime } from '../model/run-model.ts';
import { snapshot } from '../model/snapshot.ts';
import type { Note } from '../model/types.ts';
import { fmtMsUnit } from '../stats/format.ts';
import { pushRing, type Ring } from './ring.ts';
import type { DashboardState, LogLine, ProgressItem } from './state.ts';

export { eventTime };

const PROGRESS_KEPT = 8;

/** A state was reduced after a newer one had been made from it: two histories would mix. */
export class StaleStateError extends Error {
  constructor() {
    super('reduce() was given a dashboard state that is not the newest one of its run model');
    this.name = 'StaleStateError';
  }
}

export function reduce(state: DashboardState, e: BenchEvent): DashboardState {
  return reduceAll(state, [e]);
}

/** Reduce a batch (what the TUI does once per frame): one picture of the model at the end. */
export function reduceAll(state: DashboardState, events: readonly BenchEvent[]): DashboardState {
  const model = state.model;
  if (model.events !== state.version) throw new StaleStateError();
  if (events.length === 0) return state;
  let log = state.log;
  let watch = state.watch;
  let progress = state.progress;
  const addNote = (n: Note) => {
    if (!n.silent) log = appendLog(log, n.t, n.level, n.source, n.text);
  };
  for (const e of events) {
    for (const n of model.apply(e)) addNote(n);
    if (e.kind === 'watch') watch = tail(watch, e.line, state.limits.watchLines);
    else if (e.kind === 'progress') ({ progress, log } = onProgress(progress, log, e, eventTime(e)));
  }
  return {
    ...snapshot(model, state.limits.rounds),
    watch,
    log,
    progress,
    events: state.events + events.length,
    limits: state.limits,
    model,
    version: model.events,
  };
}

function appendLog(log: Ring<LogLine>, t: number, level: LogLine['level'], source: string, text: string): Ring<LogLine> {
  return pushRing(log, { seq: log.total + 1, t, level, source, text });
}

function tail(watch: MasterWatchLine[], line: MasterWatchLine, cap: number): MasterWatchLine[] {
  return watch.length >= cap ? [...watch.slice(watch.length - cap + 1), line] : [...watch, line];
}

/** Drop the oldest items matching `gone` beyond `keep` of them. */
function prune<T>(list: T[], gone: (x: T) => boolean, keep: number): T[] {
  let n = 0;
  for (const x of list) if (gone(x)) n++;
  if (n <= keep) return list;
  let drop = n - keep;
  return list.filter((x) => !(drop > 0 && gone(x) && drop-- > 0));
}

function onProgress(list: ProgressItem[], log: Ring<LogLine>, e: Extract<BenchEvent, { kind: 'progress' }>, t: number): { progress: ProgressItem[]; log: Ring<LogLine> } {
  const i = list.findIndex((p) => p.step === e.step && !p.finished);
  const finished = e.total > 0 && e.done >= e.total;
  const item: ProgressItem = i >= 0 ? { ...list[i], done: e.done, total: e.total, t, finished } : { step: e.step, done: e.done, total: e.total, startedAt: t, t, finished };
  let progress = list.slice();
  if (i >= 0) progress[i] = item;
  else progress.push(item);
  progress = prune(progress, (p) => p.finished, Math.max(0, PROGRESS_KEPT - progress.filter((p) => !p.finished).length));
  const took = fmtMsUnit(t - item.startedAt);
  let text: string | null = null;
  if (i < 0 && finished) text = `${e.step}: done (${e.done}/${e.total})`;
  else if (i < 0) text = `${e.step}: ${e.done}/${e.total}`;
  else if (finished) text = `${e.step}: done (${e.done}/${e.total}, ${took})`;
  return { progress, log: text === null ? log : appendLog(log, t, 'info', 'bench', text) };
}
