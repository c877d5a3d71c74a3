/**
 * The fault table: one row per fault kind says how it is injected, what it
 * does to the round (FaultRules: the old master's state afterwards, the
 * expected outcome, when the round is complete, which extra figures it
 * reports) and how the cluster is put back afterwards. The session runs the
 * row; the run model reads its rules from the round-start event. Adding a
 * fault is a row here, its key in views/keys.ts, and its tests. The shapes
 * are in ./fault-types.ts; the partition row in ./faults-partition.ts.
 *
 *   FAULTS.kill.rules(settings)  // {expect: 'failover', oldMasterAfter: 'dead', ...}
 *   await FAULTS.kill.inject(ctx) // {t: 1764083012345.1, target: 'local-m2', host: 'localhost', pid: 4242}
 */
import type { FaultKind } from '../events.ts';
import { pauseSeconds } from '../config/settings.ts';
import { BenchError } from '../errors.ts';
import { EXPIRY_CHECK_S, healAt, restartOld, type FaultContext, type FaultRow, type Injected } from './fault-types.ts';
import { partition } from './faults-partition.ts';

export type { FaultContext, FaultRow, Injected, PartitionLab } from './fault-types.ts';

const signalled = async (ctx: FaultContext, sig: 'SIGKILL' | 'SIGTERM'): Promise<Injected> => {
  const t = await ctx.old.handle.signal(sig);
  return { t, target: ctx.old.id, host: ctx.old.host, pid: ctx.old.handle.pid };
};

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
  lastsS: pauseSeconds,
  async inject(ctx) {
    const handle = ctx.old.handle;
    const t = await handle.signal('SIGSTOP');
    // SIGCONT even when the round is cancelled: a stopped worker must not be left behind
    const healed = healAt(ctx, t + pauseSeconds(ctx.settings) * 1000, () => handle.signal('SIGCONT'));
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
export const FAULTS: Readonly<Record<FaultKind, FaultRow>> = { kill, term, pause, resign, 'etcd-leader': etcdLeader, partition };

export function faultRow(kind: FaultKind): FaultRow {
  return FAULTS[kind];
}
