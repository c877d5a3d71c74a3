/**
 * The shapes of the fault table (./faults.ts): a row, what it may use while
 * it runs (FaultContext: the round's signal, the master it aims at, the
 * cluster, the partition lab and the session's hands) and what its injection
 * reports; and the few steps rows share (the timed end of a fault, a restart).
 *
 *   inject(ctx) -> {t: 1764083012345.1, target: 'local-m2', host: 'localhost', pid: 4242, healed: Promise<1764083015845.3>}
 */
import type { Config } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import type { EmbeddedCluster } from '../cluster/embedded.ts';
import type { FaultKind, FaultRules } from '../events.ts';
import type { WorkerHandle } from '../fleet/host.ts';

/** Cut master `id`'s link to etcd and heal it (src/lab/, through src/run/network.ts); each resolves to the control time right after. */
export interface PartitionLab {
  cut(id: string): Promise<number>;
  heal(id: string): Promise<number>;
}

/** What a fault row may use: the round's signal, the master it aims at, the cluster, and the session's hands. */
export interface FaultContext {
  readonly settings: Settings;
  /** aborted when the round is cancelled (`x`, quit) */
  readonly signal: AbortSignal;
  /** the active master at the round's start */
  readonly old: { id: string; host: string; handle: WorkerHandle };
  /** the embedded cluster, when the run owns or attached one */
  readonly cluster: EmbeddedCluster | null;
  /** the masters' network namespaces (the partition fault), when the run made them */
  readonly lab: PartitionLab | null;
  /** control-clock now, ms */
  now(): number;
  /** an abortable sleep (rejects when the signal aborts) */
  sleep(ms: number): Promise<void>;
  /** start the (exited) master `id` again and wait until it is a candidate or master */
  restartMaster(id: string): Promise<void>;
  /** wait until master `id` is a candidate or master again (after a pause, a partition or a resign) */
  waitMasterBack(id: string): Promise<void>;
  log(message: string): void;
}

export interface Injected {
  /** control-clock time of the injection: right before the kill(2) on the host, a lower bound of its effects */
  t: number;
  /** what was hit: the master's id, or the etcd member's name */
  target: string;
  host: string;
  pid: number;
  /** settles with the time the fault's effect ended (SIGCONT, the link back), when the fault has an end; it never rejects */
  healed?: Promise<number>;
  /** the etcd member to restart afterwards */
  member?: string;
}

export interface FaultRow {
  kind: FaultKind;
  /** how the log names the injection: "SIGKILL" */
  verb: string;
  /** one line for --help and the console's help */
  what: string;
  /** the fault moves the master to a standby: at least 2 masters must run */
  needsStandby: boolean;
  /** the fault needs the embedded cluster (kills a member; listens on the partition lab's links) */
  needsEmbedded: boolean;
  rules(s: Pick<Settings, 'ttl' | 'refresh' | 'pause'>): FaultRules;
  /** seconds the fault itself lasts before the round can end (a pause, a partition): added to the round's deadline */
  lastsS?(s: Settings): number;
  /** why this configuration cannot run the fault (one line), or null */
  refuse?(config: Config): string | null;
  inject(ctx: FaultContext): Promise<Injected>;
  /** put things back as they were before the round (a standby in place of the old master) */
  restore(ctx: FaultContext, injected: Injected | null): Promise<void>;
}

/**
 * The fault's end at control-clock time `at`, or at once when the round is
 * cancelled: `resume` runs exactly once in either case (SIGCONT, a link
 * brought back, must never be left out). Settles with the time resume
 * reports (now, if it fails); never rejects.
 */
export function healAt(ctx: Pick<FaultContext, 'signal' | 'now'>, at: number, resume: () => Promise<number> | number): Promise<number> {
  return new Promise<number>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', end);
      Promise.resolve()
        .then(resume)
        .then(resolve, () => resolve(ctx.now()));
    };
    const timer = setTimeout(end, Math.max(0, at - ctx.now()));
    if (ctx.signal.aborted) end();
    else ctx.signal.addEventListener('abort', end, { once: true });
  });
}

/** the killed (or terminated) master comes back as a standby once its process is gone */
export async function restartOld(ctx: FaultContext): Promise<void> {
  await ctx.old.handle.exited;
  await ctx.restartMaster(ctx.old.id);
}

/** etcd checks lease expiry every 500 ms: a lease runs out up to 0.5 s after T (ETCD-NOTES.md) */
export const EXPIRY_CHECK_S = 0.5;
