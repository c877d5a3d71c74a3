/**
 * `etcd-election-bench cluster start|stop|status`:
 *
 *   cluster start [--members N] [--host ADDR] [--embedded-listen ADDR] [--data-dir DIR]
 *       --embedded-listen: the client ports also listen on ADDR (for runs with remote hosts)
 *       stdout: one line, the endpoints, comma-separated; progress on stderr.
 *       Already running: says so and prints its endpoints. Members down with
 *       their data left: restarts them. Exit 0, 1 when it cannot start.
 *   cluster status [--json]   members up/down, leader, revision; 0 healthy, 1 down/partial/none
 *   cluster stop              kill the recorded etcd pids (checked in /proc), remove data and state; 0
 *   usage errors: one line on stderr, exit 2
 */
import { UsageError } from '../errors.ts';
import { parseSetting } from '../config/settings.ts';
import type { ClusterStatus } from '../cluster/embedded.ts';
import { recordedStatus, startRecorded, stopRecorded } from '../cluster/lifecycle.ts';
import { stateFilePath, type ClusterState } from '../cluster/state.ts';
import { parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

export const USAGE = 'usage: etcd-election-bench cluster start [--members N] [--host ADDR] [--embedded-listen ADDR] [--data-dir DIR] | status [--json] | stop';

const OPTIONS = {
  members: { type: 'string' },
  host: { type: 'string' },
  'embedded-listen': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  const { values, positionals } = parseFlags(argv, OPTIONS, 'cluster');
  if (values.help) return null;
  const [sub, ...rest] = positionals;
  if (sub === undefined) throw new UsageError(`cluster: missing subcommand; ${USAGE}`);
  if (sub !== 'start' && sub !== 'stop' && sub !== 'status') throw new UsageError(`cluster: unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
  if (rest.length) throw new UsageError(`cluster: unexpected argument ${JSON.stringify(rest[0])}; ${USAGE}`);
  if (sub !== 'start' && (values.members || values.host || values['data-dir'] || values['embedded-listen'])) {
    throw new UsageError(`cluster: --members/--host/--embedded-listen/--data-dir belong to cluster start; ${USAGE}`);
  }
  if (sub !== 'status' && values.json) throw new UsageError(`cluster: --json belongs to cluster status; ${USAGE}`);
  let members: number | undefined;
  if (values.members !== undefined) {
    members = Number(values.members);
    if (!Number.isInteger(members) || members < 1 || members > 9) throw new UsageError(`cluster: --members must be 1..9, got ${JSON.stringify(values.members)}; ${USAGE}`);
  }
  const extra = values['embedded-listen'] === undefined ? null : parseSetting('embeddedListen', values['embedded-listen'], '--embedded-listen', { baseDir: process.cwd() });
  return { sub, json: values.json ?? false, members, host: values.host, dataDir: values['data-dir'], listen: extra ? [extra] : [] };
}

export function formatStatus(state: ClusterState, st: ClusterStatus): string[] {
  const up = st.members.filter((m) => m.up).length;
  const health = up === st.members.length && st.leader ? 'healthy' : up === 0 ? 'down' : 'partial';
  const urlWidth = Math.max(...st.members.map((m) => m.clientUrl.length));
  return [
    `embedded etcd cluster: ${health} (${up}/${st.members.length} up), started ${state.started}, data ${state.dataDir}`,
    ...st.members.map((m) => `  ${m.name.padEnd(3)} ${m.clientUrl.padEnd(urlWidth)}  pid ${String(m.pid).padEnd(7)} ${(m.up ? 'up' : 'down').padEnd(4)}${m.leader ? '  leader' : ''}`.trimEnd()),
    st.leader ? `leader ${st.leader}, revision ${st.revision ?? '?'}` : 'no leader',
    ...((state.listen ?? []).length > 0 ? [`client ports also listen on ${state.listen!.join(', ')}`] : []),
  ];
}

/** `argv` is what follows `cluster`. Resolves to the exit code; errors are thrown (the CLI prints them). */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const a = parse(argv);
  if (!a) {
    io.out(USAGE);
    return 0;
  }
  const file = stateFilePath();
  if (a.sub === 'start') {
    io.out((await startRecorded(a, file, io.err)).join(','));
    return 0;
  }
  if (a.sub === 'status') {
    const r = await recordedStatus(file);
    if (!r) {
      io.out(a.json ? JSON.stringify({ running: false, stateFile: file }) : `no embedded etcd cluster started (no ${file}); start one with: etcd-election-bench cluster start`);
      return 1;
    }
    const { state, status, healthy } = r;
    if (a.json) io.out(JSON.stringify({ running: true, healthy, endpoints: state.endpoints, dataDir: state.dataDir, started: state.started, ...status }));
    else for (const line of formatStatus(state, status)) io.out(line);
    return healthy ? 0 : 1;
  }
  const state = await stopRecorded(file);
  io.out(state ? `stopped embedded etcd cluster (${state.members.length} members), removed ${state.ownsDataDir ? state.dataDir : `member data in ${state.dataDir}`}` : 'no embedded etcd cluster to stop');
  return 0;
}
