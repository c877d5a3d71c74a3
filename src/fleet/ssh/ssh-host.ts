/**
 * SshHost: workers on a remote host over one ssh2 connection (exec channels
 * for workers, the clock probe, `worker signal` and a guard; SFTP to deploy).
 * A facade: each concern is its own file beside this one (auth, host keys,
 * connect, exec, deploy, clock, remote workers, guard).
 *
 *   const h = new SshHost({ name: 'root@10.0.0.5:22', user: 'root', address: '10.0.0.5', port: 22 }, { acceptNewHostKeys: false });
 *   await h.connect();            // { nodeVersion: 'v20.11.1' }: host key checked, node checked, bundle deployed
 *   await h.measureClock(8);      // { offsetMs: 3.91, uncertaintyMs: 0.21 }
 *   const w = await h.startWorker({ role: 'master', id: 'h1-m1', args: ['master', ...] }, onEvent);
 *   const tf = await w.signal('SIGKILL');   // control-clock ms right before kill(2) on that host
 *
 * Safety, in the order it matters: never a password (agent or key files
 * only); the host key must be in known_hosts (an unknown key is recorded only
 * with acceptNewHostKeys, a changed one is always refused); and no orphans.
 * A worker exits when its stdin closes, and sshd closes it when the
 * connection dies. A SIGSTOPped worker cannot read its stdin, so each
 * connection also runs a guard (a few lines of node on the host) that knows
 * the worker pids and SIGKILLs them when its own stdin closes or when the
 * control node has been silent for guardTimeoutMs.
 */
import { userInfo } from 'node:os';
import type { Client as SshClient, ClientChannel } from 'ssh2';
import type { WorkerEvent } from '../../events.ts';
import { SshError, oneLine } from '../../errors.ts';
import { workerBundle, type WorkerBundle } from '../bundle.ts';
import type { ClockOffset, Host, HostInfo, SignalName, WorkerHandle, WorkerSpec } from '../host.ts';
import { measureClockOver } from './clock.ts';
import { openConnection, type ConnectOptions } from './connect.ts';
import { deployFiles, type DeployResult } from './deploy.ts';
import { checkNodeVersion, execChannel, run, shellQuote, type RunResult } from './exec.ts';
import { GuardLink, guardFile } from './guard.ts';
import { killedPids, killScript, signalSentAt, SshWorker, untilFirstEvent, workersInPs, type RemoteWorker } from './remote-worker.ts';

/** A host as conf gives it (config's HostSpec fits: extra fields are ignored). */
export interface SshHostSpec {
  /** as written in conf: `root@10.0.0.5:2222` */
  name: string;
  user?: string;
  address: string;
  port?: number;
}

export interface SshHostOptions extends ConnectOptions {
  /** remote bundle directory, relative to the remote home (default .cache/etcd-election-bench) */
  remoteDir?: string;
  /** oldest node major accepted on the host (default 18) */
  minNodeMajor?: number;
  /** appended to every worker command line (tests: ['--clock-skew-ms', '250']) */
  workerArgs?: string[];
  /** guard kills this host's workers when the control node is silent this long (default 30000; 0 = only when the connection closes) */
  guardTimeoutMs?: number;
  /** deadline for a worker's first event (default 30000) */
  startTimeoutMs?: number;
  /** the bundle to deploy (default workerBundle()) */
  bundle?: () => Promise<WorkerBundle>;
  /** called once when an established connection ends (err: why, null on close()) */
  onDisconnect?: (host: SshHost, err: Error | null) => void;
}

/** `[user@]host[:port]`, `[v6addr]:port` -> spec (name = the text as written). */
export function parseSshTarget(text: string, defaultUser?: string): SshHostSpec {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a host: ${JSON.stringify(text)} (expected [user@]host[:port])`);
  const address = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { name: text.trim(), user: m[1] ?? defaultUser, address, port: m[3] ? Number(m[3]) : 22 };
}

export class SshHost implements Host {
  readonly transport = 'ssh' as const;
  readonly name: string;
  readonly user: string;
  readonly address: string;
  readonly port: number;
  clock: ClockOffset = { offsetMs: 0, uncertaintyMs: 0 };
  /** true once measureClock() has run */
  clockMeasured = false;
  info: HostInfo | null = null;
  deployed: DeployResult | null = null;
  /** where the guard script is on the host */
  guardPath: string | null = null;
  /** ms from connect() to connected + node checked + deployed */
  connectMs: number | null = null;
  private client: SshClient | null = null;
  private connecting: Promise<HostInfo> | null = null;
  private readonly guard = new GuardLink();
  private workers = new Set<SshWorker>();
  private closing = false;

  constructor(
    spec: SshHostSpec,
    readonly opts: SshHostOptions = {},
  ) {
    this.name = spec.name;
    this.user = spec.user ?? userInfo().username;
    this.address = spec.address;
    this.port = spec.port ?? 22;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private fail(message: string, opts: { cause?: unknown; exitCode?: number } = {}): SshError {
    return new SshError(message, this.name, opts);
  }

  /** Connect, check `node`, deploy the bundle, start the guard. Concurrent calls share one attempt. */
  connect(signal?: AbortSignal): Promise<HostInfo> {
    if (this.client && this.info) return Promise.resolve(this.info);
    this.connecting ??= this.doConnect(signal).finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async doConnect(signal?: AbortSignal): Promise<HostInfo> {
    const t0 = performance.now();
    const client = await openConnection(this, this.opts, (c, err) => this.onConnectionClosed(c, err), signal);
    this.client = client;
    this.closing = false;
    try {
      const nodeVersion = checkNodeVersion(this.name, await this.run('node --version', 20_000), this.opts.minNodeMajor ?? 18);
      const bundle = await (this.opts.bundle ?? workerBundle)();
      signal?.throwIfAborted();
      try {
        const [worker, guard] = await deployFiles(client, [{ name: `worker-${bundle.hash}.mjs`, code: bundle.code }, guardFile()], { dir: this.opts.remoteDir });
        this.deployed = worker;
        this.guardPath = guard.remotePath;
      } catch (e) {
        throw this.fail(`could not deploy the worker over SFTP: ${oneLine(e)}`, { cause: e });
      }
      signal?.throwIfAborted();
      await this.startGuard();
      this.info = { nodeVersion };
      this.connectMs = performance.now() - t0;
      return this.info;
    } catch (e) {
      // a failed connect is not a disconnect: nobody is told
      this.client = null;
      this.guard.detach();
      client.destroy();
      throw e;
    }
  }

  private onConnectionClosed(client: SshClient, err: Error | null): void {
    if (this.client !== client) return;
    const expected = this.closing;
    this.client = null;
    this.info = null;
    this.guard.detach();
    this.opts.onDisconnect?.(this, expected ? null : (err ?? new Error('connection closed')));
  }

  private exec(command: string): Promise<ClientChannel> {
    if (!this.client) throw this.fail('not connected');
    return execChannel(this.client, this.name, command);
  }

  /** Run a command to completion: stdout, stderr, exit code (null when killed by a signal). */
  async run(command: string, timeoutMs = 30_000): Promise<RunResult> {
    if (!this.client) throw this.fail('not connected');
    return run(this.client, this.name, command, timeoutMs);
  }

  private remoteBundle(): string {
    if (!this.deployed) throw this.fail('not connected (worker not deployed)');
    return this.deployed.remotePath;
  }

  private workerCommand(args: string[]): string {
    return ['exec', 'node', this.remoteBundle(), ...args, ...(this.opts.workerArgs ?? [])].map(shellQuote).join(' ');
  }

  private async startGuard(): Promise<void> {
    const timeout = this.opts.guardTimeoutMs ?? 30_000;
    const ch = await this.exec(['exec', 'node', this.guardPath ?? '', this.remoteBundle(), String(timeout)].map(shellQuote).join(' '));
    this.guard.attach(ch, timeout, this.pids);
  }

  /** SIGCONT/SIGKILL pids through the guard (it checks they run our bundle), or a plain `kill` if the guard is gone. */
  private remoteSignal(sig: 'CONT' | 'KILL', pids: number[]): void {
    const list = pids.filter((p) => Number.isInteger(p) && p > 0);
    if (list.length === 0 || this.guard.signal(sig, list)) return;
    if (this.client) void this.run(`kill -${sig} ${list.join(' ')} 2>/dev/null`).catch(() => undefined);
  }

  async startWorker(spec: WorkerSpec, onEvent: (e: WorkerEvent) => void, onStderr?: (line: string) => void): Promise<WorkerHandle> {
    if (spec.netns) throw new SshError('network namespaces are made on the control node only: a worker over SSH cannot run in one', this.name);
    const ch = await this.exec(this.workerCommand([...spec.args, '--host', this.name]));
    const w = new SshWorker(this, spec, ch);
    this.workers.add(w);
    const onStarted = (pid: number) => this.guard.track(pid);
    const onExit = () => {
      this.workers.delete(w);
      if (w.pid > 0) this.guard.forget(w.pid);
    };
    return untilFirstEvent(w, { clock: () => this.clock, timeoutMs: this.opts.startTimeoutMs ?? 30_000, onStarted, onExit }, onEvent, onStderr);
  }

  /** `worker signal PID SIG` on the host: the kill(2) time on the host clock, converted to the control clock. */
  async signalPid(pid: number, sig: SignalName): Promise<number> {
    if (!(pid > 0)) throw this.fail(`no pid to send ${sig} to`);
    const r = await this.run(this.workerCommand(['signal', String(pid), sig, '--host', this.name]), 20_000);
    const t = signalSentAt(r);
    if (r.code !== 0 || t === null) {
      const why = (r.stderr || r.stdout).trim().split('\n').at(-1) ?? '';
      throw this.fail(`${sig} to pid ${pid} failed (exit ${r.code})${why ? `: ${why}` : ''}`);
    }
    return t - this.clock.offsetMs;
  }

  /** Cristian ping-pong with `worker clock`, best of >= 8 round trips. */
  async measureClock(samples = 8): Promise<ClockOffset> {
    const ch = await this.exec(this.workerCommand(['clock', '--host', this.name]));
    this.clock = await measureClockOver(ch, this.name, () => this.clock, samples);
    this.clockMeasured = true;
    return this.clock;
  }

  /** pids of the workers started through this host that still run */
  get pids(): number[] {
    return [...this.workers].map((w) => w.pid).filter((p) => p > 0);
  }

  /**
   * Close every worker's stdin (after SIGCONT: a paused worker cannot read
   * it), wait up to graceMs, then SIGKILL what is left (and `extraPids`, pids
   * recorded elsewhere, if they still run our bundle). The default grace
   * covers a master's release on stdin EOF (<= 2 s, then 1 s to wind down).
   */
  async stopAll(graceMs = 4000, extraPids: number[] = []): Promise<void> {
    const ws = [...this.workers];
    this.remoteSignal('CONT', ws.map((w) => w.pid));
    for (const w of ws) w.closeStdin();
    const all = Promise.all(ws.map((w) => w.exited));
    const graceOver = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    this.remoteSignal('KILL', extraPids);
    if (graceOver) {
      this.remoteSignal('KILL', ws.filter((w) => !w.gone).map((w) => w.pid));
      // the channel closes once sshd sees the process gone; do not wait forever on a dead link
      const hard = setTimeout(() => ws.forEach((w) => w.channel.close()), 5000);
      await all;
      clearTimeout(hard);
    }
  }

  /**
   * Workers of this benchmark running on the host, whoever started them
   * (`stop` in a new process has no recorded pids): every `node <remote
   * dir>/worker-<hash>.mjs <kind> ...` in `ps`, any version.
   */
  async listWorkers(): Promise<RemoteWorker[]> {
    const dir = this.remoteBundle().replace(/\/[^/]+$/, '');
    const r = await this.run('ps -eo pid=,args=', 20_000);
    if (r.code !== 0) throw this.fail(`ps failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
    return workersInPs(r.stdout, dir);
  }

  /**
   * Stop pids on the host gracefully: SIGCONT + SIGTERM (a master releases
   * its key), then SIGKILL whatever still runs after graceMs. One remote
   * shell; resolves to the pids that needed the SIGKILL.
   */
  async killWorkers(pids: number[], graceMs = 4000): Promise<number[]> {
    const list = pids.filter((p) => Number.isInteger(p) && p > 0);
    if (list.length === 0) return [];
    const r = await this.run(killScript(list, graceMs), graceMs + 20_000);
    return killedPids(r.stdout);
  }

  /** Drop the connection without any goodbye (what a crash or a cut link does); for tests and aborts. */
  dropConnection(): void {
    const c = this.client;
    if (!c) return;
    this.closing = true;
    c.destroy();
  }

  /** stopAll, then end the connection (its guard and channels go with it). */
  async close(): Promise<void> {
    const c = this.client;
    if (!c) return;
    await this.stopAll();
    this.closing = true;
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    this.guard.end();
    this.guard.detach();
    c.end();
    const t = setTimeout(() => c.destroy(), 3000);
    await closed;
    clearTimeout(t);
  }
}
