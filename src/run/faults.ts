/**
 * The fault table: one row per fault kind says how it is injected, what it
 * does to the round (FaultRules: the old master's state afterwards, the
 * expected outcome, when the round is complete, which extra figures it
 * reports) and how the cluster is put back afterwards. The session runs the
 * row; the run model reads its rules from the round-start event. Adding a
 * fault is a row here, its key in views/keys.ts, and its tests.
 *
 *   FAULTS.kill.rules(settings)  // {expect: 'failover', oldMasterAfter: 'dead', ...}
 *   await FAULTS.kill.inject(ctx) // {t: 1764083012345.1, target: 'local-m2', host: 'localhost', pid: 4242}
 */
import type { FaultKind, FaultRules } from '../events.ts';
import type { Settings } from '../config/settings.ts';
import { pauseSeconds } from '../config/settings.ts';
import type { EmbeddedCluster } from '../cluster/embedded.ts';
import type { WorkerHandle } from '../fleet/host.ts';
import { BenchError } from '../errors.ts';

/** What a fault row may use: the round's signal, the master it aims at, the cluster, and the session's hands. */
export interface FaultContext {
  readonly settings: Settings;
  /** aborted when the round is cancelled (`x`, quit) */
  readonly signal: AbortSignal;
  /** the active master at the round's start */
  readonly old: { id: string; host: string; handle: WorkerHandle };
  /** the embedded cluster, when the run owns or attached one */
  readonly cluster: EmbeddedCluster | null;
  /** control-clock now, ms */
  now(): number;
  /** an abortable sleep (rejects when the signal aborts) */
  sleep(ms: number): Promise<void>;
  /** start the (exited) master `id` again and wait until it is a candidate or master */
  restartMaster(id: string): Promise<void>;
  /** wait until master `id` is a candidate or master again (after a pause or a resign) */
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
  /** settles with the time the fault's effect ended (SIGCONT), when the fault has an end */
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
  /** the fault kills an etcd member: the run must own the embedded cluster */
  needsEmbedded: boolean;
  rules(s: Pick<Settings, 'ttl' | 'refresh' | 'pause'>): FaultRules;
  inject(ctx: FaultContext): Promise<Injected>;
  /** put things back as they were before the round (a standby in place of the old master) */
  restore(ctx: FaultContext, injected: Injected | null): Promise<void>;
}

const signalled = async (ctx: FaultContext, sig: 'SIGKILL' | 'SIGTERM'): Promise<Injected> => {
  const t = await ctx.old.handle.signal(sig);
  return { t, target: ctx.old.id, host: ctx.old.host, pid: ctx.old.handle.pid };
};

/** the killed (or terminated) master comes back as a standby once its process is gone */
const restartOld = async (ctx: FaultContext): Promise<void> => {
  await ctx.old.handle.exited;
  await ctx.restartMaster(ctx.old.id);
};

/** etcd checks lease expiry every 500 ms: a lease runs out up to 0.5 s after T (ETCD-NOTES.md) */
const EXPIRY_CHECK_S = 0.5;

const kill: FaultRow = {
  kind: 'kill',
  verb: 'SIGKILL',
  what: 'SIGKILL the active master: its key expires after T',
  needsStandby: true,
  needsEmbedded: false,
  rules: () => ({ expect: 'failover', oldMasterAfter: 'dead', waitOldStepdown: false, oldMayWin: false, figures: ['split'] }),
  inject: (ctx) => signalled(ctx, 'SIGKILL'),
  restore: restartOld,
};

const term: FaultRow = {
  kind: 'term',
  verb: 'SIGTERM',
  what: 'SIGTERM the active master: graceful release, failover in ms',
  needsStandby: true,
  needsEmbedded: false,
  rules: () => ({ expect: 'failover', oldMasterAfter: null, waitOldStepdown: false, oldMayWin: false, figures: [] }),
  inject: (ctx) => signalled(ctx, 'SIGTERM'),
  restore: restartOld,
};

const pause: FaultRow = {
  kind: 'pause',
  verb: 'SIGSTOP',
  what: 'SIGSTOP the active master for --pause s (default T + 1.5), then SIGCONT: dual- and stale-leader windows',
  needsStandby: true,
  needsEmbedded: false,
  rules: (s) => {
    const p = pauseSeconds(s);
    // shorter than T - R: the lease cannot run out; longer than T + 0.5 s: it must; between: either
    const expect = p < s.ttl - s.refresh ? 'none' : p > s.ttl + EXPIRY_CHECK_S ? 'failover' : 'either';
    return { expect, oldMasterAfter: 'paused', waitOldStepdown: true, oldMayWin: false, figures: ['dualLeaderMs', 'staleLeaderMs', 'split'] };
  },
  async inject(ctx) {
    const handle = ctx.old.handle;
    const t = await handle.signal('SIGSTOP');
    const ms = pauseSeconds(ctx.settings) * 1000;
    // SIGCONT even when the round is cancelled: a stopped worker must not be left behind
    const healed = new Promise<number>((resolve) => {
      const timer = setTimeout(() => void handle.signal('SIGCONT').then(resolve, () => resolve(ctx.now())), Math.max(0, t + ms - ctx.now()));
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        void handle.signal('SIGCONT').then(resolve, () => resolve(ctx.now()));
      }, { once: true });
    });
    return { t, target: ctx.old.id, host: ctx.old.host, pid: handle.pid, healed };
  },
  restore: (ctx) => ctx.waitMasterBack(ctx.old.id),
};

const resign: FaultRow = {
  kind: 'resign',
  verb: 'resign',
  what: 'ask the active master to resign (graceful, no signal)',
  needsStandby: true,
  needsEmbedded: false,
  rules: () => ({ expect: 'failover', oldMasterAfter: null, waitOldStepdown: false, oldMayWin: false, figures: [] }),
  async inject(ctx) {
    // stamped before the command is written: a lower bound of its effects, as for a signal
    const t = ctx.now();
    ctx.old.handle.send({ cmd: 'resign' });
    return { t, target: ctx.old.id, host: ctx.old.host, pid: ctx.old.handle.pid };
  },
  restore: (ctx) => ctx.waitMasterBack(ctx.old.id),
};

const etcdLeader: FaultRow = {
  kind: 'etcd-leader',
  verb: 'SIGKILL etcd raft leader',
  what: "SIGKILL the etcd raft leader member (embedded cluster), restart it after the round: etcd renews every lease on a leader change",
  needsStandby: false,
  needsEmbedded: true,
  rules: () => ({ expect: 'either', oldMasterAfter: null, waitOldStepdown: false, oldMayWin: true, figures: ['recoveryMs'] }),
  async inject(ctx) {
    const cluster = ctx.cluster;
    if (!cluster) throw new BenchError('the etcd-leader fault needs the embedded cluster (--endpoints embedded)');
    const leader = await cluster.leader();
    if (!leader) throw new BenchError('the etcd cluster has no raft leader');
    const pid = leader.pid;
    const t = ctx.now();
    await cluster.killMember(leader.name, 'SIGKILL');
    return { t, target: `etcd ${leader.name}`, host: 'etcd', pid, member: leader.name };
  },
  async restore(ctx, injected) {
    if (injected?.member && ctx.cluster) await ctx.cluster.restartMember(injected.member);
  },
};

/** The fault table. */
export const FAULTS: Readonly<Record<FaultKind, FaultRow>> = { kill, term, pause, resign, 'etcd-leader': etcdLeader };

export function faultRow(kind: FaultKind): FaultRow {
  return FAULTS[kind];
}
