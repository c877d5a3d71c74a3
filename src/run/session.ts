/**
 * A benchmark session: processes and I/O only. It brings up etcd and the
 * hosts (./start-up.ts), starts workers (./workers.ts), runs rounds from the
 * fault table (./rounds.ts), and publishes every BenchEvent: into the run
 * model (src/model/, which interprets them; the session waits on its
 * selectors), into results/<run-id>/events.jsonl, and to every subscriber
 * (the console, the plain printer), each of which sees every event from the
 * start.
 *
 * One AbortSignal tree: close() aborts the root, which cancels the action in
 * flight (a round is published as cancelled, not failed), every wait, the
 * watches and a cluster still starting; stopAll() cancels the actions and
 * stops the workers; nothing is started or restarted after either began.
 *
 *   const s = Session.create(config); s.subscribe(print);
 *   await s.start(); await s.startMasters(); await s.startAgents(); await s.runRounds(5);
 *   await s.close();
 */
import { hostname } from 'node:os';
import { now } from '../clock.ts';
import type { Config, HostSpec } from '../config/load.ts';
import type { BenchEvent, FaultKind, HostReport, RoundResult } from '../events.ts';
import type { Host } from '../fleet/host.ts';
import { cleanKeys } from '../election/keys.ts';
import { RunModel } from '../model/run-model.ts';
import { agentsOnActive, agentsReady, agentsStarted, mastersSettled } from '../model/select.ts';
import type { DashboardActions, EventSource } from '../store/actions.ts';
import type { EmbeddedCluster } from '../cluster/embedded.ts';
import { ActionQueue } from './actions.ts';
import { EventBus } from './bus.ts';
import { EtcdFactsRecorder, type EtcdFacts } from './etcd-facts.ts';
import { connectHosts, makeHost, openEtcd, watchEtcd, type Etcd, type HostOptions } from './start-up.ts';
import { newRunId, ResultsWriter } from './results.ts';
import { runReport, type RunReport } from './report.ts';
import { runRound } from './rounds.ts';
import { Waiters, WaitAborted } from './wait.ts';
import { Workers } from './workers.ts';
import { RunNetwork } from './network.ts';
import { blockedReason, noMasterReason } from './reasons.ts';
import { RunMarker } from './run-marker.ts';

export interface SessionOptions extends HostOptions {
  runId?: string;
  /** cluster log lines (embedded) */
  onClusterLog?: (line: string) => void;
  /** an embedded cluster to use (not owned: left running at close), e.g. the sweep's one cluster */
  cluster?: EmbeddedCluster;
}

/** summary.json: the `run --json` object and what determined the numbers on the etcd side. */
export type SummaryFile = RunReport & { etcd: EtcdFacts | null };

export class Session implements DashboardActions, EventSource {
  readonly runId: string;
  readonly results: ResultsWriter;
  readonly model = new RunModel();
  private readonly bus = new EventBus();
  private readonly waits = new Waiters();
  private readonly root = new AbortController();
  private readonly hosts = new Map<string, Host>();
  private readonly hostReports = new Map<string, HostReport>();
  private readonly workers: Workers;
  private readonly net: RunNetwork;
  private etcd: Etcd | null = null;
  private facts: EtcdFactsRecorder | null = null;
  private readonly actions: ActionQueue;
  private marker: RunMarker | null = null;
  private stopping = false;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly config: Config,
    private readonly opts: SessionOptions,
  ) {
    this.runId = opts.runId ?? newRunId();
    this.results = new ResultsWriter(config.settings.out, this.runId);
    this.actions = new ActionQueue(this.root.signal, (m) => this.log('info', m));
    this.net = new RunNetwork(config, this.runId, (level, m) => this.log(level, m));
    this.workers = new Workers({
      config,
      hosts: this.hosts,
      placement: (host, id) => this.net.placement(this.etcd, host, id),
      publish: (e) => this.publish(e),
      log: (level, m) => this.log(level, m),
      closed: () => this.root.signal.aborted || this.stopping,
    });
  }

  /** A session that has done nothing yet: subscribe, then start() (the console shows the start-up). */
  static create(config: Config, opts: SessionOptions = {}): Session {
    return new Session(config, opts);
  }

  /** create() and start(). */
  static async open(config: Config, opts: SessionOptions = {}): Promise<Session> {
    const s = Session.create(config, opts);
    await s.start();
    return s;
  }

  get settings() {
    return this.config.settings;
  }

  get endpoints(): string[] {
    return this.etcd?.endpoints ?? [];
  }

  /** aborted once close() began */
  get signal(): AbortSignal {
    return this.root.signal;
  }

  subscribe(listener: (e: BenchEvent) => void): () => void {
    return this.bus.subscribe(listener);
  }

  private publish(e: BenchEvent): void {
    this.results.event(e);
    this.model.apply(e);
    this.waits.check();
    this.bus.publish(e);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.publish({ kind: 'log', level, message, t: now() });
  }

  /** Run `fn` after the actions before it (./actions.ts); `stoppable: false`: only close() cancels it, not stopAll(). */
  private action<T>(name: string, fn: (signal: AbortSignal) => Promise<T>, o: { stoppable?: boolean } = {}): Promise<T | undefined> {
    return this.actions.run(name, fn, o);
  }

  /**
   * Bring the session up: etcd, the `/master` watch, the hosts. A failure
   * closes the session and rejects (the caller says why: the CLI in one line,
   * the console in its log); closed meanwhile, it rejects with WaitAborted.
   */
  async start(): Promise<void> {
    try {
      await this.action('start-up', (signal) => this.startUp(signal), { stoppable: false });
      if (this.root.signal.aborted) throw new WaitAborted('stopped: the session closed while starting');
    } catch (e) {
      await this.close().catch(() => {});
      throw e;
    }
  }

  private async startUp(signal: AbortSignal): Promise<void> {
    const st = this.settings;
    for (const w of this.config.warnings) this.log('warn', w);
    // the partition fault's namespaces first: the embedded cluster listens on their links
    await this.net.setUp();
    signal.throwIfAborted();
    const etcd = await openEtcd(this.config, signal, (e) => this.publish(e), (m) => this.log('info', m), this.opts.onClusterLog, this.opts.cluster, this.net.listen);
    this.etcd = etcd;
    if (signal.aborted && etcd.owned) await etcd.cluster?.stop();
    signal.throwIfAborted();
    // another live run on this election key: refuse before anything of ours touches it
    const info = { runId: this.runId, pid: process.pid, host: hostname(), started: new Date().toISOString() };
    this.marker = await RunMarker.acquire(etcd.v3, st.masterPath, info, (m) => this.log('warn', m), signal);
    this.facts = new EtcdFactsRecorder(etcd.endpoints, etcd.cluster);
    await this.facts.start();
    this.publish({ kind: 'cluster', state: 'up', endpoints: etcd.endpoints, t: now() });
    this.publish({ kind: 'config', endpoints: etcd.endpoints, backend: st.backend, ttl: st.ttl, refresh: st.refresh, runId: this.runId, masterPath: st.masterPath, t: now() });
    watchEtcd(etcd, this.config, this.root.signal, (e) => this.publish(e), (m) => this.log('warn', m));
    const specs = new Map<string, HostSpec>();
    for (const h of [...this.config.masters, ...this.config.agents]) if (!specs.has(h.name)) specs.set(h.name, h);
    // registered before they connect: close() closes them even mid-connect
    for (const spec of specs.values()) this.hosts.set(spec.name, makeHost(this.config, spec, this.opts));
    await connectHosts(this.config, [...this.hosts.values()], signal, (e) => this.publish(e), this.hostReports);
  }

  hostList(): HostReport[] {
    return [...this.hostReports.values()];
  }

  /** the master key is held by a value this run did not write and that never expires: waiting cannot help */
  private blocked = (): string | null => blockedReason(this.model, this.settings.masterPath);
  private noMaster = (): string => noMasterReason(this.model, this.settings.masterPath);

  private running = (id: string): boolean => {
    const m = this.model.masters.get(id);
    return m !== undefined && m.state !== 'dead' && this.workers.handleOf(id) !== null;
  };

  /** Start the configured masters that do not run; wait for a master and its candidates. */
  startMasters(): Promise<void> {
    return this.action('start masters', async (signal) => {
      this.stopping = false;
      const n = await this.workers.startMasters(this.running);
      await this.waits.until(() => mastersSettled(this.model), { timeoutMs: (this.settings.ttl + 10) * 1000, signal, what: this.noMaster, failWhen: this.blocked });
      this.log('info', `${n} master(s) started; active master ${this.model.active}`);
    }).then(() => {});
  }

  /** Start the agents on every agent host; wait until each holds the active master. */
  startAgents(): Promise<void> {
    return this.action('start agents', async (signal) => {
      this.stopping = false;
      if (this.settings.agents === 0) return;
      await this.workers.startAgents();
      const total = agentsStarted(this.model);
      const tick = setInterval(() => this.publish({ kind: 'progress', step: 'agents', done: agentsOnActive(this.model), total, t: now() }), 250);
      try {
        await this.waits.until(() => agentsReady(this.model), {
          timeoutMs: Math.max(30_000, total * 10),
          signal,
          what: () => `${agentsStarted(this.model) - agentsOnActive(this.model)} of ${agentsStarted(this.model)} agents have not got the master ${this.model.active ?? '(none)'}`,
          failWhen: this.blocked,
        });
      } finally {
        clearInterval(tick);
      }
      this.publish({ kind: 'progress', step: 'agents', done: agentsOnActive(this.model), total, t: now() });
      this.log('info', `${total} agent(s) up, all on master ${this.model.active}`);
    }).then(() => {});
  }

  private roundDeps() {
    return {
      config: this.config,
      model: this.model,
      waits: this.waits,
      cluster: this.etcd?.cluster ?? null,
      lab: this.net.partition(),
      publish: (e: BenchEvent) => this.publish(e),
      log: (level: 'info' | 'warn' | 'error', m: string) => this.log(level, m),
      handleOf: (id: string) => this.workers.handleOf(id),
      restartMaster: async (id: string, signal: AbortSignal) => {
        const host = this.workers.hostOf(id);
        if (!host) throw new WaitAborted(`master ${id} is unknown`);
        signal.throwIfAborted();
        await this.workers.startMaster(id, host);
        await this.waits.until(() => ['candidate', 'master'].includes(this.model.masters.get(id)?.state ?? ''), {
          timeoutMs: (this.settings.ttl + 10) * 1000,
          signal,
          what: () => `${id} did not come back as a candidate`,
        });
      },
      blocked: this.blocked,
      recorded: (r: RoundResult) => this.results.round(r, this.summaryFile()),
    };
  }

  /** One round of `fault` (aimed at `aim`, the master the operator confirmed, when given); null when cancelled. */
  round(fault: FaultKind, aim: string | null = null): Promise<RoundResult | null> {
    return this.action(`${fault} round`, (signal) => runRound(this.roundDeps(), fault, signal, aim)).then((r) => r ?? null);
  }

  kill(aim?: string): Promise<void> {
    return this.round('kill', aim ?? null).then(() => {});
  }
  term(aim?: string): Promise<void> {
    return this.round('term', aim ?? null).then(() => {});
  }
  pause(aim?: string): Promise<void> {
    return this.round('pause', aim ?? null).then(() => {});
  }
  resign(aim?: string): Promise<void> {
    return this.round('resign', aim ?? null).then(() => {});
  }

  /** n rounds of `fault`, one action: stopAll() or close() cancels the series and the round in flight. */
  runRounds(n: number, fault: FaultKind = this.settings.fault): Promise<void> {
    return this.action(`${n} round(s)`, async (signal) => {
      for (let i = 0; i < n; i++) {
        const r = await runRound(this.roundDeps(), fault, signal);
        if (r === null || signal.aborted) {
          this.log('info', `rounds stopped after ${i} of ${n}`);
          return;
        }
      }
    }).then(() => {});
  }

  /** Stop every worker on every host; a round in flight and a rounds series are cancelled first. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.actions.cancel('stopped by the operator');
    await this.workers.stopAll();
    this.log('info', 'all workers stopped');
  }

  /** Delete the benchmark's keys (the seed's initETCD.sh). */
  async clean(): Promise<void> {
    const n = await cleanKeys(this.endpoints, this.settings);
    this.log('info', `cleaned ${n} key(s)`);
  }

  /** The `run --json` object (DESIGN §6). */
  report(): RunReport {
    return runReport(this.model, this.config, this.runId, this.endpoints, this.hostList());
  }

  /** What summary.json holds: the report and the etcd facts (versions, raft settings, metric deltas once the run ended). */
  summaryFile(): SummaryFile {
    return { ...this.report(), etcd: this.facts?.facts() ?? null };
  }

  async exportResults(): Promise<string> {
    this.results.flush();
    this.results.writeSummary(this.summaryFile());
    this.log('info', `results written to ${this.results.dir}`);
    return this.results.dir;
  }

  quit(): Promise<void> {
    return this.close();
  }

  /**
   * Stop everything this session started: cancel the action in flight, stop
   * the workers, close the hosts, stop an owned cluster, write the summary.
   * Idempotent; bounded (a few seconds), whatever is in flight.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      // etcd's metrics at the run's end, before anything stops (an owned cluster stops with the root signal): 1 s at most
      await this.facts?.end(1000);
      this.root.abort('the session is closing');
      const unwound = Promise.race([this.actions.idle, new Promise((r) => setTimeout(r, 2000).unref())]);
      await Promise.all([unwound, this.workers.stopAll()]);
      await this.marker?.release();
      const owned = this.etcd?.owned ? this.etcd.cluster : null;
      await Promise.all([...[...this.hosts.values()].map((h) => h.close().catch(() => {})), owned?.stop().catch(() => {}), this.net.close().catch(() => {})]);
      this.results.writeSummary(this.summaryFile());
      this.results.close();
    })();
    return this.closing;
  }
}
