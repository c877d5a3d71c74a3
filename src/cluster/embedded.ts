/**
 * The embedded default: a real N-member (3) etcd cluster on a loopback host,
 * one `etcd` process per member. This module owns the members' ports, flags,
 * data dirs, logs and process lifetimes, and answers "who is the raft leader".
 *
 * Layout of a cluster's data dir (a mkdtemp dir unless one is given):
 *   <dataDir>/m1/       etcd --data-dir of member m1
 *   <dataDir>/m1.log    its zap log, one JSON object per line, e.g.
 *     {"level":"info","ts":"2026-11-25T15:24:31.305Z","caller":"embed/etcd.go:566","msg":"stopping serving peer traffic"}
 *
 * Lifetimes. With `detached: false` (default) the members die with us: each is
 * started in its own process group (killed as a group on stop), under
 * `setpriv --pdeathsig KILL` where setpriv exists (so even a SIGKILL of this
 * process takes them along), and a process 'exit' hook SIGKILLs whatever is
 * left. With `detached: true` (`cluster start`) they survive this process and
 * are found again through their pids (see state.ts, `attachSpec`).
 *
 * Ports are picked below the kernel's ephemeral range (checked free by binding
 * them with node:net): a restarted member must get its old port back, and an
 * ephemeral port may meanwhile be the source port of one of the bench's
 * thousands of client connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { createWriteStream, openSync, closeSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, open } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { BenchError } from '../errors.ts';
import { sleep } from '../clock.ts';
import { which } from '../bootstrap.mjs';
import { alive, cmdline, findProcesses } from '../fleet/process-table.ts';

export interface Member {
  /** m1, m2, ... */
  name: string;
  /** http://127.0.0.1:PORT */
  clientUrl: string;
  peerUrl: string;
  /** pid of the running (or last started) etcd; updated by restartMember */
  pid: number;
  /** this member's etcd --data-dir */
  dataDir: string;
}

/** Everything needed to (re)start any member; persisted by `cluster start` (state.ts). */
export interface ClusterSpec {
  token: string;
  host: string;
  /** root of the member data dirs and logs */
  dataDir: string;
  /** true when we created dataDir (mkdtemp): stop() removes it */
  ownsDataDir: boolean;
  etcdBin: string;
  /** extra etcd flags for every member, e.g. ['--heartbeat-interval=50'] */
  extraArgs: string[];
  members: Member[];
}

export interface MemberStatus {
  name: string;
  up: boolean;
  /** this member is the raft leader */
  leader: boolean;
  clientUrl: string;
  pid: number;
}

export interface ClusterStatus {
  /** name of the raft leader, null when none answers as leader */
  leader: string | null;
  /** highest revision reported by a live member */
  revision: string | null;
  members: MemberStatus[];
}

export type MemberSignal = 'SIGKILL' | 'SIGTERM' | 'SIGINT';

export interface EmbeddedCluster {
  readonly endpoints: string[];
  /** live objects: a restart updates `pid` */
  readonly members: Member[];
  readonly dataDir: string;
  readonly spec: Readonly<ClusterSpec>;
  /** the raft leader: the live member that reports itself as leader (highest term wins) */
  leader(): Promise<Member | null>;
  status(): Promise<ClusterStatus>;
  /** signal one member and wait until it is dead (a TERM/INT that does not kill within 10 s is followed by KILL) */
  killMember(name: string, signal?: MemberSignal): Promise<void>;
  /** start a dead member again with its data dir and ports, wait until it answers and knows a leader */
  restartMember(name: string): Promise<void>;
  /** SIGTERM (followers first), SIGKILL after a deadline (1-3 s), wait for exit, remove the data dir if we created it; idempotent */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** default 3 */
  members?: number;
  /** root for member data dirs; must not hold a cluster already. Default: a fresh mkdtemp dir, removed on stop */
  dataDir?: string;
  /** loopback address to listen on; default 127.0.0.1 */
  host?: string;
  /** aborting it during start fails the start; after start it stops the cluster */
  signal?: AbortSignal;
  /** every member log line, prefixed "m1: " (not called with detached: true, whose logs go to files only) */
  onLog?: (line: string) => void;
  /** true: the members outlive this process (`cluster start`) */
  detached?: boolean;
  /** health deadline, default 20 s */
  timeoutMs?: number;
  /** default: `etcd` on PATH, else /usr/bin/etcd */
  etcdBin?: string;
  /** appended to every member's flags */
  extraArgs?: string[];
}

const PROBE_TIMEOUT_MS = 1000;
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5000;
const FOLLOWER_GRACE_MS = 2000;
const LEADER_GRACE_MS = 1000;
const KILL_GRACE_MS = 10_000;
const POLL_MS = 100;

// ---------------------------------------------------------------------------
// Small pure helpers

/** The flags of one member. `state` is 'new' for the first start, 'existing' for a restart. */
export function memberArgs(spec: Pick<ClusterSpec, 'token' | 'members' | 'extraArgs'>, m: Member, state: 'new' | 'existing'): string[] {
  const initialCluster = spec.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
  return [
    `--name=${m.name}`,
    `--data-dir=${m.dataDir}`,
    '--enable-v2=true',
    `--listen-client-urls=${m.clientUrl}`,
    `--advertise-client-urls=${m.clientUrl}`,
    `--listen-peer-urls=${m.peerUrl}`,
    `--initial-advertise-peer-urls=${m.peerUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${state}`,
    `--initial-cluster-token=${spec.token}`,
    '--logger=zap',
    '--log-outputs=stderr',
    ...spec.extraArgs,
  ];
}

/** "http://127.0.0.1:2379" for IPv4, "http://[::1]:2379" for IPv6 */
function url(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}



/** Path of the etcd binary, or a BenchError saying how to install it. */
export function etcdBinary(): string {
  const p = which('etcd', ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
  if (!p) throw new BenchError('etcd is not installed (need Debian etcd-server 3.4): sudo apt-get install -y etcd-server etcd-client');
  return p;
}

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined) setprivPath = which('setpriv', ['/usr/bin', '/bin']);
  return setprivPath;
}

/** etcd reads ETCD_* variables as flags (and complains about unknown ones such as ETCD_BENCH_STATE_DIR). */
function etcdEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  return env;
}

// ---------------------------------------------------------------------------
// Ports

async function ephemeralRange(): Promise<[number, number]> {
  try {
    const [lo, hi] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

function listen(host: string, port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ host, port, exclusive: true }, () => resolve(srv));
  });
}

/**
 * `n` distinct ports free on `host` right now, below the ephemeral range
 * (10000..low-1) when that leaves room, else kernel-chosen (port 0).
 */
export async function freePorts(host: string, n: number): Promise<number[]> {
  const [lo] = await ephemeralRange();
  const useRange = lo - 1 - 10_000 >= 1000;
  const held: Server[] = [];
  try {
    while (held.length < n) {
      let srv: Server | null = null;
      for (let i = 0; i < 200 && !srv; i++) srv = await listen(host, useRange ? randomInt(10_000, lo) : 0);
      if (!srv) throw new BenchError(`no free TCP port on ${host}`);
      held.push(srv);
    }
    return held.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

// ---------------------------------------------------------------------------
// /proc

function dataDirOf(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--data-dir=')) return a.slice('--data-dir='.length);
    if (a === '--data-dir' || a === '-data-dir') return argv[i + 1] ?? null;
  }
  return null;
}

function isEtcdArgv(argv: string[]): boolean {
  return argv.length > 0 && basename(argv[0]!) === 'etcd';
}

/** true if `pid` is a live etcd (with --data-dir `dataDir` when given): guards against killing a reused pid */
export async function isEtcdProcess(pid: number, dataDir?: string): Promise<boolean> {
  const argv = await cmdline(pid);
  if (!isEtcdArgv(argv)) return false;
  return dataDir === undefined || dataDirOf(argv) === dataDir;
}

async function etcdPidsWhere(match: (dataDir: string) => boolean): Promise<number[]> {
  const found = await findProcesses((argv) => {
    if (!isEtcdArgv(argv)) return false;
    const d = dataDirOf(argv);
    return d !== null && match(d);
  });
  return found.map((p) => p.pid);
}

/** pids of live etcd processes whose --data-dir lies under `dir` (for tests: "nothing left behind") */
export function etcdPidsUnder(dir: string): Promise<number[]> {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return etcdPidsWhere((d) => d === dir || d.startsWith(prefix));
}

// ---------------------------------------------------------------------------
// Children that must die with us

const owned = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOwnedNow(): void {
  for (const c of owned) {
    if (c.pid === undefined) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

function own(child: ChildProcess): void {
  owned.add(child);
  child.once('exit', () => owned.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killOwnedNow);
  }
}

// ---------------------------------------------------------------------------
// etcd status probe

interface StatusReply {
  header?: { cluster_id?: string; member_id?: string; revision?: string; raft_term?: string };
  leader?: string;
  version?: string;
}

async function probe(agent: Agent, clientUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<StatusReply | null> {
  try {
    const res = await request(`${clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      // no idle sockets to members that may be killed next
      reset: true,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return null;
    }
    const reply = (await res.body.json()) as StatusReply;
    return reply.header?.member_id ? reply : null;
  } catch {
    return null;
  }
}

function bigint(s: string | undefined): bigint {
  try {
    return BigInt(s ?? '0');
  } catch {
    return 0n;
  }
}

// ---------------------------------------------------------------------------
// Log tails for error messages

/** last `n` lines of a member log, zap JSON shortened to "level msg error" */
export async function logTail(file: string, n = 8): Promise<string[]> {
  let text = '';
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const tail = lines.slice(-n);
  // the line that says why (a flag error ends in pages of usage text)
  const why = lines
    .slice(0, -n)
    .filter((l) => /"level":"(fatal|panic|error)"|flag provided but not defined|^(panic|Error|error):/.test(l))
    .slice(-3);
  return [...why, ...(why.length ? ['...'] : []), ...tail].map((l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      const extra = o.error ?? o.err ?? '';
      return `${String(o.level ?? '')} ${String(o.msg ?? l)}${extra ? `: ${String(extra)}` : ''}`.slice(0, 400);
    } catch {
      return l.slice(0, 400);
    }
  });
}

// ---------------------------------------------------------------------------
// The cluster handle (started here, or attached to through recorded pids)

interface Proc {
  pid: number;
  /** our child, or null for a member started by another process (attached) */
  child: ChildProcess | null;
  /** settles when our child has exited and its stdio is closed */
  closed: Promise<void> | null;
}

export interface AttachHooks {
  /** a member got a new pid (restartMember): persist it */
  onMembersChanged?: (members: Member[]) => void | Promise<void>;
  /** stop() finished: forget the cluster */
  onStopped?: () => void | Promise<void>;
}

class Cluster implements EmbeddedCluster {
  readonly endpoints: string[];
  readonly members: Member[];
  readonly dataDir: string;
  private readonly procs = new Map<string, Proc>();
  private readonly agent = new Agent({ connect: { timeout: PROBE_TIMEOUT_MS } });
  private stopping: Promise<void> | null = null;
  private removeAbort: (() => void) | null = null;

  constructor(
    readonly spec: ClusterSpec,
    private readonly detached: boolean,
    private readonly onLog: ((line: string) => void) | undefined,
    private readonly hooks: AttachHooks = {},
  ) {
    this.members = spec.members;
    this.endpoints = spec.members.map((m) => m.clientUrl);
    this.dataDir = spec.dataDir;
    for (const m of spec.members) this.procs.set(m.name, { pid: m.pid, child: null, closed: null });
  }

  logFile(name: string): string {
    return join(this.spec.dataDir, `${name}.log`);
  }

  member(name: string): Member {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new BenchError(`no member ${JSON.stringify(name)} in the embedded cluster (have ${this.members.map((x) => x.name).join(', ')})`);
    return m;
  }

  stopOnAbort(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => void this.stop().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    this.removeAbort = () => signal.removeEventListener('abort', onAbort);
  }

  /** spawn one member (returns at once; waitHealthy/restartMember wait for it to answer) */
  spawnMember(m: Member, state: 'new' | 'existing'): void {
    const args = memberArgs(this.spec, m, state);
    const sp = this.detached ? null : setpriv();
    const [cmd, argv] = sp ? [sp, ['--pdeathsig', 'KILL', this.spec.etcdBin, ...args]] : [this.spec.etcdBin, args];
    const file = this.logFile(m.name);
    let child: ChildProcess;
    let log: WriteStream | null = null;
    if (this.detached) {
      const fd = openSync(file, 'a');
      try {
        // own session: survives us, and no terminal signal reaches it
        child = spawn(cmd, argv, { detached: true, stdio: ['ignore', fd, fd], env: etcdEnv() });
      } finally {
        closeSync(fd);
      }
    } else {
      // own process group too, so that a Ctrl-C at the terminal does not
      // take etcd down before the bench has cleaned up; we kill the group.
      child = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: etcdEnv() });
      log = createWriteStream(file, { flags: 'a' });
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        const rl = createInterface({ input: stream });
        rl.on('line', (line) => {
          log?.write(line + '\n');
          this.onLog?.(`${m.name}: ${line}`);
        });
        (stream as unknown as { unref?: () => void }).unref?.();
      }
    }
    const closed = new Promise<void>((resolve) => {
      // 'error' (e.g. ENOENT) comes on a later tick: listened to, never thrown
      child.once('error', () => resolve());
      child.once('close', () => resolve());
    }).then(() => {
      if (log) log.end();
    });
    if (child.pid === undefined) throw new BenchError(`could not start ${cmd} for etcd member ${m.name}`);
    // ref'd children would keep a CLI alive forever after a forgotten stop();
    // the exit hook (and pdeathsig) kills them instead.
    child.unref();
    if (!this.detached) own(child);
    m.pid = child.pid;
    this.procs.set(m.name, { pid: child.pid, child, closed });
  }

  async isAlive(name: string): Promise<boolean> {
    const p = this.procs.get(name)!;
    if (p.child) return p.child.exitCode === null && p.child.signalCode === null;
    return (alive(p.pid)) && (await isEtcdProcess(p.pid, this.member(name).dataDir));
  }

  private async signalMember(name: string, sig: NodeJS.Signals): Promise<void> {
    const p = this.procs.get(name)!;
    if (!(await this.isAlive(name))) return;
    try {
      // ours were started with setsid: pid is the process group id
      process.kill(p.child ? -p.pid : p.pid, sig);
    } catch {
      try {
        process.kill(p.pid, sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** true when the member is dead before the deadline */
  private async waitDead(name: string, ms: number): Promise<boolean> {
    const p = this.procs.get(name)!;
    if (p.child && p.closed) {
      let timer: NodeJS.Timeout | undefined;
      const dead = await Promise.race([
        p.closed.then(() => true),
        new Promise<boolean>((r) => {
          // ref'd on purpose: keeps the event loop alive while we wait
          timer = setTimeout(() => r(false), ms);
        }),
      ]);
      clearTimeout(timer);
      return dead || !(await this.isAlive(name));
    }
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!(await this.isAlive(name))) return true;
      await sleep(50);
    }
    return !(await this.isAlive(name));
  }

  async killMember(name: string, signal: MemberSignal = 'SIGKILL'): Promise<void> {
    this.member(name);
    await this.signalMember(name, signal);
    if (await this.waitDead(name, KILL_GRACE_MS)) return;
    if (signal !== 'SIGKILL') {
      await this.signalMember(name, 'SIGKILL');
      if (await this.waitDead(name, KILL_GRACE_MS)) return;
    }
    throw new BenchError(`etcd member ${name} (pid ${this.procs.get(name)!.pid}) did not die after ${signal}`);
  }

  async restartMember(name: string): Promise<void> {
    const m = this.member(name);
    if (this.stopping) throw new BenchError('the embedded cluster is stopped');
    if (await this.isAlive(name)) throw new BenchError(`etcd member ${name} (pid ${m.pid}) is still running; kill it first`);
    this.spawnMember(m, 'existing');
    await this.hooks.onMembersChanged?.(this.members);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!(await this.isAlive(name))) break;
      const r = await probe(this.agent, m.clientUrl);
      if (r?.leader && r.leader !== '0') return;
      await sleep(POLL_MS);
    }
    const alive = await this.isAlive(name);
    const tail = await logTail(this.logFile(name));
    throw new BenchError(
      `etcd member ${name} ${alive ? `did not rejoin within ${START_TIMEOUT_MS / 1000} s` : 'exited during restart'}` +
        (tail.length ? `\n--- ${name}.log ---\n${tail.join('\n')}` : ''),
    );
  }

  private async probeAll(): Promise<(StatusReply | null)[]> {
    return Promise.all(this.members.map((m) => probe(this.agent, m.clientUrl)));
  }

  /** index of the member that reports itself leader, highest raft term first */
  private leaderIndex(replies: (StatusReply | null)[]): number {
    let best = -1;
    let bestTerm = -1n;
    replies.forEach((r, i) => {
      if (!r?.leader || r.leader !== r.header?.member_id) return;
      const term = bigint(r.header?.raft_term);
      if (term > bestTerm) {
        best = i;
        bestTerm = term;
      }
    });
    return best;
  }

  async leader(): Promise<Member | null> {
    const i = this.leaderIndex(await this.probeAll());
    return i < 0 ? null : this.members[i]!;
  }

  async status(): Promise<ClusterStatus> {
    const replies = await this.probeAll();
    const li = this.leaderIndex(replies);
    let revision: bigint | null = null;
    for (const r of replies) {
      if (!r?.header?.revision) continue;
      const rev = bigint(r.header.revision);
      if (revision === null || rev > revision) revision = rev;
    }
    return {
      leader: li < 0 ? null : this.members[li]!.name,
      revision: revision === null ? null : String(revision),
      members: this.members.map((m, i) => ({ name: m.name, up: replies[i] !== null, leader: i === li, clientUrl: m.clientUrl, pid: m.pid })),
    };
  }

  /** every member answers and all agree on one leader that answers too */
  async healthy(): Promise<{ ok: boolean; replies: (StatusReply | null)[] }> {
    const replies = await this.probeAll();
    if (replies.some((r) => r === null)) return { ok: false, replies };
    const leaders = new Set(replies.map((r) => r!.leader ?? ''));
    const [only] = [...leaders];
    const ok = leaders.size === 1 && !!only && only !== '0' && replies.some((r) => r!.header?.member_id === only);
    return { ok, replies };
  }

  /** wait until healthy; throws with the log tails on deadline, abort or a member exit */
  async waitHealthy(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: (StatusReply | null)[] = [];
    for (;;) {
      if (signal?.aborted) throw new BenchError('embedded etcd cluster start aborted', { cause: signal.reason });
      for (const m of this.members) {
        if (!(await this.isAlive(m.name))) throw await this.startError(`etcd member ${m.name} exited during start`, [m.name]);
      }
      const h = await this.healthy();
      if (h.ok) return;
      last = h.replies;
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS, signal);
    }
    const state = this.members.map((m, i) => `${m.name} ${last[i] ? 'up' : 'down'}`).join(', ');
    throw await this.startError(`embedded etcd cluster not healthy within ${timeoutMs / 1000} s (${state}; no agreed leader)`);
  }

  private async startError(message: string, only?: string[]): Promise<StartError> {
    const parts: string[] = [message];
    let portClash = false;
    for (const m of this.members) {
      if (only && !only.includes(m.name)) continue;
      const tail = await logTail(this.logFile(m.name));
      if (tail.some((l) => /address already in use/.test(l))) portClash = true;
      if (tail.length) parts.push(`--- ${m.name}.log ---`, ...tail);
    }
    return new StartError(parts.join('\n'), portClash);
  }

  /** kill every member (TERM, then KILL), also strays found under our data dir */
  async killAll(graceful = true): Promise<void> {
    const names = this.members.map((m) => m.name);
    if (!graceful) await Promise.all(names.map((n) => this.signalMember(n, 'SIGKILL')));
    // On SIGTERM a raft leader first hands leadership to the peer it heard
    // from last, and hangs for seconds when that peer is exiting too (or has
    // just exited). Followers exit at once: they go first, the leader gets a
    // short grace (alone it cannot commit anything anyway), then SIGKILL.
    const leader = await this.leader().catch(() => null);
    const followers = names.filter((n) => n !== leader?.name);
    await Promise.all(followers.map((n) => this.signalMember(n, 'SIGTERM')));
    await Promise.all(followers.map((n) => this.waitDead(n, FOLLOWER_GRACE_MS)));
    await Promise.all(names.map((n) => this.signalMember(n, 'SIGTERM')));
    const dead = await Promise.all(names.map((n) => this.waitDead(n, LEADER_GRACE_MS)));
    await Promise.all(names.filter((_, i) => !dead[i]).map((n) => this.signalMember(n, 'SIGKILL')));
    await Promise.all(names.map((n) => this.waitDead(n, STOP_GRACE_MS)));
    // a member restarted by another process (attached handle) has a pid we
    // never saw; exactly our members' data dirs, nothing else under dataDir
    const ours = new Set(this.members.map((m) => m.dataDir));
    for (const pid of await etcdPidsWhere((d) => ours.has(d)).catch(() => [] as number[])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      const deadline = Date.now() + STOP_GRACE_MS;
      while ((alive(pid)) && Date.now() < deadline) await sleep(50);
    }
    // let the log streams flush before the dir goes away (bounded: a child
    // that survived SIGKILL must not hang stop())
    const flushed = new AbortController();
    await Promise.race([Promise.all([...this.procs.values()].map((p) => p.closed)), sleep(STOP_GRACE_MS, flushed.signal)]);
    flushed.abort();
  }

  /** stop(); `graceful: false` (a failed start, whose data is thrown away) SIGKILLs at once */
  stop(graceful = true): Promise<void> {
    this.stopping ??= (async () => {
      this.removeAbort?.();
      try {
        await this.killAll(graceful);
      } finally {
        await this.agent.close().catch(() => {});
        if (this.spec.ownsDataDir) await rm(this.spec.dataDir, { recursive: true, force: true });
        await this.hooks.onStopped?.();
      }
    })();
    return this.stopping;
  }
}

/** A start failure; `portClash` when a member could not bind its port (we retry with new ports). */
export class StartError extends BenchError {
  constructor(
    message: string,
    readonly portClash: boolean,
  ) {
    super(message);
  }
}

/**
 * Start an N-member etcd cluster on loopback and wait until it is healthy
 * (every member answers, one agreed raft leader). Throws a BenchError with
 * the tail of the member logs otherwise, leaving nothing running.
 */
export async function startCluster(opts: StartOptions = {}): Promise<EmbeddedCluster> {
  const n = opts.members ?? 3;
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new BenchError(`members must be 1..9, got ${n}`);
  const host = opts.host ?? '127.0.0.1';
  const etcdBin = opts.etcdBin ?? etcdBinary();
  const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);

  let dataDir: string;
  const ownsDataDir = opts.dataDir === undefined;
  if (opts.dataDir === undefined) {
    dataDir = await mkdtemp(join(tmpdir(), 'etcd-bench-'));
  } else {
    // absolute: recorded in the state file and compared with /proc/PID/cmdline
    dataDir = resolvePath(opts.dataDir);
    await mkdir(dataDir, { recursive: true });
    for (const name of names) {
      if (await stat(join(dataDir, name, 'member')).then(() => true, () => false)) {
        throw new BenchError(`${join(dataDir, name)} already holds an etcd member; use an empty data dir`);
      }
    }
  }

  const t0 = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      const ports = await freePorts(host, 2 * n);
      const spec: ClusterSpec = {
        token: `etcd-bench-${randomUUID()}`,
        host,
        dataDir,
        ownsDataDir,
        etcdBin,
        extraArgs: opts.extraArgs ?? [],
        members: names.map((name, i) => ({
          name,
          clientUrl: url(host, ports[2 * i]!),
          peerUrl: url(host, ports[2 * i + 1]!),
          pid: 0,
          dataDir: join(dataDir, name),
        })),
      };
      // the cluster removes the dir only once the whole start has succeeded
      const cluster = new Cluster({ ...spec, ownsDataDir: false }, opts.detached ?? false, opts.onLog);
      try {
        for (const m of spec.members) cluster.spawnMember(m, 'new');
        const left = (opts.timeoutMs ?? START_TIMEOUT_MS) - (Date.now() - t0);
        await cluster.waitHealthy(Math.max(left, 1000), opts.signal);
      } catch (e) {
        await cluster.stop(false);
        const retry = e instanceof StartError && e.portClash && attempt < 3;
        for (const name of names) {
          await rm(join(dataDir, name), { recursive: true, force: true });
          if (retry) await rm(join(dataDir, `${name}.log`), { force: true });
        }
        if (retry) continue;
        throw e;
      }
      cluster.spec.ownsDataDir = ownsDataDir;
      cluster.stopOnAbort(opts.signal);
      if (opts.signal?.aborted) {
        await cluster.stop();
        throw new BenchError('embedded etcd cluster start aborted', { cause: opts.signal.reason });
      }
      return cluster;
    }
  } catch (e) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A handle on a cluster whose members run in other processes (started with
 * `detached: true`), found through `spec.members[].pid`. Pids are checked
 * against /proc/PID/cmdline (etcd with that member's --data-dir) before any
 * signal. Restarted members are detached too.
 */
export function attachSpec(spec: ClusterSpec, hooks: AttachHooks = {}): EmbeddedCluster {
  return new Cluster(spec, true, undefined, hooks);
}
