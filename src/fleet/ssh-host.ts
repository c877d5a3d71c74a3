/**
 * SshHost: workers on a remote host over one ssh2 connection (exec channels
 * for workers, the clock probe, `worker signal` and a guard; SFTP to deploy).
 *
 *   const h = new SshHost({ name: 'root@10.0.0.5:22', user: 'root', address: '10.0.0.5', port: 22 }, { acceptNewHostKeys: false });
 *   await h.connect();            // { nodeVersion: 'v20.11.1' }: host key checked, node checked, bundle deployed
 *   await h.measureClock(8);      // { offsetMs: 3.91, uncertaintyMs: 0.21 }
 *   const w = await h.startWorker({ role: 'master', id: 'h1-m1', args: ['master', ...] }, onEvent);
 *   const tf = await w.signal('SIGKILL');   // control-clock ms right after kill(2) on that host
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
import { readFileSync, existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, Client as SshClient, ClientChannel, ConnectConfig } from 'ssh2';
import type { WorkerCommand, WorkerEvent } from '../events.ts';
import { SshError, oneLine } from '../errors.ts';
import { workerBundle, type WorkerBundle } from './bundle.ts';
import { deployFiles, type DeployResult } from './deploy.ts';
import { guardFile } from './ssh-guard.ts';
import { parsePs } from './process-table.ts';
import type { ClockOffset, Host, HostInfo, SignalName, WorkerHandle, WorkerSpec } from './host.ts';
import {
  checkHostKey,
  defaultKnownHostsFiles,
  fingerprint,
  hostKeyAlgorithmsPreferring,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  loadKnownHosts,
  recordHostKey,
} from './known-hosts.ts';
import { PongWaiter, measureOffset, readEvents, writeCommand } from './worker-stream.ts';

const { Client, utils } = ssh2;

/** A host as conf gives it (config's HostSpec fits: extra fields are ignored). */
export interface SshHostSpec {
  /** as written in conf: `root@10.0.0.5:2222` */
  name: string;
  user?: string;
  address: string;
  port?: number;
}

export interface SshHostOptions {
  /** private key file; when given, the default ~/.ssh/id_* files are not tried */
  identity?: string;
  /** known_hosts file to check and to record new keys in; default ~/.ssh/known_hosts (+ known_hosts2, /etc/ssh/ssh_known_hosts) */
  knownHosts?: string;
  /** record first-seen host keys instead of refusing them (`--accept-new-host-keys`) */
  acceptNewHostKeys?: boolean;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false = do not use an agent */
  agent?: string | false;
  /** TCP connect + handshake + auth deadline (default 10000) */
  readyTimeoutMs?: number;
  /** SSH keep-alive period (default 5000); the link is declared dead after keepaliveCountMax (3) missed */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
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

/** Quote one word for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

type Exit = { code: number | null; signal: string | null };

/** A worker process found on a host by listWorkers(). */
export interface RemoteWorker {
  pid: number;
  kind: 'master' | 'agents' | 'clock' | 'signal' | 'other';
  /** its command line */
  args: string;
}

class SshWorker implements WorkerHandle {
  pid = -1;
  readonly exited: Promise<Exit>;
  gone = false;
  constructor(
    private readonly owner: SshHost,
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

interface AuthPlan {
  methods: AnyAuthMethod[];
  /** what is tried, for messages: `agent`, `/root/.ssh/id_ed25519` */
  tried: string[];
  skipped: string[];
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
  private guard: ClientChannel | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
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

  private knownHostsFiles(): string[] {
    return this.opts.knownHosts ? [this.opts.knownHosts] : defaultKnownHostsFiles();
  }

  private authPlan(): AuthPlan {
    const plan: AuthPlan = { methods: [], tried: [], skipped: [] };
    const agent = this.opts.agent === false ? undefined : (this.opts.agent ?? process.env.SSH_AUTH_SOCK);
    const useAgent = () => {
      if (!agent || !existsSync(agent)) return;
      plan.methods.push({ type: 'agent', username: this.user, agent });
      plan.tried.push('ssh-agent');
    };
    const explicit = this.opts.identity;
    // an explicit identity goes first (an agent full of keys can hit sshd's MaxAuthTries); else agent, then ~/.ssh/id_*
    if (!explicit) useAgent();
    if (explicit && !existsSync(explicit)) throw this.fail(`identity file ${explicit} not found`, { exitCode: 2 });
    const files = explicit ? [explicit] : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).filter((f) => existsSync(f));
    for (const file of files) {
      let text: Buffer;
      try {
        text = readFileSync(file);
      } catch (e) {
        plan.skipped.push(`${file} (${oneLine(e)})`);
        continue;
      }
      const parsed = utils.parseKey(text);
      if (parsed instanceof Error) {
        // passphrases are never asked for: such keys belong in ssh-agent
        plan.skipped.push(/encrypt|passphrase/i.test(parsed.message) ? `${file} (encrypted: load it into ssh-agent)` : `${file} (${parsed.message})`);
        continue;
      }
      plan.methods.push({ type: 'publickey', username: this.user, key: text });
      plan.tried.push(file);
    }
    if (explicit) useAgent();
    if (plan.methods.length === 0) {
      const skipped = plan.skipped.length ? `; skipped ${plan.skipped.join(', ')}` : '';
      throw this.fail(
        `no SSH credentials: no ssh-agent (SSH_AUTH_SOCK) and no usable key (${explicit ?? '~/.ssh/id_ed25519, id_ecdsa, id_rsa'})${skipped}; set identity in bench.conf or start ssh-agent`,
        { exitCode: 2 },
      );
    }
    return plan;
  }

  /** Connect, check `node`, deploy the bundle, start the guard. Concurrent calls share one attempt. */
  connect(signal?: AbortSignal): Promise<HostInfo> {
    if (this.client && this.info) return Promise.resolve(this.info);
    this.connecting ??= this.doConnect(signal).finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async doConnect(signal?: AbortSignal): Promise<HostInfo> {
    const t0 = performance.now();
    const client = await this.openConnection(signal);
    this.client = client;
    this.closing = false;
    try {
      const nodeVersion = await this.checkNode();
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
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.guard = null;
      client.destroy();
      throw e;
    }
  }

  private async openConnection(signal?: AbortSignal): Promise<SshClient> {
    signal?.throwIfAborted();
    const plan = this.authPlan();
    const files = this.knownHostsFiles();
    const entries = await loadKnownHosts(files);
    const recordTo = files[0];
    const client = new Client();
    let hostKeyError: SshError | null = null;

    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      const verdict = checkHostKey(entries, this.address, this.port, key);
      const what = `${keyTypeOf(key)} ${fingerprint(key)}`;
      const hkName = knownHostsName(this.address, this.port);
      if (verdict.status === 'known') return verify(true);
      if (verdict.status === 'revoked') {
        hostKeyError = this.fail(`host key ${what} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`, { exitCode: 2 });
        return verify(false);
      }
      if (verdict.status === 'changed') {
        hostKeyError = this.fail(
          `HOST KEY CHANGED: the host now offers ${what}, ${verdict.entry.file}:${verdict.entry.line} holds another ${verdict.entry.keyType} key; refusing to connect (if the change is expected: ssh-keygen -R '${hkName}' -f ${verdict.entry.file})`,
          { exitCode: 2 },
        );
        return verify(false);
      }
      if (!this.opts.acceptNewHostKeys) {
        const also = verdict.knownTypes.length ? ` (known only with ${verdict.knownTypes.join(', ')})` : '';
        hostKeyError = this.fail(
          `unknown host key ${what}${also} in ${files.join(', ')}; check it, then run again with --accept-new-host-keys to record it`,
          { exitCode: 2 },
        );
        return verify(false);
      }
      recordHostKey(recordTo, this.address, this.port, key).then(
        () => verify(true),
        (e) => {
          hostKeyError = this.fail(`could not record the host key in ${recordTo}: ${oneLine(e)}`, { exitCode: 2, cause: e });
          verify(false);
        },
      );
    };

    const config: ConnectConfig = {
      host: this.address,
      port: this.port,
      username: this.user,
      authHandler: plan.methods,
      hostVerifier,
      readyTimeout: this.opts.readyTimeoutMs ?? 10_000,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
      // offer the key types known_hosts has for this host first, as OpenSSH does
      algorithms: { serverHostKey: hostKeyAlgorithmsPreferring(knownKeyTypes(entries, this.address, this.port)) },
    };

    return new Promise<SshClient>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          client.removeAllListeners('ready');
          client.on('error', () => undefined); // late errors of a failed attempt
          client.end();
          client.destroy();
          reject(err);
          return;
        }
        let lastErr: Error | null = null;
        client.on('error', (e: Error) => (lastErr = e)); // reported through onDisconnect
        client.once('close', () => this.onConnectionClosed(client, lastErr));
        client.setNoDelay(true); // clock pings and commands are tiny
        resolve(client);
      };
      const onAbort = () => finish(this.fail('connect aborted', { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => finish(null));
      client.on('error', (e: Error & { level?: string; code?: string }) => finish(hostKeyError ?? this.connectError(e, plan)));
      client.once('close', () => finish(hostKeyError ?? this.fail('connection closed during the SSH handshake')));
      try {
        client.connect(config);
      } catch (e) {
        finish(this.fail(`ssh: ${oneLine(e)}`, { cause: e }));
      }
    });
  }

  private connectError(e: Error & { level?: string; code?: string }, plan: AuthPlan): SshError {
    const at = `${this.address}:${this.port}`;
    if (e.level === 'client-authentication') {
      const skipped = plan.skipped.length ? `; skipped ${plan.skipped.join(', ')}` : '';
      return this.fail(`authentication failed for ${this.user} (tried ${plan.tried.join(', ')}${skipped}); passwords are never used: authorize one of these keys on the host`, { cause: e, exitCode: 2 });
    }
    if (e.level === 'client-timeout') return this.fail(`no SSH handshake with ${at} within ${(this.opts.readyTimeoutMs ?? 10_000) / 1000} s`, { cause: e });
    switch (e.code) {
      case 'ECONNREFUSED':
        return this.fail(`connection refused by ${at} (is sshd running on port ${this.port}?)`, { cause: e });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return this.fail(`cannot resolve ${this.address}`, { cause: e });
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return this.fail(`no route to ${at}`, { cause: e });
      case 'ETIMEDOUT':
        return this.fail(`TCP connect to ${at} timed out`, { cause: e });
      case 'ECONNRESET':
        return this.fail(`connection reset by ${at}`, { cause: e });
    }
    return this.fail(`ssh: ${e.message}`, { cause: e });
  }

  private onConnectionClosed(client: SshClient, err: Error | null): void {
    if (this.client !== client) return;
    const expected = this.closing;
    this.client = null;
    this.info = null;
    this.guard = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.opts.onDisconnect?.(this, expected ? null : (err ?? new Error('connection closed')));
  }

  private requireClient(): SshClient {
    if (!this.client) throw this.fail('not connected');
    return this.client;
  }

  /** Open an exec channel; channel-open refusals name the likely cause. */
  private execChannel(command: string): Promise<ClientChannel> {
    const client = this.requireClient();
    return new Promise((resolve, reject) => {
      client.exec(command, (err, ch) => {
        if (err) {
          const hint = /open failed|administratively prohibited/i.test(err.message) ? ' (too many channels? sshd MaxSessions, default 10 per connection)' : '';
          reject(this.fail(`exec failed: ${err.message}${hint}`, { cause: err }));
        } else resolve(ch);
      });
    });
  }

  /** Run a command to completion: stdout, stderr, exit code (null when killed by a signal). */
  async run(command: string, timeoutMs = 30_000): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    const ch = await this.execChannel(command);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let sig: string | null = null;
      const timer = setTimeout(() => {
        ch.close();
        reject(this.fail(`\`${command}\` did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      ch.setEncoding('utf8');
      ch.stderr.setEncoding('utf8');
      ch.on('data', (d: string) => (stdout += d));
      ch.stderr.on('data', (d: string) => (stderr += d));
      ch.on('exit', (c: number | null, s?: string) => {
        code = c ?? null;
        sig = s ?? null;
      });
      ch.once('close', () => {
        clearTimeout(timer);
        resolve({ code, signal: sig, stdout, stderr });
      });
      ch.end(); // no stdin
    });
  }

  private async checkNode(): Promise<string> {
    const r = await this.run('node --version', 20_000);
    const min = this.opts.minNodeMajor ?? 18;
    if (r.code === 127 || /not found/i.test(r.stderr)) {
      throw this.fail(`node is not installed (or not on the PATH of non-interactive SSH sessions); install Node.js >= ${min}`, { exitCode: 2 });
    }
    const m = /^v(\d+)\.\d+\.\d+/.exec(r.stdout.trim());
    if (r.code !== 0 || !m) throw this.fail(`\`node --version\` failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`, { exitCode: 2 });
    if (Number(m[1]) < min) throw this.fail(`node ${r.stdout.trim()} is too old; the worker needs Node.js >= ${min}`, { exitCode: 2 });
    return r.stdout.trim();
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
    const ch = await this.execChannel(['exec', 'node', this.guardPath ?? '', this.remoteBundle(), String(timeout)].map(shellQuote).join(' '));
    ch.on('data', () => undefined);
    ch.stderr.on('data', () => undefined);
    ch.once('close', () => {
      if (this.guard === ch) this.guard = null;
    });
    this.guard = ch;
    for (const w of this.workers) if (w.pid > 0) this.guardSend(`+${w.pid}`);
    if (timeout > 0) {
      this.heartbeat = setInterval(() => this.guardSend('h'), Math.max(200, Math.min(5000, timeout / 3)));
      this.heartbeat.unref();
    }
  }

  /** SIGCONT/SIGKILL pids through the guard (it checks they run our bundle), or a plain `kill` if the guard is gone. */
  private remoteSignal(sig: 'CONT' | 'KILL', pids: number[]): void {
    const list = pids.filter((p) => Number.isInteger(p) && p > 0);
    if (list.length === 0) return;
    const g = this.guard;
    if (g && g.writable && !g.writableEnded) for (const p of list) this.guardSend(`${sig === 'CONT' ? 'c' : 'k'} ${p}`);
    else if (this.client) void this.run(`kill -${sig} ${list.join(' ')} 2>/dev/null`).catch(() => undefined);
  }

  private guardSend(line: string): void {
    const g = this.guard;
    if (g && !g.writableEnded && g.writable) g.write(line + '\n');
  }

  async startWorker(spec: WorkerSpec, onEvent: (e: WorkerEvent) => void, onStderr?: (line: string) => void): Promise<WorkerHandle> {
    const ch = await this.execChannel(this.workerCommand([...spec.args, '--host', this.name]));
    const w = new SshWorker(this, spec, ch);
    this.workers.add(w);
    const tail: string[] = [];
    return new Promise<WorkerHandle>((resolve, reject) => {
      let started = false;
      const timeoutMs = this.opts.startTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        if (started) return;
        started = true;
        ch.close();
        reject(this.fail(`worker ${spec.id} printed no event within ${timeoutMs} ms${tail.length ? `: ${tail.at(-1)}` : ''}`));
      }, timeoutMs);
      const event = (e: WorkerEvent) => {
        if (!started && typeof e.pid === 'number') {
          started = true;
          clearTimeout(timer);
          w.pid = e.pid;
          this.guardSend(`+${e.pid}`);
          resolve(w);
        }
        onEvent(e);
      };
      const other = (line: string) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onStderr?.(line);
      };
      void readEvents(ch.stdout, () => this.clock, event, other);
      void readEvents(ch.stderr, () => this.clock, event, other);
      void w.exited.then((exit) => {
        this.workers.delete(w);
        if (w.pid > 0) this.guardSend(`-${w.pid}`);
        if (started) return;
        started = true;
        clearTimeout(timer);
        const why = exit.signal ? `signal ${exit.signal}` : exit.code !== null ? `exit ${exit.code}` : 'channel closed';
        reject(this.fail(`worker ${spec.id} ended before its first event (${why})${tail.length ? `: ${tail.slice(-3).join(' | ')}` : ''}`));
      });
    });
  }

  /** `worker signal PID SIG` on the host: the kill(2) time on the host clock, converted to the control clock. */
  async signalPid(pid: number, sig: SignalName): Promise<number> {
    if (!(pid > 0)) throw this.fail(`no pid to send ${sig} to`);
    const r = await this.run(this.workerCommand(['signal', String(pid), sig, '--host', this.name]), 20_000);
    const sent = r.stdout
      .split('\n')
      .map((l) => {
        try {
          return JSON.parse(l) as WorkerEvent;
        } catch {
          return null;
        }
      })
      .find((e) => e?.ev === 'signal-sent');
    if (r.code !== 0 || !sent || typeof sent.t !== 'number') {
      const why = (r.stderr || r.stdout).trim().split('\n').at(-1) ?? '';
      throw this.fail(`${sig} to pid ${pid} failed (exit ${r.code})${why ? `: ${why}` : ''}`);
    }
    return sent.t - this.clock.offsetMs;
  }

  /** Cristian ping-pong with `worker clock`, best of >= 8 round trips. */
  async measureClock(samples = 8): Promise<ClockOffset> {
    const ch = await this.execChannel(this.workerCommand(['clock', '--host', this.name]));
    const pongs = new PongWaiter();
    const tail: string[] = [];
    const done = readEvents(ch.stdout, () => this.clock, (e) => pongs.handle(e), (l) => tail.push(l));
    const stderrDone = readEvents(ch.stderr, () => this.clock, () => undefined, (l) => tail.push(l));
    // a clock worker that dies (bad args, no node) fails the measurement at once, with its last words
    const ended = new Promise<never>((_, reject) =>
      ch.once('close', () => void stderrDone.then(() => reject(new Error(`clock worker ended${tail.length ? `: ${tail.slice(-2).join(' | ')}` : ''}`)))),
    );
    ended.catch(() => undefined);
    try {
      const r = await measureOffset((seq) => {
        writeCommand(ch, { cmd: 'ping', seq });
        return Promise.race([pongs.wait(seq, 10_000), ended]);
      }, Math.max(8, samples));
      this.clock = { offsetMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs };
      this.clockMeasured = true;
      return this.clock;
    } catch (e) {
      throw this.fail(`clock measurement failed: ${oneLine(e)}`, { cause: e });
    } finally {
      ch.end();
      const t = setTimeout(() => ch.close(), 2000);
      await Promise.race([done, ended.catch(() => undefined)]);
      clearTimeout(t);
    }
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
    const esc = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^\\S*node\\S*\\s+${esc}/worker-[0-9a-f]+\\.mjs\\s+(\\S+)`);
    const out: RemoteWorker[] = [];
    for (const row of parsePs(r.stdout)) {
      const kind = re.exec(row.args)?.[1];
      if (kind === undefined) continue;
      out.push({ pid: row.pid, kind: kind === 'master' || kind === 'agents' || kind === 'clock' || kind === 'signal' ? kind : 'other', args: row.args });
    }
    return out;
  }

  /**
   * Stop pids on the host gracefully: SIGCONT + SIGTERM (a master releases
   * its key), then SIGKILL whatever still runs after graceMs. One remote
   * shell; resolves to the pids that needed the SIGKILL.
   */
  async killWorkers(pids: number[], graceMs = 4000): Promise<number[]> {
    const list = pids.filter((p) => Number.isInteger(p) && p > 0);
    if (list.length === 0) return [];
    const steps = Math.max(1, Math.ceil(graceMs / 100));
    const script = [
      `pids="${list.join(' ')}"`,
      'kill -CONT $pids 2>/dev/null; kill -TERM $pids 2>/dev/null',
      `i=0; alive="$pids"; while [ -n "$alive" ] && [ $i -lt ${steps} ]; do sleep 0.1; i=$((i+1)); left=""; for p in $alive; do kill -0 $p 2>/dev/null && left="$left $p"; done; alive="$left"; done`,
      '[ -n "$alive" ] && kill -KILL $alive 2>/dev/null',
      'echo "killed:$alive"',
    ].join('\n');
    const r = await this.run(`sh -c ${shellQuote(script)}`, graceMs + 20_000);
    const m = /killed:(.*)/.exec(r.stdout);
    return (m?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
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
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    this.guard?.end();
    c.end();
    const t = setTimeout(() => c.destroy(), 3000);
    await closed;
    clearTimeout(t);
  }
}

export type ConnectOutcome =
  | { host: Host; ok: true; info: HostInfo; ms: number }
  | { host: Host; ok: false; error: Error; reason: string; ms: number };

/**
 * Connect many hosts, at most `concurrency` at a time (8 stays under
 * OpenSSH's MaxStartups 10), each to its own success or exact reason; never
 * rejects. Aborting stops new connects and aborts those in flight.
 */
export async function connectAll(
  hosts: Host[],
  opts: { concurrency?: number; signal?: AbortSignal; /** runs in the host's lane as soon as it is connected (or failed) */ onOutcome?: (o: ConnectOutcome) => Promise<void> | void } = {},
): Promise<ConnectOutcome[]> {
  const out: ConnectOutcome[] = new Array(hosts.length);
  let next = 0;
  const lane = async () => {
    while (next < hosts.length) {
      const i = next++;
      const host = hosts[i];
      const t0 = performance.now();
      try {
        opts.signal?.throwIfAborted();
        const info = await host.connect(opts.signal);
        out[i] = { host, ok: true, info, ms: performance.now() - t0 };
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        out[i] = { host, ok: false, error, reason: oneLine(error), ms: performance.now() - t0 };
      }
      await opts.onOutcome?.(out[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, hosts.length)) }, lane));
  return out;
}
