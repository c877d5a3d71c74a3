/**
 * Member processes: is it alive, signal it, wait until it is dead. A member
 * is either our child (its pid is its process group: we signal the group) or
 * one started by another process (`cluster start`), known only by its pid,
 * which is checked against /proc before any signal: pids get reused.
 *
 *   /proc/6276/cmdline   "/usr/bin/etcd\0--name=m1\0--data-dir=/tmp/etcd-bench-Xc1q2L/m1\0..."  -> an etcd of that member
 */
import { basename } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { sleep } from '../clock.ts';
import { alive, cmdline, findProcesses } from '../fleet/process-table.ts';

export interface MemberProc {
  pid: number;
  /** our child, or null for a member started by another process (attached) */
  child: ChildProcess | null;
  /** settles when our child has exited and its stdio is closed */
  closed: Promise<void> | null;
}

function dataDirOf(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--data-dir=')) return a.slice('--data-dir='.length);
    if (a === '--data-dir' || a === '-data-dir') return argv[i + 1] ?? null;
  }
  return null;
}

function isEtcdArgv(argv: string[]): boolean {
  return argv.length > 0 && basename(argv[0]!) === 'etcd';
}

/** true if `pid` is a live etcd (with --data-dir `dataDir` when given): guards against killing a reused pid */
export async function isEtcdProcess(pid: number, dataDir?: string): Promise<boolean> {
  const argv = await cmdline(pid);
  if (!isEtcdArgv(argv)) return false;
  return dataDir === undefined || dataDirOf(argv) === dataDir;
}

/** pids of live etcd processes whose --data-dir satisfies `match` */
export async function etcdPidsWhere(match: (dataDir: string) => boolean): Promise<number[]> {
  const found = await findProcesses((argv) => {
    if (!isEtcdArgv(argv)) return false;
    const d = dataDirOf(argv);
    return d !== null && match(d);
  });
  return found.map((p) => p.pid);
}

/** pids of live etcd processes whose --data-dir lies under `dir` (for tests: "nothing left behind") */
export function etcdPidsUnder(dir: string): Promise<number[]> {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return etcdPidsWhere((d) => d === dir || d.startsWith(prefix));
}

/** Is the member (with --data-dir `dataDir`) running? */
export async function memberAlive(p: MemberProc, dataDir: string): Promise<boolean> {
  if (p.child) return p.child.exitCode === null && p.child.signalCode === null;
  return alive(p.pid) && (await isEtcdProcess(p.pid, dataDir));
}

/** Signal a running member: our child's whole process group, else the (checked) pid. */
export async function signalMember(p: MemberProc, dataDir: string, sig: NodeJS.Signals): Promise<void> {
  if (!(await memberAlive(p, dataDir))) return;
  try {
    // ours were started with setsid: pid is the process group id
    process.kill(p.child ? -p.pid : p.pid, sig);
  } catch {
    try {
      process.kill(p.pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** true when the member is dead before `ms` have passed */
export async function waitDead(p: MemberProc, dataDir: string, ms: number): Promise<boolean> {
  if (p.child && p.closed) {
    let timer: NodeJS.Timeout | undefined;
    const dead = await Promise.race([
      p.closed.then(() => true),
      new Promise<boolean>((r) => {
        // ref'd on purpose: keeps the event loop alive while we wait
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return dead || !(await memberAlive(p, dataDir));
  }
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!(await memberAlive(p, dataDir))) return true;
    await sleep(50);
  }
  return !(await memberAlive(p, dataDir));
}

/** SIGKILL etcd processes of these data dirs that we do not know (restarted by another process), and wait (<= graceMs each). */
export async function killStrays(dataDirs: Set<string>, graceMs: number): Promise<void> {
  for (const pid of await etcdPidsWhere((d) => dataDirs.has(d)).catch(() => [] as number[])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(50);
  }
}
