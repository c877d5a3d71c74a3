/**
 * The partition fault's row: the active master cut off from etcd while it
 * keeps running (the split-brain case). Every master runs in a network
 * namespace of its own (src/lab/, set up by ./network.ts); the round takes
 * the active master's veth link down and brings it back after --pause s
 * (default T + 1.5). Its master-side rules are pause's, with the old master
 * 'partitioned' until it is heard from etcd again.
 *
 *   partition.inject(ctx)  // {t, target: 'local-m2', host: 'localhost', pid: 4242, healed: Promise<t + 3500>}
 */
import type { Config } from '../config/load.ts';
import { pauseSeconds } from '../config/settings.ts';
import { BenchError } from '../errors.ts';
import { netnsUnavailable, systemProbe, type NetnsProbe } from '../lab/netns.ts';
import { EXPIRY_CHECK_S, healAt, type FaultRow } from './fault-types.ts';

/**
 * Why `config` cannot run the partition fault here (one line), or null: it
 * needs root and iproute2 (injectable `probe`), and masters on this machine.
 */
export function partitionRefusal(config: Config, probe: NetnsProbe = systemProbe): string | null {
  const why = netnsUnavailable(probe);
  if (why) return `the partition fault cannot run here: ${why}`;
  const remote = config.masters.find((h) => !h.local);
  if (remote) return `the partition fault runs the masters in network namespaces of this machine, but ${remote.name} (${remote.file}:${remote.line}) is an SSH host: list only localhost as master host`;
  return null;
}

export const partition: FaultRow = {
  kind: 'partition',
  verb: 'cut off from etcd',
  what: "cut the active master off from etcd (its network namespace's link down) for --pause s (default T + 1.5), still running: split brain; dual- and stale-leader windows",
  needsStandby: true,
  needsEmbedded: true,
  rules: (s) => {
    const p = pauseSeconds(s);
    // as pause: shorter than T - R the lease cannot run out; longer than T + 0.5 s it must; between: either
    const expect = p < s.ttl - s.refresh ? 'none' : p > s.ttl + EXPIRY_CHECK_S ? 'failover' : 'either';
    return { expect, oldMasterAfter: 'partitioned', waitOldStepdown: true, oldMayWin: false, figures: ['dualLeaderMs', 'staleLeaderMs'] };
  },
  lastsS: pauseSeconds,
  refuse: (config) => partitionRefusal(config),
  async inject(ctx) {
    const lab = ctx.lab;
    if (!lab) throw new BenchError('the partition fault needs the masters in network namespaces (the run makes them when --fault partition)');
    const id = ctx.old.id;
    const t = await lab.cut(id);
    // the link comes back even when the round is cancelled
    const healed = healAt(ctx, t + pauseSeconds(ctx.settings) * 1000, () => lab.heal(id));
    return { t, target: id, host: ctx.old.host, pid: ctx.old.handle.pid, healed };
  },
  restore: (ctx) => ctx.waitMasterBack(ctx.old.id),
};
