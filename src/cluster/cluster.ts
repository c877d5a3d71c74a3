/**
 * The cluster handle: members started here (startCluster, embedded.ts) or
 * attached to through recorded pids (attachSpec). Kill, restart, health and
 * stop of the members; the files are the members' (launcher.ts, members.ts)
 * and the health probe's (health.ts).
 *
 *   await cluster.killMember('m2', 'SIGKILL');   // dead when it resolves
 *   await cluster.restartMember('m2');           // answering and knowing a leader
 *   (await cluster.status()).leader              // 'm1'
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../clock.ts';
import { BenchError } from '../errors.ts';
import type { Ownership } from './exit-hooks.ts';
import { agreeOnLeader, clusterStatus, HealthProbe, knowsLeader, leaderIndex, type MemberReply } from './health.ts';
import { launchMember } from './launcher.ts';
import { logTail } from './log-tail.ts';
import { killStrays, memberAlive, signalMember, waitDead, type MemberProc } from './members.ts';
import type { AttachHooks, ClusterSpec, ClusterStatus, EmbeddedCluster, Member, MemberSignal } from './spec.ts';

export const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5000;
const FOLLOWER_GRACE_MS = 2000;
const LEADER_GRACE_MS = 1000;
const KILL_GRACE_MS = 10_000;
const POLL_MS = 100;

/** A start failure; `portClash` when a member could not bind its port (we retry with new ports). */
export class StartError extends BenchError {
  constructor(
    message: string,
    readonly portClash: boolean,
  ) {
    super(message);
  }
}

export class Cluster implements EmbeddedCluster {
  readonly endpoints: string[];
  readonly members: Member[];
  readonly dataDir: string;
  private readonly procs = new Map<string, MemberProc>();
  private readonly health = new HealthProbe();
  private stopping: Promise<void> | null = null;
  private removeAbort: (() => void) | null = null;

  /**
   * `owner`: what kills our members and removes the data dir on process exit
   * (null for an attached cluster); released when stop() has finished.
   */
  constructor(
    readonly spec: ClusterSpec,
    private readonly detached: boolean,
    private readonly onLog: ((line: string) => void) | undefined,
    private readonly hooks: AttachHooks = {},
    private owner: Ownership | null = null,
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

  private proc(name: string): MemberProc {
    return this.procs.get(name)!;
  }

  /** Members outlive us from now on (a detached cluster once started): nothing to do on exit. */
  disown(): void {
    this.owner?.release();
    this.owner = null;
  }

  stopOnAbort(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => void this.stop().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    this.removeAbort = () => signal.removeEventListener('abort', onAbort);
  }

  /** spawn one member (returns at once; waitHealthy/restartMember wait for it to answer) */
  spawnMember(m: Member, state: 'new' | 'existing'): void {
    const { child, closed } = launchMember(this.spec, m, state, { detached: this.detached, logFile: this.logFile(m.name), onLog: this.onLog });
    // owned in the same step it exists: an exit from here on kills it
    this.owner?.adopt(child);
    m.pid = child.pid!;
    this.procs.set(m.name, { pid: child.pid!, child, closed });
    if (!this.detached) this.onLog?.(`${m.name}: spawned etcd pid ${child.pid}`);
  }

  isAlive(name: string): Promise<boolean> {
    return memberAlive(this.proc(name), this.member(name).dataDir);
  }

  private signalMember(name: string, sig: NodeJS.Signals): Promise<void> {
    return signalMember(this.proc(name), this.member(name).dataDir, sig);
  }

  private waitDead(name: string, ms: number): Promise<boolean> {
    return waitDead(this.proc(name), this.member(name).dataDir, ms);
  }

  async killMember(name: string, signal: MemberSignal = 'SIGKILL'): Promise<void> {
    this.member(name);
    await this.signalMember(name, signal);
    if (await this.waitDead(name, KILL_GRACE_MS)) return;
    if (signal !== 'SIGKILL') {
      await this.signalMember(name, 'SIGKILL');
      if (await this.waitDead(name, KILL_GRACE_MS)) return;
    }
    throw new BenchError(`etcd member ${name} (pid ${this.proc(name).pid}) did not die after ${signal}`);
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
      if (knowsLeader(await this.health.member(m.clientUrl))) return;
      await sleep(POLL_MS);
    }
    const alive = await this.isAlive(name);
    const tail = await logTail(this.logFile(name));
    throw new BenchError(
      `etcd member ${name} ${alive ? `did not rejoin within ${START_TIMEOUT_MS / 1000} s` : 'exited during restart'}` +
        (tail.length ? `\n--- ${name}.log ---\n${tail.join('\n')}` : ''),
    );
  }

  async leader(): Promise<Member | null> {
    const i = leaderIndex(await this.health.all(this.members));
    return i < 0 ? null : this.members[i]!;
  }

  async status(): Promise<ClusterStatus> {
    return clusterStatus(this.members, await this.health.all(this.members));
  }

  /**
   * Wait until every member answers and all agree on one raft leader; throws
   * StartError with the log tails on deadline or a member exit, and `aborted()`
   * as soon as `signal` aborts.
   */
  async waitHealthy(timeoutMs: number, signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: (MemberReply | null)[] = [];
    for (;;) {
      if (signal?.aborted) throw aborted();
      for (const m of this.members) {
        if (!(await this.isAlive(m.name))) throw await this.startError(`etcd member ${m.name} exited during start`, [m.name]);
      }
      last = await this.health.all(this.members, signal);
      if (signal?.aborted) throw aborted();
      if (agreeOnLeader(last)) return;
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
    const leader = graceful ? await this.leader().catch(() => null) : null;
    const followers = names.filter((n) => n !== leader?.name);
    await Promise.all(followers.map((n) => this.signalMember(n, 'SIGTERM')));
    await Promise.all(followers.map((n) => this.waitDead(n, FOLLOWER_GRACE_MS)));
    await Promise.all(names.map((n) => this.signalMember(n, 'SIGTERM')));
    const dead = await Promise.all(names.map((n) => this.waitDead(n, LEADER_GRACE_MS)));
    await Promise.all(names.filter((_, i) => !dead[i]).map((n) => this.signalMember(n, 'SIGKILL')));
    await Promise.all(names.map((n) => this.waitDead(n, STOP_GRACE_MS)));
    // a member restarted by another process (attached handle) has a pid we
    // never saw; exactly our members' data dirs, nothing else under dataDir
    await killStrays(new Set(this.members.map((m) => m.dataDir)), STOP_GRACE_MS);
    // let the log streams flush before the dir goes away (bounded: a child
    // that survived SIGKILL must not hang stop())
    const flushed = new AbortController();
    await Promise.race([Promise.all([...this.procs.values()].map((p) => p.closed)), sleep(STOP_GRACE_MS, flushed.signal)]);
    flushed.abort();
  }

  /** stop(); `graceful: false` (a failed start, whose data is thrown away) SIGKILLs at once and keeps the owner */
  stop(graceful = true): Promise<void> {
    this.stopping ??= (async () => {
      this.removeAbort?.();
      try {
        await this.killAll(graceful);
      } finally {
        await this.health.close();
        if (this.spec.ownsDataDir) await rm(this.spec.dataDir, { recursive: true, force: true });
        // stopped: an exit from now on has nothing to clean (a failed start,
        // stop(false), leaves that to startCluster, which owns the attempt)
        if (graceful) this.disown();
        await this.hooks.onStopped?.();
      }
    })();
    return this.stopping;
  }
}
