/**
 * Plain one-line text for BenchEvents: what is printed instead of the Ink
 * dashboard when stdout is not a TTY, and the progress of a headless `run`
 * on stderr. It is the dashboard's event log, printed: the same reducer
 * decides what is worth a line (round results with ms figures, elections,
 * faults, errors, "all N agents know X"), so refresh and per-agent events
 * never print one by one.
 *
 *   15:21:07.123 warn  bench: round 3: SIGKILL localhost-m1 (pid 4242 on localhost)
 *   15:21:08.835 info  localhost-m2: elected master at rev 17 (+1712.3 ms after the fault)
 *   15:21:09.102 info  bench: round 3 kill: localhost-m1 -> localhost-m2 failover 1712.3 ms ...
 */
import type { BenchEvent } from '../events.ts';
import { fmtClock } from '../stats/format.ts';
import { reduce } from './reduce.ts';
import { ringTail } from './ring.ts';
import { initialState, type DashboardState, type LogLevel, type LogLine } from './state.ts';

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface PlainOptions {
  /** lowest level printed; default 'info' (the /master watch lines are 'debug') */
  minLevel?: LogLevel;
  /** times in UTC instead of local time (tests) */
  utc?: boolean;
}

export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LEVELS[level] >= LEVELS[min];
}

export function formatLogLine(l: LogLine, utc = false): string {
  return `${fmtClock(l.t, utc)} ${l.level.padEnd(5)} ${l.source}: ${l.text}`;
}

/**
 * The lines one event produces on its own (no history): null when it is not
 * worth a line (refresh, an agent's notified/got-master, ...).
 */
export function formatPlain(e: BenchEvent, opts: PlainOptions = {}): string | null {
  const before = initialState();
  const after = reduce(before, e);
  const lines = ringTail(after.log, after.log.total - before.log.total)
    .filter((l) => levelAtLeast(l.level, opts.minLevel ?? 'info'))
    .map((l) => formatLogLine(l, opts.utc));
  return lines.length > 0 ? lines.join('\n') : null;
}

export interface PlainPrinter {
  /** reduce one event and write the lines it produced */
  push(e: BenchEvent): void;
  /** the state built so far (the headless run can read its summary here) */
  state(): DashboardState;
}

/**
 * A stateful printer: keeps a DashboardState so that aggregated lines (all
 * agents re-detected, agent error counts) come out exactly as in the TUI log.
 */
export function createPlainPrinter(write: (line: string, level: LogLevel) => void, opts: PlainOptions & { initial?: Partial<DashboardState> } = {}): PlainPrinter {
  let s = initialState(opts.initial);
  const min = opts.minLevel ?? 'info';
  return {
    push(e) {
      const before = s.log.total;
      s = reduce(s, e);
      const fresh = s.log.total - before;
      if (fresh <= 0) return;
      for (const l of ringTail(s.log, fresh)) if (levelAtLeast(l.level, min)) write(formatLogLine(l, opts.utc), l.level);
    },
    state: () => s,
  };
}
