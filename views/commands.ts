/**
 * What each command of the key table does in the dashboard: the map from
 * command id to handler that App passes to useKeys. Plain functions over
 * what App gives them (actions, mode, focus, scroll, filter, prompt), so
 * every id of keys.ts has exactly one meaning here, checked by TypeScript.
 *
 *   const handlers = commandHandlers(ctx);   handlers.kill()  // opens the kill dialog
 */
import type { Key } from 'ink';
import type { DashboardActions } from '../src/store/index.ts';
import type { FocusTo, KeyHandlers, ScrollTo } from './keys.ts';
import { editRounds, roundsInput, type RoundsInput } from './RoundsPrompt.tsx';
import type { Mode } from './hooks/use-mode.ts';

export interface CommandContext {
  actions: DashboardActions;
  /** run an action in the background, its outcome in the status line */
  run: (label: string, fn: () => Promise<unknown>, done?: (result: unknown) => string) => void;
  /** stop everything and leave */
  quit: () => void;
  /** the master the kill dialog names (so the kill hits exactly that one, or nothing) */
  activeMaster: () => string | null;
  /** leave at once (second ctrl+c) */
  leave: () => void;
  /** the mode now (a ref: keys in one chunk see each other's changes) */
  mode: () => Mode;
  setMode: (m: Mode) => void;
  workersRunning: () => boolean;
  /** `r` asks for the number, or runs defaultRounds at once */
  askRounds: boolean;
  defaultRounds: number;
  prompt: { get: () => RoundsInput; set: (input: RoundsInput) => void };
  focusTo: (to: FocusTo) => void;
  focusLog: () => void;
  scroll: (to: ScrollTo) => void;
  toggleFollow: () => void;
  /** show the newest log line again */
  follow: () => void;
  setFilter: (edit: (filter: string) => string) => void;
  clearStatus: () => void;
}

export function commandHandlers(ctx: CommandContext): KeyHandlers {
  const { actions, run, setMode } = ctx;
  const startRounds = (n: number) => run(`${n} round${n === 1 ? '' : 's'}`, () => actions.runRounds(n));
  const filterEdit = (edit: (f: string) => string, leave = false) => {
    ctx.setFilter(edit);
    if (leave) setMode('normal');
    ctx.follow();
  };
  const promptKey = (_: undefined, input: string, key: Key) => {
    const edit = editRounds(ctx.prompt.get(), input, key);
    if (edit.kind === 'edit') return ctx.prompt.set(edit.input);
    setMode('normal');
    if (edit.kind === 'submit') startRounds(edit.rounds);
  };
  const confirm = () => {
    const which = ctx.mode();
    if (which === 'quit') return ctx.quit();
    setMode('normal');
    if (which === 'kill') run('kill', () => actions.kill(ctx.activeMaster() ?? undefined));
    else if (which === 'stop') run('stop all', () => actions.stopAll());
    else if (which === 'clean') run('clean', () => actions.clean());
  };
  return {
    startMasters: () => run('start masters', () => actions.startMasters()),
    startAgents: () => run('start agents', () => actions.startAgents()),
    kill: () => setMode('kill'),
    term: () => run('SIGTERM', () => actions.term()),
    pause: () => run('pause', () => actions.pause()),
    resign: () => run('resign', () => actions.resign()),
    rounds: () => {
      if (!ctx.askRounds) return startRounds(ctx.defaultRounds);
      ctx.prompt.set(roundsInput(ctx.defaultRounds));
      setMode('rounds');
    },
    stopAll: () => setMode('stop'),
    clean: () => setMode('clean'),
    export: () => run('export', () => actions.exportResults(), (where) => `results exported to ${String(where)}`),
    focus: (to) => ctx.focusTo(to),
    scroll: (to) => ctx.scroll(to),
    filter: () => {
      ctx.focusLog();
      setMode('filter');
    },
    follow: () => ctx.toggleFollow(),
    clear: () => {
      ctx.setFilter(() => '');
      ctx.clearStatus();
    },
    help: () => setMode('help'),
    quit: () => (ctx.workersRunning() ? setMode('quit') : ctx.quit()),
    quitNow: () => ctx.quit(),
    closeHelp: () => setMode('normal'),
    filterType: (_, input) => filterEdit((f) => f + input),
    filterErase: () => filterEdit((f) => f.slice(0, -1)),
    filterKeep: () => filterEdit((f) => f, true),
    filterClear: () => filterEdit(() => '', true),
    promptDigit: promptKey,
    promptErase: promptKey,
    promptRun: promptKey,
    promptCancel: promptKey,
    confirm,
    cancel: () => setMode('normal'),
    leaveNow: () => ctx.leave(),
  };
}
