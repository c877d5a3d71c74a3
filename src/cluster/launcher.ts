/**
 * Starting one etcd member: its flags, its environment and how it is tied to
 * our lifetime. Non-detached members run in their own process group (a
 * Ctrl-C at the terminal does not reach them before we have cleaned up; we
 * kill the group) under `setpriv --pdeathsig KILL` where setpriv exists (a
 * SIGKILL of this process takes them along); their stdout/stderr go to
 * `<dataDir>/<name>.log` and to onLog. Detached members (`cluster start`)
 * get their own session and write the log file directly.
 *
 *   setpriv --pdeathsig KILL /usr/bin/etcd --name=m1 --data-dir=/tmp/etcd-bench-Xc1q2L/m1 --enable-v2=true
 *     --listen-client-urls=http://127.0.0.1:24942[,http://198.18.37.1:24942] ... --initial-cluster-state=new --logger=zap --log-outputs=stderr
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { which } from '../bootstrap.mjs';
import { BenchError } from '../errors.ts';
import { urlOn } from './ports.ts';
import type { ClusterSpec, Member } from './spec.ts';

/** The flags of one member. `state` is 'new' for the first start, 'existing' for a restart. */
export function memberArgs(spec: Pick<ClusterSpec, 'token' | 'members' | 'extraArgs' | 'listen'>, m: Member, state: 'new' | 'existing'): string[] {
  const initialCluster = spec.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
  const listen = [m.clientUrl, ...(spec.listen ?? []).map((addr) => urlOn(m.clientUrl, addr))];
  return [
    `--name=${m.name}`,
    `--data-dir=${m.dataDir}`,
    '--enable-v2=true',
    `--listen-client-urls=${listen.join(',')}`,
    `--advertise-client-urls=${m.clientUrl}`,
    `--listen-peer-urls=${m.peerUrl}`,
    `--initial-advertise-peer-urls=${m.peerUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${state}`,
    `--initial-cluster-token=${spec.token}`,
    '--logger=zap',
    '--log-outputs=stderr',
    ...spec.extraArgs,
  ];
}

/** Path of the etcd binary, or a BenchError saying how to install it. */
export function etcdBinary(): string {
  const p = which('etcd', ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
  if (!p) throw new BenchError('etcd is not installed (need Debian etcd-server 3.4): sudo apt-get install -y etcd-server etcd-client');
  return p;
}

let setprivPath: string | null | undefined;
/** util-linux `setpriv`, to run a child with `--pdeathsig KILL`; null where it does not exist. */
export function setpriv(): string | null {
  if (setprivPath === undefined) setprivPath = which('setpriv', ['/usr/bin', '/bin']);
  return setprivPath;
}

/** etcd reads ETCD_* variables as flags (and complains about unknown ones such as ETCD_BENCH_STATE_DIR). */
function etcdEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  return env;
}

export interface Launch {
  child: ChildProcess;
  /** settles when the child has exited and its stdio is closed (its log stream ended) */
  closed: Promise<void>;
}

export interface LaunchOptions {
  detached: boolean;
  /** <dataDir>/<name>.log, appended to */
  logFile: string;
  /** each log line, prefixed "m1: " (non-detached only) */
  onLog?: (line: string) => void;
}

/** Pipe the child's output, line by line, to the log file and onLog. */
function pipeLog(child: ChildProcess, m: Member, o: LaunchOptions): WriteStream {
  const log = createWriteStream(o.logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      log.write(line + '\n');
      o.onLog?.(`${m.name}: ${line}`);
    });
    (stream as unknown as { unref?: () => void }).unref?.();
  }
  return log;
}

/**
 * Spawn one member (returns at once; the caller waits for it to answer).
 * The child is unref'd: a forgotten stop() must not keep a CLI alive (the
 * exit hook and pdeathsig kill it instead). Throws BenchError when the
 * binary cannot be started at all.
 */
export function launchMember(spec: ClusterSpec, m: Member, state: 'new' | 'existing', o: LaunchOptions): Launch {
  const args = memberArgs(spec, m, state);
  const sp = o.detached ? null : setpriv();
  const [cmd, argv] = sp ? [sp, ['--pdeathsig', 'KILL', spec.etcdBin, ...args]] : [spec.etcdBin, args];
  let child: ChildProcess;
  let log: WriteStream | null = null;
  if (o.detached) {
    const fd = openSync(o.logFile, 'a');
    try {
      // own session: survives us, and no terminal signal reaches it
      child = spawn(cmd, argv, { detached: true, stdio: ['ignore', fd, fd], env: etcdEnv() });
    } finally {
      closeSync(fd);
    }
  } else {
    child = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: etcdEnv() });
    log = pipeLog(child, m, o);
  }
  const closed = new Promise<void>((resolve) => {
    // 'error' (e.g. ENOENT) comes on a later tick: listened to, never thrown
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  }).then(() => {
    if (log) log.end();
  });
  if (child.pid === undefined) throw new BenchError(`could not start ${cmd} for etcd member ${m.name}`);
  child.unref();
  return { child, closed };
}
