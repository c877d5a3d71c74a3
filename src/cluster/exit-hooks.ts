/**
 * What must not outlive this process, and its removal when the process
 * exits anyway: the etcd members of a cluster we own (every cluster while it
 * starts, a non-detached one until stop() ends) and the data dir we made for
 * it (120-370 MB of WAL and snapshots). The hook (signal-exit's onExit, armed
 * only while something is owned) runs synchronously on process.exit, an
 * uncaught exception, the event loop running dry, and on SIGINT/SIGTERM/
 * SIGHUP when nobody else listens for that signal (Ctrl-C before the CLI has
 * its own handler; the process then still dies by that signal, as it would
 * have): SIGKILL each member's process group, wait (bounded) until they are
 * gone, rmSync the paths. Members also run under `setpriv --pdeathsig KILL`
 * (launcher.ts) for the one exit no hook sees, a SIGKILL of this process.
 *
 * Register before the resource exists: an Ownership is made before the data
 * dir and the first member; a path or child is added to it in the same
 * synchronous step that creates it, so no moment exists where either is
 * there but not owned.
 *
 *   const own = new Ownership();                       // exit hook armed
 *   const dir = mkdtempSync(prefix); own.removeOnExit(dir);
 *   const child = spawn(etcd, ...); own.adopt(child);
 *   ...
 *   own.release();                                     // stopped (or detached): nothing to do on exit
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { onExit } from 'signal-exit';
import { alive } from '../fleet/process-table.ts';

/** how long the exit handler waits for SIGKILLed members to be gone before removing their files */
const EXIT_WAIT_MS = 2000;

const live = new Set<Ownership>();
let unhook: (() => void) | null = null;
/** inside the hook: signal-exit is unloading itself, do not unhook from within its callback */
let exiting = false;

function cleanupAll(): void {
  exiting = true;
  for (const o of live) o.cleanupNow();
}

/** Block the thread for `ms` (the 'exit' handler cannot await). */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function killGroup(pid: number): void {
  try {
    // members run in their own process group (spawned detached): take the group
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export class Ownership {
  private readonly children = new Set<ChildProcess>();
  private readonly paths = new Set<string>();

  constructor() {
    live.add(this);
    unhook ??= onExit(cleanupAll);
  }

  /** kill this child on exit (until it has exited by itself) */
  adopt(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** remove this file or directory (recursively) on exit */
  removeOnExit(path: string): void {
    this.paths.add(path);
  }

  /** keep it after all (a given data dir's member data, once the start succeeded) */
  keepOnExit(path: string): void {
    this.paths.delete(path);
  }

  get owned(): { pids: number[]; paths: string[] } {
    return { pids: [...this.children].flatMap((c) => (c.pid === undefined ? [] : [c.pid])), paths: [...this.paths] };
  }

  /** SIGKILL every owned member (no waiting): the start failed or we are going */
  killNow(): void {
    for (const pid of this.owned.pids) killGroup(pid);
  }

  /** Synchronously: kill the members, wait until they are gone (<= 2 s), remove the paths. Never throws. */
  cleanupNow(): void {
    const { pids } = this.owned;
    this.killNow();
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (pids.some(alive) && Date.now() < deadline) pauseSync(10);
    for (const p of this.paths) {
      try {
        rmSync(p, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
      } catch {
        /* nothing more can be done while exiting */
      }
    }
    this.release();
  }

  /** Nothing of this is ours to clean up any more. */
  release(): void {
    live.delete(this);
    this.children.clear();
    this.paths.clear();
    if (live.size === 0 && unhook && !exiting) {
      unhook();
      unhook = null;
    }
  }
}
