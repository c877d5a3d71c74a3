/**
 * The `etcdctl` peer of the fan-out (fanout.ts): etcd's own Go client, K =
 * min(N, ETCDCTL_MAX) `etcdctl watch /master` processes; lines are stamped on
 * arrival here (offset 0). etcdctl prints each event as lines:
 *
 *   PUT
 *   /master
 *   bench-m1
 */
import { now } from '../clock.ts';
import { emptyRun, failure, finish, MASTER_KEY, putMaster, readyDeadlineMs, runRounds, type FanoutContext, type Sampler } from './fanout.ts';
import { rssKiB } from '../fleet/process-table.ts';
import { Progress, type Proc } from './procs.ts';
import type { PeerRun } from './report.ts';

/** What the K etcdctl watches printed, one slot each: a sampler for runRounds. */
class Tally {
  phase: 'idle' | 'delete' | 'put' = 'idle';
  readonly seen: { ready: boolean; notify: number; put: number }[];
  ready = 0;
  notified = 0;
  putSeen = 0;
  constructor(k: number) {
    this.seen = Array.from({ length: k }, () => ({ ready: false, notify: NaN, put: NaN }));
  }

  /** one line of watch `i`, stamped `t`; false when it is not an event's first line */
  line(i: number, line: string, t: number): boolean {
    // each event prints its type, the key, then (PUT) the value, one line each
    const st = this.seen[i];
    if (line === 'PUT') {
      if (!st.ready) {
        st.ready = true;
        this.ready++;
      } else if (this.phase === 'put' && Number.isNaN(st.put)) {
        st.put = t;
        this.putSeen++;
      }
    } else if (line === 'DELETE' && this.phase === 'delete' && Number.isNaN(st.notify)) {
      st.notify = t;
      this.notified++;
    } else return false;
    return true;
  }

  sampler(dead: () => boolean): Sampler {
    return {
      begin: (p) => {
        this.phase = p;
        if (p === 'delete') {
          for (const st of this.seen) st.notify = st.put = NaN;
          this.notified = this.putSeen = 0;
        }
      },
      notified: () => this.notified,
      gotNew: () => this.putSeen,
      collect: async () => ({
        notify: this.seen.map((st) => st.notify).filter((v) => !Number.isNaN(v)),
        newMaster: this.seen.map((st) => st.put).filter((v) => !Number.isNaN(v)),
      }),
      dead,
    };
  }
}

/** etcd's own client: `k` `etcdctl watch /master` processes, one endpoint each (spread like ours). */
export async function runEtcdctl(ctx: FanoutContext, k: number): Promise<PeerRun> {
  const run = emptyRun('etcdctl', k);
  if (!ctx.etcdctl) return { ...run, failed: 'etcdctl is not installed (apt-get install etcd-client)' };
  await putMaster(ctx, 'bench-m0');
  const progress = new Progress();
  const env: NodeJS.ProcessEnv = { ETCDCTL_API: '3' };
  for (const [key, v] of Object.entries(process.env)) if (!key.startsWith('ETCDCTL_') && !key.startsWith('ETCD_')) env[key] = v;
  const tally = new Tally(k);
  const procs: Proc[] = [];
  const tSpawn = now();
  try {
    for (let i = 0; i < k; i++) {
      procs.push(
        ctx.kids.spawn(
          `etcdctl watch #${i + 1}`,
          ctx.etcdctl,
          [`--endpoints=${ctx.endpoints[i % ctx.endpoints.length]}`, 'watch', MASTER_KEY],
          (line, t) => {
            if (tally.line(i, line, t)) progress.poke();
          },
          { env, dieWithUs: true, stopSignal: 'SIGKILL', onDeath: () => progress.poke() },
        ),
      );
    }
    const anyDead = () => procs.some((p) => p.dead);
    // etcdctl says nothing when its watch is in place: PUT sentinels until each printed one
    const deadline = now() + readyDeadlineMs(k);
    for (let seq = 0; tally.ready < k && !anyDead() && now() < deadline; seq++) {
      await putMaster(ctx, `bench-sentinel-${seq}`);
      await progress.until(() => tally.ready >= k || anyDead(), 100, ctx.signal);
    }
    if (tally.ready < k) {
      const dead = procs.find((p) => p.dead);
      throw failure(`etcdctl: ${tally.ready} of ${k} watches in place${dead ? `, ${dead.name} exited` : ` after ${readyDeadlineMs(k) / 1000} s`}`, dead ?? null);
    }
    run.readyMs = now() - tSpawn;
    const rss = await Promise.all(procs.map((p) => rssKiB(p.pid)));
    const known = rss.filter((v): v is number => v !== null);
    run.rssKiB = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    const samples = await runRounds(ctx, k, 0, tally.sampler(anyDead), progress);
    if (anyDead()) throw failure('an etcdctl watch exited during the rounds', procs.find((p) => p.dead) ?? null);
    return finish(run, samples, ctx.rounds);
  } finally {
    await Promise.all(procs.map((p) => p.stop(1000)));
  }
}
