/**
 * The record of a cluster started by `cluster start` (detached members that
 * outlive the CLI), and handles on it for later commands and for
 * `run --endpoints embedded`. Owns the state file:
 *
 *   $ETCD_BENCH_STATE_DIR/cluster.json                       (tests)
 *   ${XDG_STATE_HOME:-~/.local/state}/etcd-election-bench/cluster.json
 *
 *   {"version":1,"started":"2026-11-25T15:26:53.643Z",
 *    "endpoints":["http://127.0.0.1:24942","http://127.0.0.1:27852","http://127.0.0.1:11544"],
 *    "dataDir":"/tmp/etcd-bench-Xc1q2L","ownsDataDir":true,"host":"127.0.0.1",
 *    "token":"etcd-bench-6f0c...","etcdBin":"/usr/bin/etcd","extraArgs":[],
 *    "members":[{"name":"m1","clientUrl":"http://127.0.0.1:24942","peerUrl":"http://127.0.0.1:11290",
 *                "pid":6276,"dataDir":"/tmp/etcd-bench-Xc1q2L/m1"}, ...]}
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BenchError } from '../errors.ts';
import { attachSpec, type ClusterSpec, type EmbeddedCluster } from './embedded.ts';

export interface ClusterState extends ClusterSpec {
  version: 1;
  /** ISO time of `cluster start` */
  started: string;
  endpoints: string[];
}

/** Directory of the state file (not created here). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ETCD_BENCH_STATE_DIR) return env.ETCD_BENCH_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'etcd-election-bench');
}

export function stateFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'cluster.json');
}

export function stateOf(cluster: EmbeddedCluster, started: Date = new Date()): ClusterState {
  return {
    version: 1,
    started: started.toISOString(),
    endpoints: [...cluster.endpoints],
    ...structuredClone(cluster.spec),
  };
}

function isState(x: unknown): x is ClusterState {
  const o = x as Partial<ClusterState> | null;
  return (
    !!o &&
    o.version === 1 &&
    Array.isArray(o.endpoints) &&
    Array.isArray(o.members) &&
    o.members.every((m) => typeof m?.name === 'string' && typeof m.pid === 'number' && typeof m.dataDir === 'string' && typeof m.clientUrl === 'string' && typeof m.peerUrl === 'string') &&
    typeof o.dataDir === 'string' &&
    typeof o.token === 'string' &&
    typeof o.etcdBin === 'string'
  );
}

/** The recorded cluster, or null when none was started. A file we cannot read is a BenchError naming it. */
export async function readState(file: string = stateFilePath()): Promise<ClusterState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BenchError(`cannot read ${file}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BenchError(`${file} is not JSON; remove it if no cluster runs`, { cause: e });
  }
  if (!isState(parsed)) throw new BenchError(`${file} is not an embedded cluster record; remove it if no cluster runs`);
  return { ...parsed, extraArgs: parsed.extraArgs ?? [], listen: parsed.listen ?? [], host: parsed.host ?? '127.0.0.1', ownsDataDir: parsed.ownsDataDir ?? false };
}

/** Write atomically (temp file + rename). */
export async function writeState(state: ClusterState, file: string = stateFilePath()): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeState(file: string = stateFilePath()): Promise<void> {
  await rm(file, { force: true });
}

/**
 * A handle on the recorded cluster: leader/status/killMember/restartMember/stop.
 * With a `stateFile` (default: the usual one; null: none), a restart records
 * the new pid there and stop() removes the file.
 */
export function attachCluster(state: ClusterState, opts: { stateFile?: string | null } = {}): EmbeddedCluster {
  const file = opts.stateFile === undefined ? stateFilePath() : opts.stateFile;
  const spec: ClusterSpec = structuredClone({
    token: state.token,
    host: state.host,
    dataDir: state.dataDir,
    ownsDataDir: state.ownsDataDir,
    etcdBin: state.etcdBin,
    extraArgs: state.extraArgs,
    listen: state.listen ?? [],
    members: state.members,
  });
  // the file may meanwhile record another cluster (stop + start elsewhere): leave that one alone
  const stillOurs = async (f: string) => (await readState(f).catch(() => null))?.token === state.token;
  // restarts may run in parallel: write one after the other, each with the latest pids
  let writes: Promise<void> = Promise.resolve();
  const persist = (f: string, members: ClusterSpec['members']) => {
    const next = writes.then(async () => {
      if (await stillOurs(f)) await writeState({ ...state, members: structuredClone(members) }, f);
    });
    writes = next.catch(() => {});
    return next;
  };
  return attachSpec(spec, {
    onMembersChanged: file ? (members) => persist(file, members) : undefined,
    onStopped: file
      ? async () => {
          if (await stillOurs(file)) await removeState(file);
        }
      : undefined,
  });
}

/**
 * The cluster `cluster start` left running, if it has a raft leader now
 * (usable, even with a member down); null otherwise. For `run --endpoints embedded`.
 */
export async function runningCluster(file: string = stateFilePath()): Promise<{ endpoints: string[]; state: ClusterState } | null> {
  let state: ClusterState | null;
  try {
    state = await readState(file);
  } catch {
    return null;
  }
  if (!state) return null;
  const status = await attachCluster(state, { stateFile: null }).status();
  return status.leader ? { endpoints: state.endpoints, state } : null;
}
