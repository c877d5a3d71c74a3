/**
 * Entry point of the console for the CLI: decides whether Ink can run here
 * (canUseInk) and runs the dashboard until the operator quits (runTui).
 *
 *   if (canUseInk(process.stdout, process.stdin)) await runTui({ source: session, actions: session });
 *   else ...plain output (src/store/plain.ts)
 *
 * Ink (and chalk under it) is imported only inside runTui, after NO_COLOR has
 * been mapped to FORCE_COLOR=0: chalk reads its colour level once, at import,
 * and ignores NO_COLOR by itself.
 */
import { bufferedSource } from '../src/store/buffered-source.ts';
import type { DashboardActions, DashboardState, EventSource } from '../src/store/index.ts';

export interface RunTuiOptions {
  source: EventSource;
  actions: DashboardActions;
  initial?: Partial<DashboardState>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** rounds offered by `r` */
  defaultRounds?: number;
  /** `r` asks how many rounds (default) or runs defaultRounds at once */
  askRounds?: boolean;
  /** the configured fault, for the rounds prompt */
  roundsFault?: string;
  /** redraw period, ms (default 100: at most 10 frames/s) */
  frameMs?: number;
  /** colours; default: unless NO_COLOR is set (or TERM=dumb) */
  color?: boolean;
  /** draw on the terminal's alternate screen and restore the old one on exit (default true) */
  altScreen?: boolean;
  /** aborted (SIGTERM, SIGHUP, SIGINT before raw mode): leave the dashboard and give the terminal back */
  signal?: AbortSignal;
}

type Env = Record<string, string | undefined>;

function flag(env: Env, name: string): boolean {
  const v = env[name];
  return v !== undefined && v !== '0' && v !== 'false';
}

/** Colours are wanted unless NO_COLOR is set (any non-empty value) or the terminal is dumb. */
export function wantsColor(env: Env = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/**
 * Ink needs an interactive terminal: stdout a TTY, stdin a TTY in raw mode.
 * With CI set Ink draws nothing until exit, so CI means plain output too.
 */
export function canUseInk(stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream, env: Env = process.env): boolean {
  if (!stdout.isTTY || !stdin.isTTY) return false;
  if (typeof stdin.setRawMode !== 'function') return false;
  if (flag(env, 'CI') || flag(env, 'CONTINUOUS_INTEGRATION')) return false;
  return env.TERM !== 'dumb';
}

const ALT_ON = '\u001B[?1049h\u001B[H';
const ALT_OFF = '\u001B[?1049l';

/** Render the dashboard; resolves once the operator quit (after actions.quit resolved). */
export async function runTui(opts: RunTuiOptions): Promise<void> {
  // listen now: what the session says while Ink loads is replayed to the dashboard
  const source = bufferedSource(opts.source);
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const color = opts.color ?? wantsColor();
  if (!color && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '0';

  const loaded = await Promise.all([import('ink'), import('./App.tsx'), import('react')]).catch((e: unknown) => {
    source.close();
    throw e;
  });
  const [{ render }, { App }, { createElement }] = loaded;

  const alt = (opts.altScreen ?? true) && stdout.isTTY === true;
  const leaveAlt = () => {
    if (alt) stdout.write(ALT_OFF);
  };
  if (alt) {
    stdout.write(ALT_ON);
    // a crash must not leave the terminal on the alternate screen
    process.once('exit', leaveAlt);
  }
  try {
    const app = render(
      createElement(App, {
        source,
        actions: opts.actions,
        initial: opts.initial,
        defaultRounds: opts.defaultRounds,
        askRounds: opts.askRounds,
        roundsFault: opts.roundsFault,
        frameMs: opts.frameMs,
        color,
      }),
      {
        stdout,
        stdin,
        stderr: opts.stderr ?? process.stderr,
        exitOnCtrlC: false, // ctrl+c goes through quit, so no worker is orphaned
        patchConsole: true,
        maxFps: Math.max(1, Math.round(1000 / (opts.frameMs ?? 100))),
      },
    );
    const leave = () => app.unmount();
    opts.signal?.addEventListener('abort', leave, { once: true });
    if (opts.signal?.aborted) leave();
    await app.waitUntilExit();
    opts.signal?.removeEventListener('abort', leave);
  } finally {
    source.close();
    leaveAlt();
    process.off('exit', leaveAlt);
  }
}
