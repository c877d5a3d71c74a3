/**
 * The session's worker processes: masters (one process each) and agents (one
 * process per agent host), started on their hosts with the run's settings.
 * Their events, starts and exits go to the session's publish(); what they
 * mean is the run model's business. Nothing is started once `closed` says so
 * (stop or close has begun).
 *
 *   worker master --endpoints URLS --backend v3-lease --ttl 2 --refresh 0.5 ... --id local-m2
 *   -> {kind: 'worker-started', host: 'localhost', role: 'master', pid: 4242, id: 'local-m2', count: 1, t}
 */
import { now } from '../clock.ts';
import type { Config, HostSpec } from '../config/load.ts';
import type { BenchEvent, WorkerEvent } from '../events.ts';
import type { Host, WorkerHandle } from '../fleet/host.ts';
import { WaitAborted } from './wait.ts';

/** Where a worker runs and how it reaches etcd: its endpoints, and the network namespace of a partition master. */
export interface Placement {
  endpoints: string[];
  netns?: string;
}

export interface WorkersDeps {
  config: Config;
  hosts: ReadonlyMap<string, Host>;
  /** the endpoints (and namespace) of a worker on `host`: master `masterId`, or the agents (null) */
  placement: (host: Host, masterId: string | null) => Placement;
  publish: (e: BenchEvent) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** true once stop or close has begun: start nothing */
  closed: () => boolean;
}

interface AgentProc {
  host: Host;
  prefix: string;
  handle: WorkerHandle;
}

/** short name used in worker ids: 'local', '127.0.0.2' (or '127.0.0.2_2222' when two hosts share an address) */
export function hostLabel(spec: HostSpec, all: readonly HostSpec[]): string {
  if (spec.local) return 'local';
  const clash = all.some((h) => h.name !== spec.name && h.address === spec.address);
  return clash ? `${spec.address}_${spec.port}` : spec.address;
}

/** The master ids the configuration asks for, with their host specs: [{id: 'local-m1', spec}, ...] */
export function configuredMasterIds(config: Config): { id: string; spec: HostSpec }[] {
  const all = [...config.masters, ...config.agents];
  return config.masters.flatMap((spec) => Array.from({ length: config.settings.masters }, (_, i) => ({ id: `${hostLabel(spec, all)}-m${i + 1}`, spec })));
}

export class Workers {
  /** master id -> its host and current process */
  private readonly masters = new Map<string, { host: Host; handle: WorkerHandle | null }>();
  private agentProcs: AgentProc[] = [];

  constructor(private readonly d: WorkersDeps) {}

  private get specs(): HostSpec[] {
    return [...this.d.config.masters, ...this.d.config.agents];
  }

  private label(host: Host): string {
    const spec = this.specs.find((h) => h.name === host.name)!;
    return hostLabel(spec, this.specs);
  }

  private args(kind: string[], id: string, endpoints: string[]): string[] {
    const st = this.d.config.settings;
    const args = [...kind, '--endpoints', endpoints.join(','), '--backend', st.backend, '--ttl', String(st.ttl), '--refresh', String(st.refresh)];
    args.push('--master-path', st.masterPath, '--ego-key', st.egoKey, '--ego-size', String(st.egoSize), '--id', id);
    if (st.seedKeys) args.push('--seed-keys');
    if (kind[0] === 'agents' && st.agentMode !== 'own') args.push('--agent-mode', st.agentMode);
    return args;
  }

  private onEvent = (event: WorkerEvent): void => this.d.publish({ kind: 'worker', event });

  private refuseWhenClosed(what: string): void {
    if (this.d.closed()) throw new WaitAborted(`stopped: not starting ${what}`);
  }

  /** the master ids the configuration asks for, with their hosts */
  configuredMasters(): { id: string; host: Host }[] {
    return configuredMasterIds(this.d.config).map(({ id, spec }) => ({ id, host: this.d.hosts.get(spec.name)! }));
  }

  /** the running process of master `id` */
  handleOf(id: string): WorkerHandle | null {
    return this.masters.get(id)?.handle ?? null;
  }

  hostOf(id: string): Host | null {
    return this.masters.get(id)?.host ?? null;
  }

  /** start master `id` on `host` (again, when it exited) */
  async startMaster(id: string, host: Host): Promise<WorkerHandle> {
    this.refuseWhenClosed(`master ${id}`);
    const at = this.d.placement(host, id);
    const spec = { role: 'master' as const, id, args: this.args(['master'], id, at.endpoints), ...(at.netns ? { netns: at.netns } : {}) };
    const handle = await host.startWorker(spec, this.onEvent, (line) => this.d.log('warn', `${host.name} ${id}: ${line}`));
    this.masters.set(id, { host, handle });
    this.d.publish({ kind: 'worker-started', host: host.name, role: 'master', pid: handle.pid, id, count: 1, t: now() });
    void handle.exited.then((x) => {
      this.d.publish({ kind: 'worker-exited', host: host.name, role: 'master', pid: handle.pid, id, code: x.code, signal: x.signal, t: now() });
    });
    return handle;
  }

  /** start the configured masters that do not run; returns how many were started */
  async startMasters(running: (id: string) => boolean): Promise<number> {
    let n = 0;
    for (const { id, host } of this.configuredMasters()) {
      if (running(id)) continue;
      await this.startMaster(id, host);
      n++;
    }
    return n;
  }

  /** start one agents process on every agent host that has none; returns the agents started */
  async startAgents(): Promise<number> {
    const count = this.d.config.settings.agents;
    if (count === 0) return 0;
    let n = 0;
    for (const spec of this.d.config.agents) {
      const host = this.d.hosts.get(spec.name)!;
      if (this.agentProcs.some((p) => p.host === host)) continue;
      this.refuseWhenClosed(`agents on ${host.name}`);
      const prefix = this.label(host);
      const at = this.d.placement(host, null);
      const handle = await host.startWorker({ role: 'agent', id: prefix, args: this.args(['agents', String(count)], prefix, at.endpoints) }, this.onEvent, (line) =>
        this.d.log('warn', `${host.name} agents: ${line}`),
      );
      const proc: AgentProc = { host, prefix, handle };
      this.agentProcs.push(proc);
      n += count;
      this.d.publish({ kind: 'worker-started', host: host.name, role: 'agent', pid: handle.pid, id: prefix, count, t: now() });
      void handle.exited.then((x) => {
        this.agentProcs = this.agentProcs.filter((p) => p !== proc);
        this.d.publish({ kind: 'worker-exited', host: host.name, role: 'agent', pid: handle.pid, id: prefix, code: x.code, signal: x.signal, t: now() });
      });
    }
    return n;
  }

  /** stop every worker on every host (SIGCONT first for paused ones; SIGKILL after a grace) */
  async stopAll(): Promise<void> {
    await Promise.all([...this.d.hosts.values()].map((h) => h.stopAll().catch((e: Error) => this.d.log('warn', `${h.name}: stop: ${e.message}`))));
  }
}
