/**
 * Checks that come before anything starts (no etcd, no host, no worker yet):
 * where the results and the JSON go, whether the rounds can have a standby,
 * whether the agents fit the open-file limit, whether remote hosts can reach
 * etcd, whether the partition fault can make its namespaces here. Each
 * failure is one ConfigError naming the flag or the conf line, exit 2.
 *
 *   preflight(config, { json: 'out/', rounds: true })
 *   // ConfigError "--json: out/ is a directory: expected a file path or -"
 *   // ConfigError "conf/master-ips.conf:2: root@10.0.0.5 cannot reach the embedded cluster, which listens on loopback: set --embedded-listen ADDR ..."
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Config, HostSpec } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { openFileLimit } from '../fleet/limits.ts';
import { systemProbe, type NetnsProbe } from '../lab/netns.ts';
import { faultRow } from './faults.ts';
import { partitionRefusal } from './faults-partition.ts';

/** Sockets an own-mode agent holds (its watch connection and a share of the pool), and what a process needs besides. */
export const FDS_PER_OWN_AGENT = 2;
export const FDS_SPARE = 200;

function where(config: Config, key: keyof Config['sources']): string | undefined {
  const s = config.sources[key];
  return s === 'default' ? undefined : s;
}

/** --json FILE: not a directory, in a directory that exists and can be written. */
export function checkJsonPath(json: string | undefined, cwd = process.cwd()): void {
  checkOutputPath(json, '--json', cwd);
}

/** An output file flag (--json, --html): not a directory, in a directory that exists and can be written; "-" is stdout. */
export function checkOutputPath(path: string | undefined, flag: string, cwd = process.cwd()): void {
  if (path === undefined || path === '-') return;
  const p = resolve(cwd, path);
  if (existsSync(p) && statSync(p).isDirectory()) throw new ConfigError(`${path} is a directory: expected a file path or -`, flag);
  const parent = dirname(p);
  if (!existsSync(parent)) throw new ConfigError(`the directory ${parent} does not exist`, flag);
  try {
    accessSync(parent, constants.W_OK);
    if (existsSync(p)) accessSync(p, constants.W_OK);
  } catch {
    throw new ConfigError(`${path} cannot be written (permission denied)`, flag);
  }
}

/** The results directory exists (made here) and can be written. */
export function checkOutDir(config: Config): void {
  const out = config.settings.out;
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of it is a file' : (code ?? (e as Error).message);
    throw new ConfigError(`cannot write results to ${out}: ${why}`, where(config, 'out') ?? '--out');
  }
}

/** Rounds of the configured fault need a standby: at least 2 masters in all. */
export function checkStandby(config: Config): void {
  const st = config.settings;
  if (!faultRow(st.fault).needsStandby) return;
  const total = st.masters * config.masters.length;
  if (total >= 2) return;
  throw new ConfigError(
    `the ${st.fault} fault needs a standby, but masters = ${st.masters} on ${config.masters.length} master host(s) runs ${total}: use --masters 2 or more`,
    where(config, 'masters') ?? '--masters',
  );
}

/** Agents on the control node itself must fit its open-file limit (remote hosts check theirs when they start). */
export function checkLocalFds(config: Config, limit: number | null = openFileLimit()): void {
  const st = config.settings;
  if (limit === null || st.agentMode !== 'own') return;
  const localAgentHosts = config.agents.filter((h) => h.local).length;
  if (localAgentHosts === 0 || st.agents === 0) return;
  const need = localAgentHosts * st.agents * FDS_PER_OWN_AGENT + FDS_SPARE;
  if (need <= limit) return;
  const fit = Math.max(0, Math.floor((limit - FDS_SPARE) / FDS_PER_OWN_AGENT / localAgentHosts));
  throw new ConfigError(
    `${st.agents} own-mode agents on this host need about ${need} open files (2 sockets each), but ulimit -n is ${limit}: use at most ${fit}, raise the limit, or spread them over more hosts`,
    where(config, 'agents') ?? '--agents',
  );
}

/** A host at a loopback address runs on this machine: it reaches the control node's 127.0.0.1. */
export function onThisMachine(h: HostSpec): boolean {
  return h.local || h.address === 'localhost' || h.address === '::1' || (isIPv4(h.address) && h.address.startsWith('127.'));
}

/** The IP addresses of this machine's interfaces now. */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((xs) => (xs ?? []).map((x) => x.address));
}

/**
 * Remote hosts must reach etcd. The embedded cluster listens on loopback,
 * which on a remote host is that host itself: with a remote host it also
 * needs --embedded-listen, an address of this machine. Loopback endpoints
 * with a remote host reach only through a tunnel: a warning.
 */
export function checkEtcdReach(config: Config, local: readonly string[] = machineAddresses()): void {
  const st = config.settings;
  const remote = [...config.masters, ...config.agents].find((h) => !onThisMachine(h));
  if (st.endpoints === 'embedded') {
    const listen = st.embeddedListen;
    // Linux answers on all of 127.0.0.0/8 (lo lists only 127.0.0.1)
    if (listen !== null && !local.includes(listen) && !(isIPv4(listen) && listen.startsWith('127.'))) {
      throw new ConfigError(`${listen} is not an address of this machine (it has ${local.join(', ')})`, where(config, 'embeddedListen') ?? '--embedded-listen');
    }
    if (remote && listen === null) {
      throw new ConfigError(
        `${remote.name} cannot reach the embedded cluster, which listens on loopback only: set --embedded-listen ADDR (embedded_listen in bench.conf), an address of this machine the hosts reach`,
        `${remote.file}:${remote.line}`,
      );
    }
    return;
  }
  const loop = st.endpoints.find((e) => /^https?:\/\/(127\.|localhost|\[::1\])/.test(e));
  if (remote && loop) config.warnings.push(`${remote.name} is remote but the endpoint ${loop} is loopback: the host reaches its own ${new URL(loop).hostname}, which is right only through a tunnel`);
}

/**
 * The partition fault runs every master in a network namespace of this
 * machine (root, iproute2, local masters), made when the session starts: so
 * checked for the console too, not only for `run`'s rounds.
 */
export function checkPartition(config: Config, probe: NetnsProbe = systemProbe): void {
  if (config.settings.fault !== 'partition') return;
  const why = partitionRefusal(config, probe);
  if (why) throw new ConfigError(why, where(config, 'fault') ?? '--fault');
}

/** Everything a command can check before it starts anything. */
export function preflight(config: Config, o: { json?: string; rounds: boolean }): void {
  checkJsonPath(o.json);
  checkPartition(config);
  checkOutDir(config);
  if (o.rounds) checkStandby(config);
  checkLocalFds(config);
  checkEtcdReach(config);
}
