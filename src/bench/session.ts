/**
 * A benchmark session: the embedded (or given) etcd cluster, the hosts, the
 * workers on them, the `/master` tail, the rounds and the results dir. The
 * TUI drives it through DashboardActions, `run` drives it headless; both
 * see the same BenchEvent stream (subscribe), which also goes to
 * results/<run-id>/events.jsonl as it arrives.
 *
 *   const s = await Session.open(config);
 *   await s.startMasters(); await s.startAgents(); await s.runRounds(5);
 *   await s.close();
 */
import { now } from '../clock.ts';
import type { Config, HostSpec } from '../config/load.ts';
import { BenchError, ConfigError, oneLine } from '../errors.ts';
import type { BenchEvent, FaultKind, HostReport, Role, RoundResult, RunSummary, WorkerEvent } from '../events.ts';
import { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { sleep } from '../election/common.ts';
import type { Host, WorkerHandle } from '../fleet/host.ts';
import { LocalHost } from '../fleet/local-host.ts';
import { connectAll, SshHost } from '../fleet/ssh-host.ts';
import { startCluster, type EmbeddedCluster } from '../cluster/embedded.ts';
import { runningCluster, attachCluster } from '../cluster/state.ts';
import type { DashboardActions, EventSource } from '../store/actions.ts';
import { summarize } from '../stats/distribution.ts';
import { newRunId, ResultsWriter } from './results.ts';
import { RoundTracker } from './round.ts';
import { tailMaster } from './master-tail.ts';
import { cleanKeys } from './clean.ts';

export interface SessionOptions {
  runId?: string;
  acceptNewHostKeys?: boolean;
  /** make a Host for a conf line (tests pass their own SSH options) */
  hostFactory?: (spec: HostSpec) => Host;
  /** cluster log lines (embedded) */
  onClusterLog?: (line: string) => void;
}

type MasterState = 'starting' | 'candidate' | 'master' | 'paused' | 'dead';

interface MasterWorker {
  id: string;
  host: Host;
  handle: WorkerHandle | null;
  state: MasterState;
}

interface AgentProc {
  host: Host;
  prefix: string;
  handle: WorkerHandle;
  ids: string[];
}

interface Waiter {
  pred: () => boolean;
  resolve: () => void;
}

export class Session implements DashboardActions, EventSource {
  readonly runId: string;
  readonly results: ResultsWriter;
  private listeners = new Set<(e: BenchEvent) => void>();
  private ctl = new AbortController();
  private cluster: EmbeddedCluster | null = null;
  private ownsCluster = false;
  endpoints: string[] = [];
  private v3!: EtcdV3;
  private v2!: EtcdV2;
  private hosts = new Map<string, Host>();
  private hostReports = new Map<string, HostReport>();
  private masters = new Map<string, MasterWorker>();
  private agentProcs: AgentProc[] = [];
  private agentIds = new Set<string>();
  private agentMaster = new Map<string, string>();
  /** how many agents hold each master: kept as events arrive (10,000 agents, one event each) */
  private holders = new Map<string, number>();
  private agentStart = new Map<string, number>();
  private waiters = new Set<Waiter>();
  private tracker: RoundTracker | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  activeMaster: string | null = null;
  readonly rounds: RoundResult[] = [];
  readonly errors: string[] = [];
  private samples = { notify: [] as number[], reget: [] as number[], get: [] as number[] };
  private closed = false;

  private constructor(
    readonly config: Config,
    private readonly opts: SessionOptions,
  ) {
    this.runId = opts.runId ?? newRunId();
    this.results = new ResultsWriter(config.settings.out, this.runId);
  }

  get settings() {
    return this.config.settings;
  }

  /** Start (or reuse) etcd, connect hosts and measure their clocks, start the `/master` tail. */
  static async open(config: Config, opts: SessionOptions = {}): Promise<Session> {
    const s = Session.create(config, opts);
    await s.start();
    return s;
  }

  /** A session that has done nothing yet: subscribe first, then start() (the console shows the start-up). */
  static create(config: Config, opts: SessionOptions = {}): Session {
    return new Session(config, opts);
  }

  /** Bring the session up; actions called meanwhile wait for it. A failure closes the session. */
  start(): Promise<void> {
    return this.exclusive(async () => {
      try {
        await this.init();
      } catch (e) {
        this.log('error', `start-up failed: ${oneLine(e)}`);
        await this.close().catch(() => {});
        throw e;
      }
    });
  }

  subscribe(listener: (e: BenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(e: BenchEvent): void {
    this.results.event(e);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's fault is not the session's */
      }
    }
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    if (level === 'error') this.errors.push(message);
    this.publish({ kind: 'log', level, message, t: now() });
  }

  private progress(step: string, done: number, total: number): void {
    this.publish({ kind: 'progress', step, done, total, t: now() });
  }

  private async init(): Promise<void> {
    const st = this.settings;
    for (const w of this.config.warnings) this.log('warn', w);
    if (st.endpoints === 'embedded') {
      const running = await runningCluster().catch(() => null);
      if (running) {
        this.cluster = attachCluster(running.state);
        this.endpoints = running.endpoints;
        this.log('info', `using the cluster started by \`cluster start\`: ${this.endpoints.join(',')}`);
      } else {
        this.publish({ kind: 'cluster', state: 'starting', endpoints: [], t: now() });
        this.progress('etcd cluster', 0, 3);
        this.cluster = await startCluster({ signal: this.ctl.signal, onLog: this.opts.onClusterLog });
        this.ownsCluster = true;
        this.endpoints = this.cluster.endpoints;
        this.progress('etcd cluster', 3, 3);
      }
    } else this.endpoints = st.endpoints;
    const transport = new Transport(this.endpoints);
    this.v3 = new EtcdV3(transport);
    this.v2 = new EtcdV2(transport);
    if (st.endpoints !== 'embedded') {
      // a wrong endpoint is bad input: say so now, not as "no master was elected" later
      await this.v3.status(this.ctl.signal).catch((e) => {
        throw new ConfigError(`etcd does not answer at ${this.endpoints.join(',')}: ${oneLine(e)}`, this.config.sources.endpoints);
      });
    }
    this.publish({ kind: 'cluster', state: 'up', endpoints: this.endpoints, t: now() });
    this.publish({ kind: 'config', endpoints: this.endpoints, backend: st.backend, ttl: st.ttl, refresh: st.refresh, runId: this.runId, masterPath: st.masterPath, t: now() });
    void this.pollCluster();
    void tailMaster(st.backend, st.masterPath, this.v3, this.v2, this.ctl.signal, (line) => this.publish({ kind: 'watch', line }), (e) =>
      this.log('warn', `master watch: ${oneLine(e)}`),
    );
    await this.connectHosts();
  }

  /** etcd raft leader and revision for the header, every second */
  private async pollCluster(): Promise<void> {
    while (!this.ctl.signal.aborted) {
      try {
        if (this.cluster) {
          const st = await this.cluster.status();
          this.publish({ kind: 'cluster', state: st.leader ? 'up' : 'error', endpoints: this.endpoints, leader: st.leader, revision: st.revision, t: now() });
        } else {
          const st = await this.v3.status(this.ctl.signal);
          this.publish({ kind: 'cluster', state: 'up', endpoints: this.endpoints, leader: st.leader, revision: st.revision, t: now() });
        }
      } catch (e) {
        if (this.ctl.signal.aborted) return;
        this.publish({ kind: 'cluster', state: 'error', endpoints: this.endpoints, message: oneLine(e), t: now() });
      }
      await sleep(1000, this.ctl.signal);
    }
  }

  private makeHost(spec: HostSpec): Host {
    if (this.opts.hostFactory) return this.opts.hostFactory(spec);
    if (spec.local) return new LocalHost(spec.name);
    return new SshHost(
      { name: spec.name, user: spec.user, address: spec.address, port: spec.port },
      { identity: this.settings.identity ?? undefined, knownHosts: this.settings.knownHosts ?? undefined, acceptNewHostKeys: this.opts.acceptNewHostKeys },
    );
  }

  private rolesOf(name: string): Role[] {
    const roles: Role[] = [];
    if (this.config.masters.some((h) => h.name === name)) roles.push('master');
    if (this.config.agents.some((h) => h.name === name)) roles.push('agent');
    return roles;
  }

  /** Connect every configured host in parallel (bounded); a host that fails stops the session. */
  private async connectHosts(): Promise<void> {
    const specs = new Map<string, HostSpec>();
    for (const h of [...this.config.masters, ...this.config.agents]) if (!specs.has(h.name)) specs.set(h.name, h);
    const hosts = [...specs.values()].map((spec) => {
      const host = this.makeHost(spec);
      this.hosts.set(spec.name, host);
      this.publish({ kind: 'host', host: spec.name, roles: this.rolesOf(spec.name), transport: host.transport, state: 'connecting', t: now() });
      return host;
    });
    let done = 0;
    const failures: unknown[] = [];
    await connectAll(hosts, {
      signal: this.ctl.signal,
      onOutcome: async (o) => {
        const { host } = o;
        const base = { kind: 'host' as const, host: host.name, roles: this.rolesOf(host.name), transport: host.transport };
        try {
          if (!o.ok) throw o.error;
          const clock = await host.measureClock(8);
          const report: HostReport = { host: host.name, roles: base.roles, transport: host.transport, nodeVersion: o.info.nodeVersion, clockOffsetMs: clock.offsetMs, clockUncertaintyMs: clock.uncertaintyMs };
          this.hostReports.set(host.name, report);
          this.publish({ ...base, state: 'up', nodeVersion: report.nodeVersion, clockOffsetMs: clock.offsetMs, clockUncertaintyMs: clock.uncertaintyMs, t: now() });
        } catch (e) {
          failures.push(e);
          this.publish({ ...base, state: 'unreachable', message: oneLine(e), t: now() });
        }
        this.progress('hosts', ++done, hosts.length);
      },
    });
    // the first failure as it is: an SshError keeps its exit code (2 for host keys, auth, missing node)
    const first = failures[0];
    if (first) throw first instanceof BenchError ? first : new BenchError(oneLine(first), { cause: first });
  }

  hostList(): HostReport[] {
    return [...this.hostReports.values()];
  }

  // ---------------------------------------------------------------- events

  private onWorkerEvent = (e: WorkerEvent): void => {
    const tc = e.tc ?? e.t;
    if (e.role === 'master') {
      const m = this.masters.get(e.id);
      if (m) {
        if (e.ev === 'elected') {
          m.state = 'master';
          this.activeMaster = e.id;
        } else if (e.ev === 'stepdown') {
          m.state = 'candidate';
          if (this.activeMaster === e.id) this.activeMaster = null;
        } else if (e.ev === 'lost' || e.ev === 'watch-created') {
          if (m.state !== 'master') m.state = 'candidate';
        } else if (e.ev === 'exit') m.state = 'dead';
      }
    } else if (e.ev === 'start' && !e.process) this.agentStart.set(e.id, tc);
    else if (e.ev === 'got-master' && typeof e.master === 'string') {
      this.setAgentMaster(e.id, e.master);
      const start = this.agentStart.get(e.id);
      if (e.initial && start !== undefined) this.samples.get.push(tc - start);
    }
    this.tracker?.feed(e);
    this.publish({ kind: 'worker', event: e });
    this.checkWaiters();
  };

  private checkWaiters(): void {
    for (const w of this.waiters) {
      if (w.pred()) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Wait until pred() holds (checked on every event and every 100 ms), or fail naming `what`. */
  private waitFor(pred: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve: () => finish() };
      const tick = setInterval(() => this.checkWaiters(), 100);
      const timer = setTimeout(() => {
        finish();
        reject(new BenchError(`timed out after ${Math.round(timeoutMs / 1000)} s: ${what()}`));
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(new BenchError('session closed'));
      };
      this.ctl.signal.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        clearInterval(tick);
        clearTimeout(timer);
        this.ctl.signal.removeEventListener('abort', onAbort);
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }

  // ---------------------------------------------------------------- workers

  /** short name used in worker ids: 'local', '127.0.0.2' (or '127.0.0.2_2222' when two hosts share an address) */
  private label(host: Host): string {
    const specs = [...this.config.masters, ...this.config.agents];
    const spec = specs.find((h) => h.name === host.name)!;
    if (spec.local) return 'local';
    const clash = specs.some((h) => h.name !== spec.name && h.address === spec.address);
    return clash ? `${spec.address}_${spec.port}` : spec.address;
  }

  private workerArgs(kind: string[], id: string): string[] {
    const st = this.settings;
    const args = [
      ...kind,
      '--endpoints',
      this.endpoints.join(','),
      '--backend',
      st.backend,
      '--ttl',
      String(st.ttl),
      '--refresh',
      String(st.refresh),
      '--master-path',
      st.masterPath,
      '--ego-key',
      st.egoKey,
      '--ego-size',
      String(st.egoSize),
      '--id',
      id,
    ];
    if (st.seedKeys) args.push('--seed-keys');
    if (kind[0] === 'agents' && st.agentMode !== 'own') args.push('--agent-mode', st.agentMode);
    return args;
  }

  private async startMaster(m: MasterWorker): Promise<void> {
    m.state = 'starting';
    const handle = await m.host.startWorker({ role: 'master', id: m.id, args: this.workerArgs(['master'], m.id) }, this.onWorkerEvent, (line) =>
      this.log('warn', `${m.host.name} ${m.id}: ${line}`),
    );
    m.handle = handle;
    this.publish({ kind: 'worker-started', host: m.host.name, role: 'master', pid: handle.pid, id: m.id, count: 1, t: now() });
    void handle.exited.then((x) => {
      if (m.handle !== handle) return;
      m.state = 'dead';
      if (this.activeMaster === m.id) this.activeMaster = null;
      this.tracker?.feed({ t: now(), tc: now(), host: m.host.name, pid: handle.pid, role: 'master', id: m.id, ev: 'exit' });
      this.publish({ kind: 'worker-exited', host: m.host.name, role: 'master', pid: handle.pid, id: m.id, code: x.code, signal: x.signal, t: now() });
      this.checkWaiters();
    });
  }

  private liveMasters(): MasterWorker[] {
    return [...this.masters.values()].filter((m) => m.state !== 'dead' && m.handle);
  }

  /** Start the configured masters (those not running yet); wait for a master and its candidates. */
  async startMasters(): Promise<void> {
    return this.exclusive(async () => {
      const st = this.settings;
      const started: MasterWorker[] = [];
      for (const spec of this.config.masters) {
        const host = this.hosts.get(spec.name)!;
        for (let k = 1; k <= st.masters; k++) {
          const id = `${this.label(host)}-m${k}`;
          let m = this.masters.get(id);
          if (m && m.state !== 'dead') continue;
          if (!m) this.masters.set(id, (m = { id, host, handle: null, state: 'starting' }));
          await this.startMaster(m);
          started.push(m);
        }
      }
      const timeout = (st.ttl + 10) * 1000;
      await this.waitFor(
        () => this.activeMaster !== null && this.liveMasters().every((m) => m.state === 'master' || m.state === 'candidate'),
        timeout,
        () => (this.activeMaster ? `masters still starting: ${this.liveMasters().filter((m) => m.state === 'starting').map((m) => m.id).join(', ')}` : 'no master was elected'),
      );
      this.log('info', `${started.length} master(s) started; active master ${this.activeMaster}`);
    });
  }

  /** Start the configured agents on every agent host; wait until each has got the master. */
  async startAgents(): Promise<void> {
    return this.exclusive(async () => {
      const st = this.settings;
      if (st.agents === 0) return;
      for (const spec of this.config.agents) {
        const host = this.hosts.get(spec.name)!;
        if (this.agentProcs.some((p) => p.host === host)) continue;
        const prefix = this.label(host);
        const ids = Array.from({ length: st.agents }, (_, i) => `${prefix}-a${i + 1}`);
        for (const id of ids) this.agentIds.add(id);
        const handle = await host.startWorker({ role: 'agent', id: prefix, args: this.workerArgs(['agents', String(st.agents)], prefix) }, this.onWorkerEvent, (line) =>
          this.log('warn', `${host.name} agents: ${line}`),
        );
        const proc: AgentProc = { host, prefix, handle, ids };
        this.agentProcs.push(proc);
        this.publish({ kind: 'worker-started', host: host.name, role: 'agent', pid: handle.pid, id: prefix, count: st.agents, t: now() });
        void handle.exited.then((x) => {
          this.agentProcs = this.agentProcs.filter((p) => p !== proc);
          for (const id of ids) {
            this.agentIds.delete(id);
            this.setAgentMaster(id, null);
          }
          this.publish({ kind: 'worker-exited', host: host.name, role: 'agent', pid: handle.pid, id: prefix, code: x.code, signal: x.signal, t: now() });
          this.checkWaiters();
        });
      }
      const total = this.agentIds.size;
      const tick = setInterval(() => this.progress('agents', this.agentsKnowing(), total), 250);
      try {
        await this.waitFor(
          () => this.activeMaster !== null && this.agentsKnowing() === this.agentIds.size,
          Math.max(30_000, total * 10),
          () => `${this.agentIds.size - this.agentsKnowing()} of ${this.agentIds.size} agents have not got the master ${this.activeMaster ?? '(none)'}`,
        );
      } finally {
        clearInterval(tick);
      }
      this.progress('agents', this.agentsKnowing(), total);
      this.log('info', `${total} agent(s) up, all on master ${this.activeMaster}`);
    });
  }

  private agentsKnowing(): number {
    return this.activeMaster ? (this.holders.get(this.activeMaster) ?? 0) : 0;
  }

  private setAgentMaster(id: string, master: string | null): void {
    const before = this.agentMaster.get(id);
    if (before === master) return;
    if (before !== undefined) this.holders.set(before, (this.holders.get(before) ?? 1) - 1);
    if (master === null) this.agentMaster.delete(id);
    else {
      this.agentMaster.set(id, master);
      this.holders.set(master, (this.holders.get(master) ?? 0) + 1);
    }
  }


  /** one action at a time: a key press during a round waits for it */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.busy.then(fn, fn);
    this.busy = p.catch(() => {});
    return p;
  }

  // ---------------------------------------------------------------- rounds

  kill(): Promise<void> {
    return this.round('kill').then(() => {});
  }
  term(): Promise<void> {
    return this.round('term').then(() => {});
  }
  pause(): Promise<void> {
    return this.round('pause').then(() => {});
  }
  resign(): Promise<void> {
    return this.round('resign').then(() => {});
  }

  async runRounds(n: number, fault: FaultKind = this.settings.fault): Promise<void> {
    for (let i = 0; i < n && !this.ctl.signal.aborted; i++) await this.round(fault);
  }

  pauseMs(): number {
    const p = this.settings.pause;
    return (p > 0 ? p : this.settings.ttl + 1.5) * 1000;
  }

  /** One failover round with this fault; the result is also appended to the results dir. */
  round(fault: FaultKind): Promise<RoundResult> {
    return this.exclusive(() => this.roundNow(fault));
  }

  private async roundNow(fault: FaultKind): Promise<RoundResult> {
    const st = this.settings;
    const n = this.rounds.length + 1;
    if (fault === 'etcd-leader' && !this.cluster) throw new BenchError('the etcd-leader fault needs the embedded cluster (--endpoints embedded)', { cause: undefined });
    await this.waitFor(() => this.activeMaster !== null, (st.ttl + 5) * 1000, () => 'no active master (start masters first: s)');
    const old = this.masters.get(this.activeMaster!)!;
    if (fault !== 'etcd-leader' && this.liveMasters().length < 2) throw new BenchError('a failover needs at least 2 masters running (one standby)');
    await this.waitFor(
      () => this.agentsKnowing() === this.agentIds.size,
      st.roundTimeout * 1000,
      () => `${this.agentIds.size - this.agentsKnowing()} agents have not got master ${this.activeMaster} before round ${n}`,
    );
    // land the fault at a uniformly random phase of the keep-alive period
    await sleep(Math.random() * st.refresh * 1000, this.ctl.signal);
    const tracker = new RoundTracker(n, fault, now(), old.id, new Set(this.agentIds));
    this.tracker = tracker;
    this.publish({ kind: 'round-start', round: n, fault, t: now() });
    let error: string | undefined;
    let resume: Promise<void> = Promise.resolve();
    let etcdMember: string | null = null;
    try {
      const handle = old.handle!;
      let tf: number;
      switch (fault) {
        case 'kill':
          tf = await handle.signal('SIGKILL');
          break;
        case 'term':
          tf = await handle.signal('SIGTERM');
          break;
        case 'pause': {
          tf = await handle.signal('SIGSTOP');
          old.state = 'paused';
          const ms = this.pauseMs();
          resume = sleep(ms).then(async () => {
            await handle.signal('SIGCONT').catch(() => {});
            if (old.state === 'paused') old.state = 'master';
            this.log('info', `round ${n}: ${old.id} resumed after ${ms} ms`);
          });
          break;
        }
        case 'resign':
          handle.send({ cmd: 'resign' });
          tf = now();
          break;
        case 'etcd-leader': {
          const leader = await this.cluster!.leader();
          if (!leader) throw new BenchError('the etcd cluster has no raft leader');
          etcdMember = leader.name;
          tf = now();
          await this.cluster!.killMember(leader.name, 'SIGKILL');
          break;
        }
      }
      tracker.setFaultAt(tf);
      this.publish({ kind: 'fault', round: n, fault, target: etcdMember ?? old.id, host: old.host.name, pid: handle.pid, t: tf });
      const extra = fault === 'pause' ? this.pauseMs() : 0;
      await this.waitFor(() => tracker.done, st.roundTimeout * 1000 + extra, () => tracker.missing());
    } catch (e) {
      error = oneLine(e);
    }
    await resume;
    this.tracker = null;
    const result = tracker.result(error);
    const s = tracker.samples();
    this.samples.notify.push(...s.notify);
    this.samples.reget.push(...s.reget);
    this.rounds.push(result);
    if (!result.ok) this.errors.push(`round ${n}: ${result.error ?? 'failed'}`);
    this.results.round(result, this.report());
    this.publish({ kind: 'round-end', result, summary: this.summary(), t: now() });
    await this.restore(fault, old, etcdMember).catch((e) => this.log('error', `round ${n}: restoring the standby failed: ${oneLine(e)}`));
    return result;
  }

  /** Put the cluster back as it was before the round: a standby in place of the old master. */
  private async restore(fault: FaultKind, old: MasterWorker, etcdMember: string | null): Promise<void> {
    const timeout = (this.settings.ttl + 10) * 1000;
    if (fault === 'etcd-leader') {
      if (etcdMember) await this.cluster!.restartMember(etcdMember);
      return;
    }
    if (fault === 'kill' || fault === 'term') {
      await old.handle?.exited;
      await this.startMaster(old);
    }
    await this.waitFor(() => old.state === 'candidate' || old.state === 'master', timeout, () => `${old.id} did not come back as a candidate`);
  }

  // ---------------------------------------------------------------- results

  summary(): RunSummary {
    return summarize(this.rounds, this.samples.notify, this.samples.reget, this.samples.get);
  }

  /** The `run --json` object (DESIGN §6). */
  report() {
    const st = this.settings;
    return {
      config: {
        runId: this.runId,
        endpoints: this.endpoints,
        embedded: st.endpoints === 'embedded',
        backend: st.backend,
        ttl: st.ttl,
        refresh: st.refresh,
        masterPath: st.masterPath,
        egoKey: st.egoKey,
        egoSize: st.egoSize,
        masters: st.masters,
        agents: st.agents,
        rounds: st.rounds,
        fault: st.fault,
        pauseMs: st.fault === 'pause' ? this.pauseMs() : null,
        agentMode: st.agentMode,
        seedKeys: st.seedKeys,
        masterHosts: this.config.masters.map((h) => h.name),
        agentHosts: this.config.agents.map((h) => h.name),
      },
      hosts: this.hostList(),
      rounds: this.rounds,
      summary: this.summary(),
      ok: this.rounds.length > 0 && this.rounds.every((r) => r.ok) && this.errors.length === 0,
      errors: this.errors,
    };
  }

  async exportResults(): Promise<string> {
    this.results.flush();
    this.results.writeSummary(this.report());
    this.log('info', `results written to ${this.results.dir}`);
    return this.results.dir;
  }

  // ---------------------------------------------------------------- housekeeping

  /** Delete the benchmark's keys (the seed's initETCD.sh). */
  async clean(): Promise<void> {
    const n = await cleanKeys(this.endpoints, this.settings);
    this.log('info', `cleaned ${n} key(s)`);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((h) => h.stopAll().catch((e) => this.log('warn', `${h.name}: stop: ${oneLine(e)}`))));
    this.activeMaster = null;
    this.log('info', 'all workers stopped');
  }

  async quit(stopWorkers: boolean): Promise<void> {
    if (stopWorkers) await this.stopAll();
    await this.close({ keepWorkers: !stopWorkers });
  }

  /** Stop everything this session started (workers, the tail, an owned cluster). */
  async close(opts: { keepWorkers?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!opts.keepWorkers) await Promise.all([...this.hosts.values()].map((h) => h.stopAll().catch(() => {})));
    this.ctl.abort();
    await Promise.all([...this.hosts.values()].map((h) => h.close().catch(() => {})));
    if (this.ownsCluster && this.cluster) await this.cluster.stop().catch(() => {});
    this.results.writeSummary(this.report());
    this.results.close();
  }
}
