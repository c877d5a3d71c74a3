/**
 * The embedded default: a real N-member (3) etcd cluster on a loopback host,
 * one `etcd` process per member. This file is the facade: startCluster and
 * attachSpec, and the names the rest of the program imports. The parts:
 *
 *   spec.ts        Member, ClusterSpec, EmbeddedCluster, StartOptions (shapes)
 *   ports.ts       free ports below the ephemeral range
 *   launcher.ts    member flags, spawn, env, setpriv
 *   members.ts     alive / signal / wait dead, etcd pids in /proc
 *   health.ts      member status through src/etcd, raft leader, agreement
 *   exit-hooks.ts  members killed and data dir removed on process exit
 *   log-tail.ts    member log tails for error messages
 *   cluster.ts     the Cluster handle (kill, restart, status, stop)
 *
 * Layout of a cluster's data dir (a fresh `$TMPDIR/etcd-bench-XXXXXX` unless one is given):
 *   <dataDir>/m1/       etcd --data-dir of member m1
 *   <dataDir>/m1.log    its zap log, one JSON object per line, e.g.
 *     {"level":"info","ts":"2026-11-25T15:24:31.305Z","caller":"embed/etcd.go:566","msg":"stopping serving peer traffic"}
 *
 * Lifetimes. With `detached: false` (default) the members die with us (see
 * launcher.ts and exit-hooks.ts), and so does a data dir we made. With
 * `detached: true` (`cluster start`) they survive this process once started
 * and are found again through their pids (see state.ts, `attachSpec`). While
 * a start is under way every member and the data dir are owned: aborting
 * `signal` or exiting at any moment of it leaves neither behind.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { AbortError, BenchError } from '../errors.ts';
import { Cluster, START_TIMEOUT_MS, StartError } from './cluster.ts';
import { Ownership } from './exit-hooks.ts';
import { etcdBinary } from './launcher.ts';
import { freePorts, url } from './ports.ts';
import type { AttachHooks, ClusterSpec, EmbeddedCluster, StartOptions } from './spec.ts';

export type { AttachHooks, ClusterSpec, ClusterStatus, EmbeddedCluster, Member, MemberSignal, MemberStatus, StartOptions } from './spec.ts';
export { StartError } from './cluster.ts';
export { etcdBinary, memberArgs } from './launcher.ts';
export { etcdPidsUnder, isEtcdProcess } from './members.ts';
export { freePorts, urlOn } from './ports.ts';
export { logTail } from './log-tail.ts';

/**
 * The root of the member data dirs, owned by `owner` in the same step it is
 * made: a fresh temp dir (removed on exit), or the given one (absolute; only
 * its member dirs are removed on exit, while the start is under way).
 */
async function prepareDataDir(given: string | undefined, names: string[], owner: Ownership): Promise<string> {
  if (given === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
    owner.removeOnExit(dir);
    return dir;
  }
  // absolute: recorded in the state file and compared with /proc/PID/cmdline
  const dir = resolvePath(given);
  await mkdir(dir, { recursive: true });
  for (const name of names) {
    if (await stat(join(dir, name, 'member')).then(() => true, () => false)) {
      throw new BenchError(`${join(dir, name)} already holds an etcd member; use an empty data dir`);
    }
  }
  for (const name of names) owner.removeOnExit(join(dir, name));
  return dir;
}

interface Attempt {
  names: string[];
  host: string;
  dataDir: string;
  etcdBin: string;
  t0: number;
  owner: Ownership;
  aborted: () => Error;
}

/** Spawn the members on fresh ports until healthy; retried (3 times) when a port was taken meanwhile. */
async function startMembers(opts: StartOptions, a: Attempt): Promise<Cluster> {
  const { names, host, dataDir } = a;
  const signal = opts.signal;
  for (let attempt = 1; ; attempt++) {
    const listen = opts.listen ?? [];
    const ports = await freePorts(host, 2 * names.length, listen);
    if (signal?.aborted) throw a.aborted();
    const spec: ClusterSpec = {
      token: `etcd-bench-${randomUUID()}`,
      host,
      dataDir,
      // the cluster removes the dir only once the whole start has succeeded
      ownsDataDir: false,
      etcdBin: a.etcdBin,
      extraArgs: opts.extraArgs ?? [],
      listen,
      members: names.map((name, i) => ({ name, clientUrl: url(host, ports[2 * i]!), peerUrl: url(host, ports[2 * i + 1]!), pid: 0, dataDir: join(dataDir, name) })),
    };
    const cluster = new Cluster(spec, opts.detached ?? false, opts.onLog, {}, a.owner);
    try {
      for (const m of spec.members) {
        // onLog (called at each spawn) may have aborted
        if (signal?.aborted) throw a.aborted();
        cluster.spawnMember(m, 'new');
      }
      const left = (opts.timeoutMs ?? START_TIMEOUT_MS) - (Date.now() - a.t0);
      await cluster.waitHealthy(Math.max(left, 1000), signal, a.aborted);
      return cluster;
    } catch (e) {
      await cluster.stop(false);
      const retry = !signal?.aborted && e instanceof StartError && e.portClash && attempt < 3;
      for (const name of names) {
        await rm(join(dataDir, name), { recursive: true, force: true });
        if (retry) await rm(join(dataDir, `${name}.log`), { force: true });
      }
      if (!retry) throw e;
    }
  }
}

/**
 * Start an N-member etcd cluster on loopback and wait until it is healthy
 * (every member answers, one agreed raft leader). Throws a BenchError with
 * the tail of the member logs otherwise, or an AbortError when `signal`
 * aborts first, leaving nothing running and no data dir of ours.
 */
export async function startCluster(opts: StartOptions = {}): Promise<EmbeddedCluster> {
  const n = opts.members ?? 3;
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new BenchError(`members must be 1..9, got ${n}`);
  const signal = opts.signal;
  const aborted = () => new AbortError('embedded etcd cluster start aborted', { cause: signal?.reason });
  if (signal?.aborted) throw aborted();
  const host = opts.host ?? '127.0.0.1';
  const etcdBin = opts.etcdBin ?? etcdBinary();
  const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const ownsDataDir = opts.dataDir === undefined;
  // armed before the data dir and the first member exist
  const owner = new Ownership();
  let dataDir: string | null = null;
  try {
    dataDir = await prepareDataDir(opts.dataDir, names, owner);
    if (signal?.aborted) throw aborted();
    const cluster = await startMembers(opts, { names, host, dataDir, etcdBin, t0: Date.now(), owner, aborted });
    cluster.spec.ownsDataDir = ownsDataDir;
    if (signal?.aborted) {
      await cluster.stop();
      throw aborted();
    }
    cluster.stopOnAbort(signal);
    if (opts.detached) cluster.disown();
    else if (!ownsDataDir) for (const name of names) owner.keepOnExit(join(dataDir, name));
    return cluster;
  } catch (e) {
    if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
    owner.release();
    throw signal?.aborted ? aborted() : e;
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
