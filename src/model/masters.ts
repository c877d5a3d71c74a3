/**
 * Masters in the run model: a master's state from its own events, and the
 * one rule for the active master (the master that holds the master key as
 * far as the control node can tell):
 *
 *   elected by X                      -> X is active
 *   stepdown by the active master      -> none
 *   /master watch DELETE of X's key    -> none, when X is active
 *   /master watch PUT naming known id Y (at or after the active's claim) -> Y
 *   a candidate's `lost` naming a known master, an agent's `got-master`, when none is known -> that master
 *
 * A SIGKILLed master stays active (and dead) until its key goes: the key
 * still names it. A value this run's masters did not write never becomes the
 * active master; it is the key holder (see KeyHolder) and the session reports it.
 */
import type { MasterWatchLine, WorkerEvent } from '../events.ts';
import { fmtMsUnit } from '../stats/format.ts';
import type { RunModel } from './run-model.ts';
import type { MasterRow, MasterState, Note } from './types.ts';

const CREATES_MASTER: ReadonlySet<string> = new Set(['start', 'campaign', 'elected', 'lost', 'refresh', 'stepdown', 'notified']);
/** events that prove a master reached etcd: a cut-off master whose link is back has rejoined with the first of them */
const HEARD_FROM_ETCD: ReadonlySet<string> = new Set(['elected', 'lost', 'refresh', 'notified', 'watch-created', 'ego-written']);

/** etcd revisions are int64 strings: compare as BigInt when both are numbers */
export function revAtLeast(a: string, b: string): boolean {
  try {
    return BigInt(a) >= BigInt(b);
  } catch {
    return true;
  }
}

export function setMaster(m: RunModel, id: string, patch: Partial<MasterRow>, t: number, host = '?'): MasterRow {
  const prev = m.masters.get(id);
  const row: MasterRow = prev
    ? { ...prev, ...patch }
    : { id, host, pid: null, state: 'starting', since: t, lastRefresh: null, keepAliveSentAt: null, refreshFailing: false, reason: null, electedAt: null, electedRev: null, ...patch };
  if (prev && patch.state !== undefined && patch.state !== prev.state) row.since = t;
  m.masters.set(id, row);
  if (row.state === 'dead') m.pruneDeadMasters();
  return row;
}

export function setActive(m: RunModel, id: string | null, rev: string | null = null): void {
  m.active = id;
  m.activeRev = id === null ? null : (rev ?? m.masters.get(id)?.electedRev ?? null);
}

/** The master id a watch value names: the value itself, or a known id inside it (seed style "id|start"). */
export function masterIdIn(m: RunModel, value: string): string | null {
  if (m.masters.has(value)) return value;
  for (const id of m.masters.keys()) if (value.startsWith(`${id}|`)) return id;
  return null;
}

function since(m: RunModel, t: number): string {
  const r = m.round;
  return r && r.faultSet && t >= r.tf ? ` (+${fmtMsUnit(t - r.tf)} after the fault)` : '';
}

export function onMasterEvent(m: RunModel, w: WorkerEvent, t: number, notes: Note[]): void {
  const prev = m.masters.get(w.id);
  const note = (level: Note['level'], text: string, error?: string): void => {
    notes.push({ level, source: w.id, text, t, ...(error ? { error } : {}) });
  };
  if (!prev && !CREATES_MASTER.has(w.ev)) {
    // helpers that speak as role master (`worker signal`, the clock channel) are not masters
    if (w.ev === 'error') note('error', w.message ?? 'error', `${w.id}: ${w.message ?? 'error'}`);
    return;
  }
  // a cut-off master speaks (keep-alive failures, its guard's stepdown) but stays partitioned until,
  // its link back (fault-healed), it is heard from etcd again
  const rejoined = prev?.state === 'partitioned' && (prev.healedAt ?? null) !== null && HEARD_FROM_ETCD.has(w.ev);
  const cutOff = prev?.state === 'partitioned' && !rejoined && w.ev !== 'exit';
  // a paused master that speaks again was resumed (SIGCONT)
  const back = (prev?.state === 'paused' && w.ev !== 'exit') || rejoined;
  const resumed: MasterState | undefined = back ? (m.active === w.id ? 'master' : 'candidate') : undefined;
  // its word from etcd before the heal's event arrived: fault-healed checks it (run-model.ts)
  const heard: Partial<MasterRow> = cutOff && HEARD_FROM_ETCD.has(w.ev) ? { heardAt: t } : {};
  const base: Partial<MasterRow> = prev ? heard : { host: w.host, pid: w.pid };
  const set = (patch: Partial<MasterRow>) => {
    const { state, ...rest } = { ...base, ...(resumed ? { state: resumed } : {}), ...patch };
    return setMaster(m, w.id, cutOff || state === undefined ? rest : { ...rest, state }, t, prev?.host ?? w.host);
  };
  m.round?.onMaster(w, t);
  switch (w.ev) {
    case 'start':
      set({ state: prev?.state === 'master' ? 'master' : 'starting', pid: w.pid });
      return note('info', `master started (pid ${w.pid} on ${w.host})`);
    case 'campaign':
      set({ state: 'candidate' });
      return;
    case 'elected': {
      set({ state: 'master', reason: null, refreshFailing: false, lastRefresh: t, keepAliveSentAt: null, electedAt: t, electedRev: w.rev ?? null });
      setActive(m, w.id, w.rev ?? null);
      return note('info', `elected master${w.rev ? ` at rev ${w.rev}` : ''}${since(m, t)}`);
    }
    case 'lost': {
      set({ state: 'candidate' });
      const holder = typeof w.master === 'string' ? masterIdIn(m, w.master) : null;
      if (m.active === null && holder && holder !== w.id) setActive(m, holder);
      return;
    }
    case 'refresh':
      set({ lastRefresh: t, keepAliveSentAt: t - (typeof w.ms === 'number' ? w.ms : 0), refreshFailing: false });
      return;
    case 'refresh-failed':
      set({ refreshFailing: true });
      // the transition only: a failing keep-alive repeats every R
      if (!prev?.refreshFailing) note('warn', `keep-alive failed${w.message ? `: ${w.message}` : ''}`);
      return;
    case 'stepdown':
      set({ state: 'candidate', reason: w.reason ?? null });
      if (m.active === w.id) setActive(m, null);
      return note('warn', `stepped down${w.reason ? `: ${w.reason}` : ''}`);
    case 'notified':
      set({});
      return note('info', `saw the master key go away${since(m, t)}`);
    case 'resign-requested':
      set({});
      return note('info', 'resign requested');
    case 'error':
      set({});
      return note('error', w.message ?? 'error', `${w.id}: ${w.message ?? 'error'}`);
    case 'exit': {
      set({ state: 'dead' });
      m.processGone(w.host, w.pid, t);
      return note('info', `exited${w.reason ? `: ${w.reason}` : ''}`);
    }
    default:
      // ego-written, watch-created, pong, signal-sent: nothing to show
      if (resumed) set({});
  }
}

/** The control node's own watch: who holds the key, and the active master where the line is newer than its claim. */
export function onWatch(m: RunModel, line: MasterWatchLine): void {
  m.keyHolder = { value: line.type === 'PUT' ? line.value : null, rev: line.rev, lease: line.lease ?? null, t: line.t };
  if (line.type === 'DELETE') {
    if (m.active === null) return;
    const gone = line.prev !== undefined && line.prev !== null ? masterIdIn(m, line.prev) : null;
    // the holder that went is named (prev_kv): clear only it; else trust the revision order
    if (gone !== null ? gone === m.active : m.activeRev === null || !revAtLeast(m.activeRev, line.rev)) setActive(m, null);
    return;
  }
  if (line.value === null) return;
  const id = masterIdIn(m, line.value);
  if (id && id !== m.active && (m.activeRev === null || revAtLeast(line.rev, m.activeRev))) setActive(m, id, line.rev);
}
