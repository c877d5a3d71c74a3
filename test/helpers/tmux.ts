/**
 * A real terminal for end-to-end tests: a detached tmux session of a given
 * size on its own server socket (`tmux -L <unique>`), so tests never touch
 * the user's tmux and can run side by side. CI (and CONTINUOUS_INTEGRATION)
 * are removed from the command's environment: Ink draws nothing until exit
 * when they are set.
 *
 *   const term = await startTmux({ command: process.execPath, args: ['src/bin.mjs'], cwd: root, columns: 120, rows: 40 });
 *   t.after(() => term.kill());
 *   await term.waitForText(/Masters/, 20_000);
 *   await term.sendKeys('k');              // tmux key names: 'k', 'Enter', 'Escape', 'C-c', 'Tab'
 *   await term.type('12');                 // literal text
 *   const screen = await term.capture();
 *
 * The pane stays after the command exits (remain-on-exit), so the last
 * screen and the exit status can still be read (`exited()`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';

const TMUX = process.env.TMUX_BIN ?? '/usr/bin/tmux';

export interface TmuxOptions {
  command: string;
  args?: string[];
  cwd?: string;
  /** added to the environment; undefined removes a variable */
  env?: Record<string, string | undefined>;
  columns?: number;
  rows?: number;
}

export interface Tmux {
  /** the tmux server socket name (tmux -L) */
  readonly socket: string;
  readonly session: string;
  /** the visible screen as text, one line per row (trailing spaces trimmed) */
  capture(): Promise<string>;
  /** send tmux key names, one argument each: 'q', 'Enter', 'Escape', 'C-c', 'Up' */
  sendKeys(...keys: string[]): Promise<void>;
  /** send literal text */
  type(text: string): Promise<void>;
  /** poll the screen until it matches; returns the matching screen, throws with the last screen on timeout */
  waitForText(re: RegExp | string, timeoutMs?: number): Promise<string>;
  /** resolves with the command's exit status once it has exited (polls until the deadline) */
  waitForExit(timeoutMs?: number): Promise<number | null>;
  /** null while the command runs, else its exit status */
  exited(): Promise<number | null>;
  /** pid of the command in the pane */
  pid(): Promise<number>;
  resize(columns: number, rows: number): Promise<void>;
  /** kill the session's server (and with it whatever still runs in the pane) */
  kill(): Promise<void>;
}

function tmux(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TMUX, ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args[0]}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function startTmux(opts: TmuxOptions): Promise<Tmux> {
  const socket = `eeb-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const session = 'main';
  const columns = opts.columns ?? 120;
  const rows = opts.rows ?? 40;
  // env -u/-i style: what to drop and what to set, in front of the command
  const env = { CI: undefined, CONTINUOUS_INTEGRATION: undefined, ...opts.env };
  // env(1) takes its -u options before the assignments
  const entries = Object.entries(env);
  const envArgs = [...entries.filter(([, v]) => v === undefined).flatMap(([k]) => ['-u', k]), ...entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)];
  const cmd = ['env', ...envArgs, opts.command, ...(opts.args ?? [])].map(shellQuote).join(' ');
  // the pane must keep its screen after the command exits: set that before the command starts
  await tmux(socket, [
    'new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), 'cat',
    ';', 'set-option', '-t', session, 'remain-on-exit', 'on',
    ';', 'respawn-pane', '-k', '-t', session, ...(opts.cwd ? ['-c', opts.cwd] : []), cmd,
  ]);
  let killed = false;
  const [socketPath, serverPid] = (await tmux(socket, ['display-message', '-p', '#{socket_path} #{pid}'])).trim().split(' ');

  const capture = async () => {
    const out = await tmux(socket, ['capture-pane', '-p', '-t', session]);
    return out
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n+$/, '');
  };
  const exited = async (): Promise<number | null> => {
    const out = (await tmux(socket, ['display-message', '-p', '-t', session, '#{pane_dead} #{pane_dead_status}'])).trim();
    const [dead, status] = out.split(' ');
    return dead === '1' ? Number(status ?? 0) : null;
  };
  const poll = async <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, describe: () => Promise<string>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v;
      if (Date.now() > deadline) {
        const last = await describe().catch((e: Error) => `(no screen: ${e.message})`);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${last}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    socket,
    session,
    capture,
    async sendKeys(...keys) {
      await tmux(socket, ['send-keys', '-t', session, ...keys]);
    },
    async type(text) {
      await tmux(socket, ['send-keys', '-t', session, '-l', text]);
    },
    waitForText(re, timeoutMs = 10_000) {
      const test = (s: string) => (typeof re === 'string' ? s.includes(re) : re.test(s));
      return poll(
        String(re),
        async () => {
          const s = await capture();
          if (test(s)) return s;
          const st = await exited();
          if (st !== null) throw new Error(`the command exited (status ${st}) before ${String(re)} showed; the screen:\n${s}`);
          return null;
        },
        timeoutMs,
        capture,
      );
    },
    waitForExit(timeoutMs = 10_000) {
      return poll('the command to exit', async () => {
        const st = await exited();
        return st === null ? null : { st };
      }, timeoutMs, capture).then((x) => x.st);
    },
    exited,
    async pid() {
      return Number((await tmux(socket, ['display-message', '-p', '-t', session, '#{pane_pid}'])).trim());
    },
    async resize(c, r) {
      await tmux(socket, ['resize-window', '-t', session, '-x', String(c), '-y', String(r)]);
    },
    async kill() {
      if (killed) return;
      killed = true;
      await tmux(socket, ['kill-server']).catch(() => {});
      // make sure the server (and so the pane) is gone, then remove the socket file it leaves behind
      const pid = Number(serverPid);
      const deadline = Date.now() + 3000;
      while (pid > 0 && alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
      if (socketPath) await rm(socketPath, { force: true });
    },
  };
}
