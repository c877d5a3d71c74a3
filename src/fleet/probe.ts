/**
 * Probe the configured hosts for `hosts`: every configured host (masters and agents),
 * whether it is reachable or exactly why not, its node version, its clock
 * offset ± uncertainty, and the worker version deployed there. Connects in
 * parallel (bounded), measures, then closes; starts no worker.
 *
 *   HOST                  ROLES         VIA    STATE  NODE      CLOCK OFFSET         WORKER
 *   localhost             master        local  up     v20.20.2  +0.000 ± 0.000 ms    1fe796e1302db7dd (local)
 *   root@127.0.0.2:2222   master,agent  ssh    up     v20.20.2  +0.012 ± 0.210 ms    1fe796e1302db7dd (uploaded)
 *   root@10.0.0.9         agent         ssh    DOWN   —         —                    —
 *
 *   root@10.0.0.9 (conf/agent-ips.conf:3): root@10.0.0.9: connection refused by 10.0.0.9:22 (is sshd running on port 22?)
 *   2 of 3 hosts up
 *
 * `--json` prints `{ok, hosts: [HostStatus]}` instead. Exit 0 when every host
 * is up (reachable and its clock measured), else 1.
 */
import type { Config } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import { oneLine } from '../errors.ts';
import type { Role } from '../events.ts';
import { workerBundle } from './bundle.ts';
import type { Host } from './host.ts';
import { LocalHost } from './local-host.ts';
import { SshHost, connectAll } from './ssh/index.ts';

type HostSpec = Config['masters'][number];

/** What the command needs of the configuration. */
export type HostsConfig = Pick<Config, 'masters' | 'agents'> & { settings: Pick<Settings, 'identity' | 'knownHosts'> };

export interface HostStatus {
  host: string;
  roles: Role[];
  transport: 'local' | 'ssh';
  /** conf file:line the host came from */
  where: string;
  /** reachable, node fine, worker deployed, clock measured */
  ok: boolean;
  reachable: boolean;
  /** why not ok, one line; null when ok */
  reason: string | null;
  nodeVersion: string | null;
  clockOffsetMs: number | null;
  clockUncertaintyMs: number | null;
  workerHash: string | null;
  /** 'uploaded' now, 'cached' (already there), 'local' (runs from the control node) */
  deployed: 'uploaded' | 'cached' | 'local' | null;
  connectMs: number | null;
}

export interface HostsCommandOptions {
  /** true or '-': JSON on stdout; another string: write the JSON to that file */
  json?: boolean | string;
  acceptNewHostKeys?: boolean;
  concurrency?: number;
  /** clock ping-pong samples per host (>= 8) */
  samples?: number;
  signal?: AbortSignal;
  /** where output goes (default process.stdout) */
  write?: (text: string) => void;
  /** how a conf host becomes a Host (default LocalHost / SshHost from the settings) */
  hostFactory?: (spec: HostSpec) => Host;
}

function defaultFactory(config: HostsConfig, opts: HostsCommandOptions): (spec: HostSpec) => Host {
  return (spec) =>
    spec.local
      ? new LocalHost(spec.name)
      : new SshHost(spec, {
          identity: config.settings.identity ?? undefined,
          knownHosts: config.settings.knownHosts ?? undefined,
          acceptNewHostKeys: opts.acceptNewHostKeys,
        });
}

/** Connect, check and measure every configured host; never throws for a host's failure. */
export async function probeHosts(config: HostsConfig, opts: HostsCommandOptions = {}): Promise<HostStatus[]> {
  const specs = new Map<string, { spec: HostSpec; roles: Role[] }>();
  for (const [list, role] of [
    [config.masters, 'master'],
    [config.agents, 'agent'],
  ] as const) {
    for (const spec of list) {
      const entry = specs.get(spec.name) ?? { spec, roles: [] };
      if (!entry.roles.includes(role)) entry.roles.push(role);
      specs.set(spec.name, entry);
    }
  }
  const make = opts.hostFactory ?? defaultFactory(config, opts);
  const entries = [...specs.values()];
  const hosts = entries.map(({ spec }) => make(spec));
  try {
    const outcomes = await connectAll(hosts, { concurrency: opts.concurrency ?? 8, signal: opts.signal });
    return await Promise.all(
      outcomes.map(async (o, i): Promise<HostStatus> => {
        const { spec, roles } = entries[i];
        const base: HostStatus = {
          host: spec.name,
          roles,
          transport: o.host.transport,
          where: spec.line > 0 ? `${spec.file}:${spec.line}` : spec.file,
          ok: false,
          reachable: o.ok,
          reason: o.ok ? null : o.reason,
          nodeVersion: o.ok ? o.info.nodeVersion : null,
          clockOffsetMs: null,
          clockUncertaintyMs: null,
          workerHash: null,
          deployed: null,
          connectMs: o.ok ? Math.round(o.ms) : null,
        };
        if (!o.ok) return base;
        if (o.host instanceof SshHost && o.host.deployed) {
          base.workerHash = o.host.deployed.hash;
          base.deployed = o.host.deployed.uploaded ? 'uploaded' : 'cached';
        } else if (o.host.transport === 'local') {
          base.workerHash = (await workerBundle()).hash;
          base.deployed = 'local';
        }
        try {
          const clock = await o.host.measureClock(Math.max(8, opts.samples ?? 8));
          base.clockOffsetMs = clock.offsetMs;
          base.clockUncertaintyMs = clock.uncertaintyMs;
          base.ok = true;
        } catch (e) {
          base.reason = oneLine(e);
        }
        return base;
      }),
    );
  } finally {
    await Promise.allSettled(hosts.map((h) => h.close()));
  }
}

