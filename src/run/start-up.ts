/**
 * What a session brings up before any worker runs: etcd (the embedded
 * cluster, started or reused, or the configured endpoints, checked), the
 * control node's own `/master` watch and raft-leader poll, and the hosts
 * (connected, deployed, clocks measured). Each piece is handed to the session
 * as soon as it exists, so close() tears down whatever came up, even mid-way.
 *
 *   {kind: 'cluster', state: 'up', endpoints: ['http://127.0.0.1:23791', ...], t}
 *   {kind: 'host', host: 'root@127.0.0.2:2222', state: 'up', nodeVersion: 'v20.19.0', clockOffsetMs: -0.05, ...}
 */
import { now } from '../clock.ts';
import type { Config, HostSpec } from '../config/load.ts';
import { BenchError, ConfigError, oneLine } from '../errors.ts';
import type { BenchEvent, HostReport, Role } from '../events.ts';
import { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { sleep } from '../election/common.ts';
import { observeMaster } from '../election/observer.ts';
import type { Host } from '../fleet/host.ts';
import { LocalHost } from '../fleet/local-host.ts';
import { connectAll, SshHost } from '../fleet/ssh/index.ts';
import { startCluster, type EmbeddedCluster } from '../cluster/embedded.ts';
import { attachCluster, runningCluster } from '../cluster/state.ts';

export interface Etcd {
  endpoints: string[];
  v3: EtcdV3;
  v2: EtcdV2;
  /** the embedded cluster (started for this run, or reused from `cluster start`) */
  cluster: EmbeddedCluster | null;
  /** this run started the cluster: it stops it at close */
  owned: boolean;
}

type Publish = (e: BenchEvent) => void;

/**
 * A cluster `cluster start` left running must already listen on every
 * address this run needs (--embedded-listen, the partition fault's links):
 * a running etcd cannot add one.
 */
function checkReused(config: Config, has: readonly string[], listen: readonly string[]): void {
  const st = config.settings;
  const missing = listen.filter((a) => !has.includes(a));
  if (missing.length === 0) return;
  if (st.embeddedListen !== null && missing.includes(st.embeddedListen)) {
    const where = config.sources.embeddedListen === 'default' ? '--embedded-listen' : config.sources.embeddedListen;
    throw new ConfigError(`the cluster \`cluster start\` left running does not listen on ${st.embeddedListen}: \`cluster stop\` it, or \`cluster start --embedded-listen ${st.embeddedListen}\``, where);
  }
  const where = config.sources.fault === 'default' ? '--fault' : config.sources.fault;
  throw new ConfigError('the partition fault needs an embedded cluster of its own run (it listens on the links of the masters\' network namespaces): `cluster stop` the one `cluster start` left running', where);
}

/**
 * Start or reuse etcd: `given` (an embedded cluster someone else owns, e.g.
 * the sweep's one cluster for all its points), the one `cluster start` left
 * running, a new one (owned: stopped at close), or the configured endpoints.
 * An embedded cluster also listens on the addresses in `listen` (each an
 * address of this machine): a new one is started so, one that runs must already.
 */
export async function openEtcd(
  config: Config,
  signal: AbortSignal,
  publish: Publish,
  log: (m: string) => void,
  onClusterLog?: (line: string) => void,
  given?: EmbeddedCluster,
  listen: string[] = [],
): Promise<Etcd> {
  const st = config.settings;
  let cluster: EmbeddedCluster | null = null;
  let owned = false;
  let endpoints: string[];
  if (given) {
    checkReused(config, given.spec.listen ?? [], listen);
    cluster = given;
    endpoints = given.endpoints;
  } else if (st.endpoints === 'embedded') {
    const running = await runningCluster().catch(() => null);
    if (running) {
      checkReused(config, running.state.listen ?? [], listen);
      cluster = attachCluster(running.state);
      endpoints = running.endpoints;
      log(`using the cluster started by \`cluster start\`: ${endpoints.join(',')}`);
    } else {
      publish({ kind: 'cluster', state: 'starting', endpoints: [], t: now() });
      publish({ kind: 'progress', step: 'etcd cluster', done: 0, total: 3, t: now() });
      // the signal may stop the start; once up, close() stops the cluster itself, after the workers have let go
      // (a cluster stopped with the signal would go down under the masters' release)
      const starting = new AbortController();
      const relay = () => starting.abort(signal.reason);
      if (signal.aborted) relay();
      signal.addEventListener('abort', relay, { once: true });
      try {
        cluster = await startCluster({ signal: starting.signal, onLog: onClusterLog, listen });
      } finally {
        signal.removeEventListener('abort', relay);
      }
      owned = true;
      endpoints = cluster.endpoints;
      publish({ kind: 'progress', step: 'etcd cluster', done: 3, total: 3, t: now() });
    }
  } else endpoints = st.endpoints;
  const transport = new Transport(endpoints);
  const etcd: Etcd = { endpoints, v3: new EtcdV3(transport), v2: new EtcdV2(transport), cluster, owned };
  if (st.endpoints !== 'embedded' && !given) {
    // a wrong endpoint is bad input: say so now, not as "no master was elected" later
    await etcd.v3.status(signal).catch((e) => {
      throw new ConfigError(`etcd does not answer at ${endpoints.join(',')}: ${oneLine(e)}`, config.sources.endpoints);
    });
  }
  return etcd;
}

/** The header's raft leader and revision, every second, and the `/master` watch tail, until the signal aborts. */
export function watchEtcd(etcd: Etcd, config: Config, signal: AbortSignal, publish: Publish, warn: (m: string) => void): void {
  void pollCluster(etcd, signal, publish);
  void observeMaster(config.settings.backend, config.settings.masterPath, etcd.v3, etcd.v2, signal, (line) => publish({ kind: 'watch', line }), (e) =>
    warn(`master watch: ${oneLine(e)}`),
  );
}

async function pollCluster(etcd: Etcd, signal: AbortSignal, publish: Publish): Promise<void> {
  while (!signal.aborted) {
    try {
      const st = etcd.cluster ? await etcd.cluster.status() : await etcd.v3.status(signal);
      const leader = st.leader || null;
      publish({ kind: 'cluster', state: leader ? 'up' : 'error', endpoints: etcd.endpoints, leader, revision: st.revision, t: now() });
    } catch (e) {
      if (signal.aborted) return;
      publish({ kind: 'cluster', state: 'error', endpoints: etcd.endpoints, message: oneLine(e), t: now() });
    }
    await sleep(1000, signal);
  }
}

export function rolesOf(config: Config, name: string): Role[] {
  const roles: Role[] = [];
  if (config.masters.some((h) => h.name === name)) roles.push('master');
  if (config.agents.some((h) => h.name === name)) roles.push('agent');
  return roles;
}

export interface HostOptions {
  acceptNewHostKeys?: boolean;
  /** make a Host for a conf line (tests pass their own SSH options) */
  hostFactory?: (spec: HostSpec) => Host;
}

export function makeHost(config: Config, spec: HostSpec, o: HostOptions): Host {
  if (o.hostFactory) return o.hostFactory(spec);
  if (spec.local) return new LocalHost(spec.name);
  return new SshHost(
    { name: spec.name, user: spec.user, address: spec.address, port: spec.port },
    { identity: config.settings.identity ?? undefined, knownHosts: config.settings.knownHosts ?? undefined, acceptNewHostKeys: o.acceptNewHostKeys },
  );
}

/**
 * Connect every host in `hosts` (bounded parallel), measure each clock in its
 * own lane; a host that fails stops the session with its own error (an
 * SshError keeps exit code 2 for host keys, auth, a missing node).
 */
export async function connectHosts(config: Config, hosts: Host[], signal: AbortSignal, publish: Publish, reports: Map<string, HostReport>): Promise<void> {
  for (const host of hosts) publish({ kind: 'host', host: host.name, roles: rolesOf(config, host.name), transport: host.transport, state: 'connecting', t: now() });
  let done = 0;
  const failures: unknown[] = [];
  await connectAll(hosts, {
    signal,
    onOutcome: async (o) => {
      const { host } = o;
      const base = { kind: 'host' as const, host: host.name, roles: rolesOf(config, host.name), transport: host.transport };
      try {
        if (!o.ok) throw o.error;
        const clock = await host.measureClock(8);
        const report: HostReport = { host: host.name, roles: base.roles, transport: host.transport, nodeVersion: o.info.nodeVersion, clockOffsetMs: clock.offsetMs, clockUncertaintyMs: clock.uncertaintyMs };
        reports.set(host.name, report);
        publish({ ...base, state: 'up', nodeVersion: report.nodeVersion, clockOffsetMs: clock.offsetMs, clockUncertaintyMs: clock.uncertaintyMs, t: now() });
      } catch (e) {
        failures.push(e);
        publish({ ...base, state: 'unreachable', message: oneLine(e), t: now() });
      }
      publish({ kind: 'progress', step: 'hosts', done: ++done, total: hosts.length, t: now() });
    },
  });
  signal.throwIfAborted();
  const first = failures[0];
  if (first) throw first instanceof BenchError ? first : new BenchError(oneLine(first), { cause: first });
}
