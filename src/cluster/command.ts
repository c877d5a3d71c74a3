/**
 * `etcd-election-bench cluster start|stop|status`: the embedded cluster as a
 * long-lived thing an operator starts once and reuses (`run --endpoints
 * embedded` picks it up through state.ts). Owns the wording and exit codes:
 *
 *   cluster start [--members N] [--host ADDR] [--data-dir DIR]
 *       stdout: one line, the endpoints, comma-separated; progress on stderr.
 *       Already running: says so and prints its endpoints. Members down with
 *       their data left: restarts them. Exit 0, 1 when it cannot start.
 *   cluster status [--json]   members up/down, leader, revision; 0 healthy, 1 down/partial/none
 *   cluster stop              kill the recorded etcd pids (checked in /proc), remove data and state; 0
 *   usage errors: one line on stderr, exit 2
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError, oneLine } from '../errors.ts';
import { startCluster, type ClusterStatus } from './embedded.ts';
import { attachCluster, readState, removeState, stateFilePath, stateOf, writeState, type ClusterState } from './state.ts';

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: CommandIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

const USAGE = 'usage: etcd-election-bench cluster start [--members N] [--host ADDR] [--data-dir DIR] | status [--json] | stop';

class UsageError extends Error {}

/** `argv` is what follows `cluster` (a leading "cluster" is skipped too). Resolves to the exit code. */
export async function clusterCommand(argv: string[], io: CommandIo = stdio): Promise<number> {
  const args = argv[0] === 'cluster' ? argv.slice(1) : argv;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    io.err(`cluster: ${e instanceof Error ? e.message : String(e)}; ${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const file = stateFilePath();
  try {
    switch (parsed.sub) {
      case 'start':
        return await start(parsed, file, io);
      case 'status':
        return await status(parsed.json, file, io);
      case 'stop':
        return await stop(file, io);
      default:
        return 2;
    }
  } catch (e) {
    // a start failure carries the members' log tails: worth its lines
    io.err(e instanceof BenchError ? e.message : oneLine(e));
    return e instanceof BenchError ? e.exitCode : 1;
  }
}

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      members: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true as const, sub: 'status' as const, json: false };
  const [sub, ...rest] = positionals;
  if (sub === undefined) throw new UsageError('missing subcommand');
  if (sub !== 'start' && sub !== 'stop' && sub !== 'status') throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
  if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (sub !== 'start' && (values.members || values.host || values['data-dir'])) throw new UsageError(`--members/--host/--data-dir belong to cluster start`);
  if (sub !== 'status' && values.json) throw new UsageError('--json belongs to cluster status');
  let members: number | undefined;
  if (values.members !== undefined) {
    members = Number(values.members);
    if (!Number.isInteger(members) || members < 1 || members > 9) throw new UsageError(`--members must be 1..9, got ${JSON.stringify(values.members)}`);
  }
  return { help: false as const, sub, json: values.json ?? false, members, host: values.host, dataDir: values['data-dir'] };
}

type StartArgs = { members?: number; host?: string; dataDir?: string };

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function start(a: StartArgs, file: string, io: CommandIo): Promise<number> {
  const old = await readState(file);
  if (old) {
    const cluster = attachCluster(old, { stateFile: file });
    const st = await cluster.status();
    const down = st.members.filter((m) => !m.up).map((m) => m.name);
    if (down.length === 0) {
      io.err(`embedded etcd cluster already running (${st.leader ? `leader ${st.leader}` : 'no leader yet'}, started ${old.started})`);
      io.out(old.endpoints.join(','));
      return 0;
    }
    const restartable = await Promise.all(old.members.filter((m) => down.includes(m.name)).map((m) => exists(join(m.dataDir, 'member'))));
    if (restartable.every(Boolean)) {
      io.err(`restarting etcd member${down.length > 1 ? 's' : ''} ${down.join(', ')} of the embedded cluster started ${old.started}...`);
      // in parallel: with every member down, none finds a leader alone
      await Promise.all(down.map((name) => cluster.restartMember(name)));
      io.out(old.endpoints.join(','));
      return 0;
    }
    if (down.length < st.members.length) {
      throw new BenchError(`embedded cluster is partly down and the data of ${down.join(', ')} is gone; run \`cluster stop\`, then \`cluster start\``);
    }
    io.err(`the embedded cluster started ${old.started} is gone; starting a new one`);
    await cluster.stop();
    await removeMemberData(old);
  }
  const t0 = performance.now();
  const cluster = await startCluster({ detached: true, members: a.members, host: a.host, dataDir: a.dataDir });
  try {
    await writeState(stateOf(cluster), file);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  io.err(`started ${cluster.members.length}-member etcd cluster in ${secs} s (data ${cluster.dataDir}, state ${file})`);
  io.out(cluster.endpoints.join(','));
  return 0;
}

export function formatStatus(state: ClusterState, st: ClusterStatus): string[] {
  const up = st.members.filter((m) => m.up).length;
  const health = up === st.members.length && st.leader ? 'healthy' : up === 0 ? 'down' : 'partial';
  const urlWidth = Math.max(...st.members.map((m) => m.clientUrl.length));
  return [
    `embedded etcd cluster: ${health} (${up}/${st.members.length} up), started ${state.started}, data ${state.dataDir}`,
    ...st.members.map((m) => `  ${m.name.padEnd(3)} ${m.clientUrl.padEnd(urlWidth)}  pid ${String(m.pid).padEnd(7)} ${(m.up ? 'up' : 'down').padEnd(4)}${m.leader ? '  leader' : ''}`.trimEnd()),
    st.leader ? `leader ${st.leader}, revision ${st.revision ?? '?'}` : 'no leader',
  ];
}

async function status(json: boolean, file: string, io: CommandIo): Promise<number> {
  const state = await readState(file);
  if (!state) {
    if (json) io.out(JSON.stringify({ running: false, stateFile: file }));
    else io.out(`no embedded etcd cluster started (no ${file}); start one with: etcd-election-bench cluster start`);
    return 1;
  }
  const st = await attachCluster(state, { stateFile: null }).status();
  const healthy = st.members.every((m) => m.up) && st.leader !== null;
  if (json) io.out(JSON.stringify({ running: true, healthy, endpoints: state.endpoints, dataDir: state.dataDir, started: state.started, ...st }));
  else for (const line of formatStatus(state, st)) io.out(line);
  return healthy ? 0 : 1;
}

/** what `cluster start --data-dir DIR` created in DIR (a mkdtemp dir goes as a whole in stop()) */
async function removeMemberData(state: ClusterState): Promise<void> {
  if (state.ownsDataDir) return rm(state.dataDir, { recursive: true, force: true });
  for (const m of state.members) {
    await rm(m.dataDir, { recursive: true, force: true });
    await rm(join(state.dataDir, `${m.name}.log`), { force: true });
  }
}

async function stop(file: string, io: CommandIo): Promise<number> {
  const state = await readState(file);
  if (!state) {
    io.out('no embedded etcd cluster to stop');
    return 0;
  }
  // stop() signals only pids that are still etcd with the member's data dir
  await attachCluster(state, { stateFile: file }).stop();
  await removeMemberData(state);
  await removeState(file);
  io.out(`stopped embedded etcd cluster (${state.members.length} members), removed ${state.ownsDataDir ? state.dataDir : `member data in ${state.dataDir}`}`);
  return 0;
}
