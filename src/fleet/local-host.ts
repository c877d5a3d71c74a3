/**
 * LocalHost: workers as child processes of the control node (execa), a
 * master of the partition fault inside its network namespace (`ip netns exec
 * eeb-3f2a9c1b-1 node worker.mjs master ...`). Clock offset is 0 by
 * definition; the fault time is stamped right before kill(2) (see Host's
 * WorkerHandle.signal).
 * A worker exits when its stdin closes, so a crashed control node leaves no
 * orphans; stopAll() closes stdin, then SIGKILLs what is left after a grace.
 */
import { execa, type ResultPromise } from 'execa';
import { hostname } from 'node:os';
import type { WorkerCommand, WorkerEvent } from '../events.ts';
import { now } from '../clock.ts';
import { netnsExec } from '../lab/netns.ts';
import { workerBundle } from './bundle.ts';
import type { ClockOffset, Host, HostInfo, SignalName, WorkerHandle, WorkerSpec } from './host.ts';
import { readEvents, writeCommand } from './worker-stream.ts';

type Child = ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false }>;

class LocalWorker implements WorkerHandle {
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  constructor(
    readonly host: string,
    readonly spec: WorkerSpec,
    readonly child: Child,
  ) {
    this.exited = child.then(
      (r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }),
      () => ({ code: null, signal: null }),
    );
  }
  get role() {
    return this.spec.role;
  }
  get id() {
    return this.spec.id;
  }
  get pid() {
    return this.child.pid ?? -1;
  }
  async signal(sig: SignalName): Promise<number> {
    const t = now();
    process.kill(this.pid, sig);
    return t;
  }
  send(cmd: WorkerCommand): void {
    writeCommand(this.child.stdin, cmd);
  }
  closeStdin(): void {
    this.child.stdin.end();
  }
}

export class LocalHost implements Host {
  readonly transport = 'local' as const;
  readonly clock: ClockOffset = { offsetMs: 0, uncertaintyMs: 0 };
  private workers = new Set<LocalWorker>();

  constructor(readonly name: string = 'localhost') {}

  /** the name workers report as their host */
  get label(): string {
    return this.name === 'localhost' || this.name === '127.0.0.1' ? hostname() : this.name;
  }

  async connect(): Promise<HostInfo> {
    await workerBundle();
    return { nodeVersion: process.version };
  }

  async measureClock(): Promise<ClockOffset> {
    return this.clock;
  }

  async startWorker(spec: WorkerSpec, onEvent: (e: WorkerEvent) => void, onStderr?: (line: string) => void): Promise<WorkerHandle> {
    const bundle = await workerBundle();
    const argv = [bundle.path, ...spec.args, '--host', this.name];
    // ip execs node in the namespace (no fork): the child's pid is the worker's
    const cmd = spec.netns ? netnsExec(spec.netns, process.execPath, argv) : { file: process.execPath, args: argv };
    const child = execa(cmd.file, cmd.args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      env: { ...process.env, NODE_OPTIONS: '' },
    }) as Child;
    const w = new LocalWorker(this.name, spec, child);
    this.workers.add(w);
    void w.exited.then(() => this.workers.delete(w));
    void readEvents(child.stdout, () => this.clock, onEvent, onStderr);
    void readEvents(child.stderr, () => this.clock, onEvent, onStderr);
    if (w.pid < 0) throw new Error(`could not start worker ${spec.id} on ${this.name}`);
    return w;
  }

  async stopAll(graceMs = 2000): Promise<void> {
    const ws = [...this.workers];
    for (const w of ws) {
      try {
        process.kill(w.pid, 'SIGCONT'); // a paused worker cannot read its stdin
      } catch {
        /* gone already */
      }
      w.closeStdin();
    }
    const timer = setTimeout(() => {
      for (const w of ws) {
        try {
          process.kill(w.pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
    }, graceMs);
    await Promise.all(ws.map((w) => w.exited));
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stopAll();
  }
}
