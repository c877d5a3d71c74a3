/**
 * Workers on a remote host: the handle of one we started (its exec channel,
 * pid, exit), the wait for its first event, the reply of `worker signal`, and
 * the workers anyone started, found in `ps` and stopped by one shell script
 * (`stop` from a new process has no recorded pids).
 *
 *   worker stdout  {"t":1764083012345.127,"host":"root@127.0.0.2:2222","pid":4242,"role":"master","id":"h1-m1","ev":"start",...}
 *   `worker signal 4242 SIGKILL`  {"t":1764083013001.5,"ev":"signal-sent","pid":4242,"signal":"SIGKILL",...}
 *   ps row         4242 node /root/.cache/etcd-election-bench/worker-3f2a9c1b.mjs master --id h1-m1 ...
 */
import type { ClientChannel } from 'ssh2';
import type { WorkerCommand, WorkerEvent } from '../../events.ts';
import { SshError } from '../../errors.ts';
import type { ClockOffset, SignalName, WorkerHandle, WorkerSpec } from '../host.ts';
import { parsePs } from '../process-table.ts';
import { readEvents, writeCommand } from '../worker-stream.ts';
import { shellQuote, type RunResult } from './exec.ts';

type Exit = { code: number | null; signal: string | null };

/** What a worker handle needs of its host. */
export interface WorkerOwner {
  readonly name: string;
  signalPid(pid: number, sig: SignalName): Promise<number>;
}

/** A worker we started, on its exec channel; `pid` is known from its first event. */
export class SshWorker implements WorkerHandle {
  pid = -1;
  readonly exited: Promise<Exit>;
  gone = false;
  constructor(
    private readonly owner: WorkerOwner,
    readonly spec: WorkerSpec,
    readonly channel: ClientChannel,
  ) {
    this.exited = new Promise((resolve) => {
      let exit: Exit = { code: null, signal: null };
      channel.on('exit', (code: number | null, signal?: string) => {
        exit = { code: code ?? null, signal: signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null };
      });
      channel.once('close', () => {
        this.gone = true;
        resolve(exit);
      });
    });
  }
  get host() {
    return this.owner.name;
  }
  get role() {
    return this.spec.role;
  }
  get id() {
    return this.spec.id;
  }
  signal(sig: SignalName): Promise<number> {
    return this.owner.signalPid(this.pid, sig);
  }
  send(cmd: WorkerCommand): void {
    writeCommand(this.channel, cmd);
  }
  closeStdin(): void {
    if (!this.channel.writableEnded) this.channel.end();
  }
}

export interface FirstEventOptions {
  clock: () => ClockOffset;
  /** deadline for the first event (ms) */
  timeoutMs: number;
  /** the worker printed its pid */
  onStarted: (pid: number) => void;
  /** its channel closed (whenever that is) */
  onExit: () => void;
}

/**
 * Feed the worker's events to onEvent and resolve once the first one carries
 * its pid; SshError (with its last stderr lines) when it ends or stays silent
 * before that.
 */
export function untilFirstEvent(w: SshWorker, o: FirstEventOptions, onEvent: (e: WorkerEvent) => void, onStderr?: (line: string) => void): Promise<WorkerHandle> {
  const { spec, channel: ch } = w;
  const tail: string[] = [];
  const fail = (message: string) => new SshError(message, w.host);
  return new Promise<WorkerHandle>((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      if (started) return;
      started = true;
      ch.close();
      reject(fail(`worker ${spec.id} printed no event within ${o.timeoutMs} ms${tail.length ? `: ${tail.at(-1)}` : ''}`));
    }, o.timeoutMs);
    const event = (e: WorkerEvent) => {
      if (!started && typeof e.pid === 'number') {
        started = true;
        clearTimeout(timer);
        w.pid = e.pid;
        o.onStarted(e.pid);
        resolve(w);
      }
      onEvent(e);
    };
    const other = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onStderr?.(line);
    };
    void readEvents(ch.stdout, o.clock, event, other);
    void readEvents(ch.stderr, o.clock, event, other);
    void w.exited.then((exit) => {
      o.onExit();
      if (started) return;
      started = true;
      clearTimeout(timer);
      const why = exit.signal ? `signal ${exit.signal}` : exit.code !== null ? `exit ${exit.code}` : 'channel closed';
      reject(fail(`worker ${spec.id} ended before its first event (${why})${tail.length ? `: ${tail.slice(-3).join(' | ')}` : ''}`));
    });
  });
}

/** The host-clock time of kill(2) from the output of `worker signal PID SIG`; null when it did not say `signal-sent`. */
export function signalSentAt(r: RunResult): number | null {
  for (const l of r.stdout.split('\n')) {
    try {
      const e = JSON.parse(l) as WorkerEvent;
      if (e?.ev === 'signal-sent') return typeof e.t === 'number' ? e.t : null;
    } catch {
      /* not an event */
    }
  }
  return null;
}

/** A worker process found on a host by listWorkers(). */
export interface RemoteWorker {
  pid: number;
  kind: 'master' | 'agents' | 'clock' | 'signal' | 'other';
  /** its command line */
  args: string;
}

/** Every `node <dir>/worker-<hash>.mjs <kind> ...` in the output of `ps -eo pid=,args=`, any version. */
export function workersInPs(psText: string, dir: string): RemoteWorker[] {
  const esc = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\S*node\\S*\\s+${esc}/worker-[0-9a-f]+\\.mjs\\s+(\\S+)`);
  const out: RemoteWorker[] = [];
  for (const row of parsePs(psText)) {
    const kind = re.exec(row.args)?.[1];
    if (kind === undefined) continue;
    out.push({ pid: row.pid, kind: kind === 'master' || kind === 'agents' || kind === 'clock' || kind === 'signal' ? kind : 'other', args: row.args });
  }
  return out;
}

/**
 * One remote shell that stops `pids` gracefully: SIGCONT + SIGTERM (a master
 * releases its key), then SIGKILL whatever still runs after graceMs; it
 * prints `killed: PID...` (see killedPids).
 */
export function killScript(pids: number[], graceMs: number): string {
  const steps = Math.max(1, Math.ceil(graceMs / 100));
  const script = [
    `pids="${pids.join(' ')}"`,
    'kill -CONT $pids 2>/dev/null; kill -TERM $pids 2>/dev/null',
    `i=0; alive="$pids"; while [ -n "$alive" ] && [ $i -lt ${steps} ]; do sleep 0.1; i=$((i+1)); left=""; for p in $alive; do kill -0 $p 2>/dev/null && left="$left $p"; done; alive="$left"; done`,
    '[ -n "$alive" ] && kill -KILL $alive 2>/dev/null',
    'echo "killed:$alive"',
  ].join('\n');
  return `sh -c ${shellQuote(script)}`;
}

/** The pids killScript had to SIGKILL. */
export function killedPids(stdout: string): number[] {
  const m = /killed:(.*)/.exec(stdout);
  return (m?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
}
