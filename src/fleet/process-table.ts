/**
 * The process table, as the cluster, `stop` and the self-benchmark read it:
 * this machine's from /proc (pid -> argv, alive, VmRSS), a remote host's from
 * the text of `ps -eo pid=,args=` (SshHost.listWorkers). The one place that
 * knows both formats; what a process IS (an etcd member, one of our workers)
 * is the caller's predicate.
 *
 *   /proc/4242/cmdline   "/usr/bin/etcd\0--name=m1\0--data-dir=/tmp/etcd-bench-x1/m1\0..."
 *   /proc/4242/stat      "4242 (etcd) S 1 4242 ..."   state letter after the last ')'
 *   ps -eo pid=,args=    "  4242 node /root/.cache/etcd-election-bench/worker-3f2a9c1b.mjs agents 100 ..."
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** One process: its pid and its command line (argv[0] first). */
export interface ProcessEntry {
  pid: number;
  argv: string[];
}

/** NUL-separated /proc/PID/cmdline -> argv ([] for a zombie, whose cmdline is empty). */
export function parseCmdline(raw: string): string[] {
  return raw ? raw.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1) : [];
}

/** argv of a live process, [] if it is gone or a zombie. */
export async function cmdline(pid: number): Promise<string[]> {
  try {
    return parseCmdline(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return [];
  }
}

/** cmdline(), synchronously (for callers that are synchronous themselves). */
export function cmdlineSync(pid: number): string[] {
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return [];
  }
}

const isPid = (name: string) => /^\d+$/.test(name);

/**
 * Every process (but this one) whose argv satisfies `match`. A process that
 * ends during the scan is left out. Throws when /proc cannot be read (not Linux).
 */
export async function findProcesses(match: (argv: string[], pid: number) => boolean): Promise<ProcessEntry[]> {
  const out: ProcessEntry[] = [];
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!isPid(name) || pid === process.pid) continue;
    const argv = await cmdline(pid);
    if (argv.length > 0 && match(argv, pid)) out.push({ pid, argv });
  }
  return out;
}

/** findProcesses(), synchronously. */
export function findProcessesSync(match: (argv: string[], pid: number) => boolean): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!isPid(name) || pid === process.pid) continue;
    const argv = cmdlineSync(pid);
    if (argv.length > 0 && match(argv, pid)) out.push({ pid, argv });
  }
  return out;
}

/** The state letter of /proc/PID/stat ("R", "S", "T", "Z", ...); comm may hold spaces and ')'. */
export function statState(stat: string): string {
  const i = stat.lastIndexOf(')');
  return stat.slice(i + 2, i + 3);
}

/** true while `pid` runs (a zombie or a vanished pid is not alive). */
export function alive(pid: number): boolean {
  try {
    const state = statState(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** VmRSS of a process in KiB (/proc/PID/status), null when it is gone. */
export async function rssKiB(pid: number): Promise<number | null> {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** One row of `ps -eo pid=,args=`: argv is `args` split at blanks (ps joins it with single spaces). */
export interface PsRow extends ProcessEntry {
  /** the command line as ps printed it */
  args: string;
}

/** Parse the output of `ps -eo pid=,args=` (any platform's ps); lines that are not `PID ARGS` are skipped. */
export function parsePs(text: string): PsRow[] {
  const out: PsRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S.*?)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), args: m[2], argv: m[2].split(/\s+/) });
  }
  return out;
}
