/**
 * Who owns the lab's namespaces: one small file per run, written before its
 * first namespace exists and removed after its last one is gone, so that a
 * sweep can tell a live run's namespaces from those a crashed run left. A
 * run is alive while its process is (same pid, same start time in
 * /proc/PID/stat: a reused pid is not the run).
 *
 *   /run/etcd-election-bench/netns/3f2a9c1b.json
 *   {"runId":"20261129-220411-3a4b","pid":4242,"startTicks":"81234567"}
 *
 * The directory is on a tmpfs (/run), like the namespaces themselves
 * (/run/netns): a reboot clears both. ETCD_BENCH_LAB_DIR moves it (tests).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function labDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ETCD_BENCH_LAB_DIR ?? '/run/etcd-election-bench/netns';
}

export interface Owner {
  runId: string;
  pid: number;
  /** field 22 of /proc/PID/stat: when the process started, in clock ticks since boot */
  startTicks: string | null;
}

/** The 8 hex characters that name a run's namespaces and links: sha256(runId). */
export function runShort(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}

/** Start time of `pid` (clock ticks since boot), or null when it is gone. */
export function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: fields count from after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function ownerFile(dir: string, short: string): string {
  return join(dir, `${short}.json`);
}

/** Record this process as the owner of `short` (before anything of it exists). */
export function writeOwner(dir: string, short: string, runId: string, pid = process.pid): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner: Owner = { runId, pid, startTicks: startTicks(pid) };
  writeFileSync(ownerFile(dir, short), JSON.stringify(owner) + '\n', { mode: 0o600 });
}

export function readOwner(dir: string, short: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(ownerFile(dir, short), 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.runId === 'string' ? { runId: o.runId, pid: o.pid, startTicks: o.startTicks ?? null } : null;
  } catch {
    return null;
  }
}

/** Is the run that owns `short` still running? No owner file: no (nothing of a live run exists before its file). */
export function ownerAlive(dir: string, short: string): boolean {
  const o = readOwner(dir, short);
  if (!o) return false;
  const ticks = startTicks(o.pid);
  return ticks !== null && (o.startTicks === null || ticks === o.startTicks);
}

export function removeOwner(dir: string, short: string): void {
  rmSync(ownerFile(dir, short), { force: true });
}

/** The run shorts that have an owner file in `dir`. */
export function ownerShorts(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((f) => /^([0-9a-f]{8})\.json$/.exec(f)?.[1] ?? []);
  } catch {
    return [];
  }
}
