/**
 * The benchmark's child processes (agents worker, bare watchers, etcdctl) and
 * the small waits around them. Every child is registered in one ChildSet and
 * killed by `killAll()` (on success, failure and SIGINT alike) and, should the
 * bench itself die, by a synchronous process 'exit' hook. etcdctl, which does
 * not stop when its stdin closes, runs under `setpriv --pdeathsig KILL` where
 * that exists, as the embedded etcd members do.
 *
 *   const kids = new ChildSet();
 *   const p = kids.spawn(process.execPath, [bundle, 'agents', '100', ...], (line, t) => ...);
 *   await kids.killAll();
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { now } from '../clock.ts';
import { setpriv } from '../cluster/launcher.ts';
import { BenchError } from '../errors.ts';

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** settles when the process has exited */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** true once it exited */
  dead: boolean;
  /** last lines of its stderr, for error messages */
  readonly stderrTail: string[];
  /** write one line to its stdin (ignored once stdin is closed) */
  send(line: string): void;
  /** close stdin (and send the spawn's `stopSignal`), SIGKILL after `graceMs`; resolves when it has exited */
  stop(graceMs?: number): Promise<void>;
}

const STDERR_TAIL = 8;

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

export class ChildSet {
  private readonly procs = new Set<Proc>();
  private readonly onExit = () => {
    for (const p of this.procs) kill(p.pid, 'SIGKILL');
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  /**
   * Start `cmd args`; each stdout line goes to `onLine` with its arrival time
   * on our clock. `dieWithUs` wraps it in setpriv --pdeathsig KILL.
   */
  spawn(name: string, cmd: string, args: string[], onLine: (line: string, t: number) => void, opts: { env?: NodeJS.ProcessEnv; dieWithUs?: boolean; stopSignal?: NodeJS.Signals; onDeath?: () => void } = {}): Proc {
    const wrap = opts.dieWithUs ? setpriv() : null;
    const child = wrap ? spawn(wrap, ['--pdeathsig', 'KILL', cmd, ...args], { stdio: 'pipe', env: opts.env }) : spawn(cmd, args, { stdio: 'pipe', env: opts.env });
    if (child.pid === undefined) throw new BenchError(`could not start ${name} (${cmd})`);
    const stderrTail: string[] = [];
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    const proc: Proc = {
      name,
      pid: child.pid,
      child,
      exited,
      dead: false,
      stderrTail,
      send(line) {
        if (child.stdin && !child.stdin.destroyed && child.stdin.writable) child.stdin.write(line + '\n');
      },
      async stop(graceMs = 3000) {
        if (proc.dead) return;
        child.stdin?.end();
        if (opts.stopSignal) kill(proc.pid, opts.stopSignal);
        const timer = setTimeout(() => kill(proc.pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
    child.stdin?.on('error', () => {}); // EPIPE from a child that died first
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => onLine(line, now()));
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
    });
    this.procs.add(proc);
    void exited.then(() => {
      proc.dead = true;
      this.procs.delete(proc);
      opts.onDeath?.();
    });
    return proc;
  }

  /** stop every child still running: close stdin / SIGTERM, SIGKILL after `graceMs` */
  async killAll(graceMs = 2000): Promise<void> {
    const all = [...this.procs];
    for (const p of all) {
      p.child.stdin?.end();
      kill(p.pid, 'SIGTERM');
    }
    const timer = setTimeout(() => all.forEach((p) => kill(p.pid, 'SIGKILL')), graceMs);
    await Promise.all(all.map((p) => p.exited));
    clearTimeout(timer);
  }

  dispose(): void {
    process.off('exit', this.onExit);
  }
}

/** The soft open-file limit our children inherit (`ulimit -n`); null when unknown or unlimited. */
export function openFileLimit(): number | null {
  try {
    const n = Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Waits on conditions that change as lines arrive: `poke()` after each
 * change, `until(cond)` resolves true when cond() holds, false at the
 * deadline, and rejects when `signal` aborts. No polling, no fixed sleeps.
 */
export class Progress {
  private waiters = new Set<() => void>();

  poke(): void {
    for (const w of [...this.waiters]) w();
  }

  until(cond: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const done = (v: boolean | Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const check = () => {
        if (cond()) done(true);
      };
      const onAbort = () => done(signal?.reason instanceof Error ? signal.reason : new BenchError('interrupted'));
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Sleep that an abort cuts short (between polls of etcd, never in place of a condition). */
export { sleep as pause } from '../clock.ts';
