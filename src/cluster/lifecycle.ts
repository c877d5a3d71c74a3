/**
 * The embedded cluster as a long-lived thing an operator starts once and
 * reuses (`run --endpoints embedded` picks it up through ./state.ts): start
 * (or restart members of) the recorded cluster, read its status, stop it.
 * The `cluster` command prints what these return.
 *
 *   await startRecorded({ members: 3 }, stateFilePath(), (l) => console.error(l))  // -> ['http://127.0.0.1:23791', ...]
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { startCluster, type ClusterStatus } from './embedded.ts';
import { attachCluster, readState, removeState, stateOf, writeState, type ClusterState } from './state.ts';

export interface StartArgs {
  members?: number;
  host?: string;
  dataDir?: string;
  /** more addresses the members' client ports listen on (--embedded-listen) */
  listen?: string[];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Start the cluster and record it in `file`; when one is recorded already,
 * reuse it (restarting members that are down with their data). Resolves to
 * its endpoints; `note` gets what happened, one line at a time.
 */
export async function startRecorded(a: StartArgs, file: string, note: (line: string) => void): Promise<string[]> {
  const old = await readState(file);
  if (old) {
    const missing = (a.listen ?? []).filter((x) => !(old.listen ?? []).includes(x));
    if (missing.length > 0) throw new BenchError(`the embedded cluster started ${old.started} does not listen on ${missing.join(', ')}, and a running etcd cannot add an address: \`cluster stop\` first`);
    const cluster = attachCluster(old, { stateFile: file });
    const st = await cluster.status();
    const down = st.members.filter((m) => !m.up).map((m) => m.name);
    if (down.length === 0) {
      note(`embedded etcd cluster already running (${st.leader ? `leader ${st.leader}` : 'no leader yet'}, started ${old.started})`);
      return old.endpoints;
    }
    const restartable = await Promise.all(old.members.filter((m) => down.includes(m.name)).map((m) => exists(join(m.dataDir, 'member'))));
    if (restartable.every(Boolean)) {
      note(`restarting etcd member${down.length > 1 ? 's' : ''} ${down.join(', ')} of the embedded cluster started ${old.started}...`);
      // in parallel: with every member down, none finds a leader alone
      await Promise.all(down.map((name) => cluster.restartMember(name)));
      return old.endpoints;
    }
    if (down.length < st.members.length) {
      throw new BenchError(`embedded cluster is partly down and the data of ${down.join(', ')} is gone; run \`cluster stop\`, then \`cluster start\``);
    }
    note(`the embedded cluster started ${old.started} is gone; starting a new one`);
    await cluster.stop();
    await removeMemberData(old);
  }
  const t0 = performance.now();
  const cluster = await startCluster({ detached: true, members: a.members, host: a.host, dataDir: a.dataDir, listen: a.listen });
  try {
    await writeState(stateOf(cluster), file);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  note(`started ${cluster.members.length}-member etcd cluster in ${secs} s (data ${cluster.dataDir}, state ${file})`);
  return cluster.endpoints;
}

/** The recorded cluster and its members' status; null when none is recorded. */
export async function recordedStatus(file: string): Promise<{ state: ClusterState; status: ClusterStatus; healthy: boolean } | null> {
  const state = await readState(file);
  if (!state) return null;
  const status = await attachCluster(state, { stateFile: null }).status();
  return { state, status, healthy: status.members.every((m) => m.up) && status.leader !== null };
}

/** what `cluster start --data-dir DIR` created in DIR (a mkdtemp dir goes as a whole in stop()) */
async function removeMemberData(state: ClusterState): Promise<void> {
  if (state.ownsDataDir) return rm(state.dataDir, { recursive: true, force: true });
  for (const m of state.members) {
    await rm(m.dataDir, { recursive: true, force: true });
    await rm(join(state.dataDir, `${m.name}.log`), { force: true });
  }
}

/** Stop the recorded cluster (only pids that are still etcd with the member's data dir), remove its data and the record; null when none. */
export async function stopRecorded(file: string): Promise<ClusterState | null> {
  const state = await readState(file);
  if (!state) return null;
  await attachCluster(state, { stateFile: file }).stop();
  await removeMemberData(state);
  await removeState(file);
  return state;
}
