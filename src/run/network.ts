/**
 * How each worker of a run reaches etcd, and the network namespaces the
 * partition fault needs. At the start it sweeps namespaces that dead runs
 * left (src/lab/), and with `fault = partition` it puts every master in a
 * namespace of its own whose veth link the fault cuts; the embedded cluster
 * then also listens on the host side of each link (and on --embedded-listen).
 *
 *   local-m1 (partition) -> {endpoints: ['http://198.18.37.1:24942', ...], netns: 'eeb-3f2a9c1b-1'}
 *   agents on root@10.0.0.7 with embedded_listen = 10.0.0.5 -> {endpoints: ['http://10.0.0.5:24942', ...]}
 *   agents on localhost -> {endpoints: ['http://127.0.0.1:24942', ...]}
 */
import type { Config } from '../config/load.ts';
import { oneLine } from '../errors.ts';
import type { Host } from '../fleet/host.ts';
import { urlOn } from '../cluster/ports.ts';
import { NetnsLab } from '../lab/lab.ts';
import { netnsUnavailable, sweepStale, type VethNs } from '../lab/netns.ts';
import { labDir } from '../lab/owner.ts';
import type { PartitionLab } from './faults.ts';
import type { Etcd } from './start-up.ts';
import { configuredMasterIds, type Placement } from './workers.ts';

export class RunNetwork {
  private lab: NetnsLab | null = null;
  private readonly byMaster = new Map<string, VethNs>();
  private settingUp: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    private readonly runId: string,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
  ) {}

  /**
   * Sweep what dead runs left (where namespaces can be made at all), then
   * make the masters' namespaces when the fault is partition. Throws a
   * BenchError when they cannot be made (nothing of them is left then).
   */
  setUp(): Promise<void> {
    this.settingUp ??= (async () => {
      if (netnsUnavailable() !== null) return;
      try {
        const gone = await sweepStale(labDir());
        if (gone.length > 0) this.log('info', `removed ${gone.length} network namespace(s)/link(s) left by runs that are gone: ${gone.join(', ')}`);
      } catch (e) {
        this.log('warn', `sweeping old network namespaces: ${oneLine(e)}`);
      }
      if (this.config.settings.fault !== 'partition') return;
      const masters = configuredMasterIds(this.config).filter((m) => m.spec.local);
      this.lab = await NetnsLab.create(this.runId, masters.length);
      masters.forEach((m, i) => this.byMaster.set(m.id, this.lab!.spaces[i]!));
      this.log('info', `${masters.length} master(s) in their own network namespace: ${masters.map((m) => `${m.id} ${this.byMaster.get(m.id)!.name}`).join(', ')}`);
    })();
    return this.settingUp;
  }

  /** Addresses the embedded cluster must also listen on: --embedded-listen and the host side of every lab link. */
  get listen(): string[] {
    const extra = this.config.settings.embeddedListen;
    return [...(extra ? [extra] : []), ...[...this.byMaster.values()].map((s) => s.hostAddr)];
  }

  /** The endpoints (and namespace) of a worker on `host`: master `masterId`, or the agents (null). */
  placement(etcd: Etcd | null, host: Host, masterId: string | null): Placement {
    const endpoints = etcd?.endpoints ?? [];
    const cluster = etcd?.cluster ?? null;
    const ns = masterId === null ? undefined : this.byMaster.get(masterId);
    if (ns && cluster) return { endpoints: cluster.endpoints.map((u) => urlOn(u, ns.hostAddr)), netns: ns.name };
    const listen = this.config.settings.embeddedListen;
    if (host.transport === 'ssh' && listen && cluster) return { endpoints: cluster.endpoints.map((u) => urlOn(u, listen)) };
    return { endpoints };
  }

  /** Cut and heal a master's link (the partition fault's hands); null without a lab. */
  partition(): PartitionLab | null {
    const lab = this.lab;
    if (!lab) return null;
    const nsOf = (id: string): string => {
      const ns = this.byMaster.get(id);
      if (!ns) throw new Error(`master ${id} runs in no network namespace of this run`);
      return ns.name;
    };
    return { cut: (id) => lab.cut(nsOf(id)), heal: (id) => lab.heal(nsOf(id)) };
  }

  /** Remove the lab (after the workers in it are stopped); idempotent, also while setUp() is still under way. */
  async close(): Promise<void> {
    await this.settingUp?.catch(() => {});
    await this.lab?.remove();
  }
}
