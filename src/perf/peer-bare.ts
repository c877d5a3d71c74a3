/**
 * The `bare` peer of the fan-out (fanout.ts): the bare-watcher floor
 * (bare-watchers.ts) in its own process; it reports every watcher's times in
 * one line per round when asked.
 *
 *   stdin:  {"cmd":"report"}
 *   stdout: {"t":1764083012345.1,"ev":"report","notify":[12.5,...],"put":[...],"got":[...],"errors":0}
 */
import { now } from '../clock.ts';
import { parseEventLine, PongWaiter } from '../fleet/worker-stream.ts';
import { afterRounds, childEnv, EGO_KEY, emptyRun, failure, MASTER_KEY, putMaster, readyDeadlineMs, runRounds, whenReady, type FanoutContext } from './fanout.ts';
import { Progress } from './procs.ts';
import type { PeerRun } from './report.ts';

interface BareReport {
  notify: (number | null)[];
  put: (number | null)[];
  got: (number | null)[];
  errors: number;
}

const present = (a: (number | null)[]): number[] => a.filter((v): v is number => v !== null);

/** The bare-watcher floor with `n` watchers (n = 0: its base memory). */
export async function runBare(ctx: FanoutContext, n: number): Promise<PeerRun> {
  const run = emptyRun('bare', n);
  await putMaster(ctx, 'bench-m0');
  const progress = new Progress();
  const pongs = new PongWaiter();
  let ready = false;
  let allNotified = false;
  let allGot = false;
  let report: ((r: BareReport) => void) | null = null;
  const tSpawn = now();
  const proc = ctx.kids.spawn(
    'bare watchers',
    process.execPath,
    [ctx.barePath, '--endpoints', ctx.endpoints.join(','), '--count', String(n), '--key', MASTER_KEY, '--ego-key', EGO_KEY],
    (line) => {
      const e = parseEventLine(line);
      if (!e || pongs.handle(e)) return;
      if (e.ev === ('ready' as string)) ready = true;
      else if (e.ev === ('all-notified' as string)) allNotified = true;
      else if (e.ev === ('all-got' as string)) allGot = true;
      else if (e.ev === ('report' as string)) report?.(e as unknown as BareReport);
      else if (e.ev === 'error') {
        run.errors = typeof e.errors === 'number' ? e.errors : run.errors + 1;
        run.firstError ??= e.message ?? 'error';
      }
      progress.poke();
    },
    { env: childEnv(), onDeath: () => progress.poke() },
  );
  try {
    const ok = await progress.until(() => ready || proc.dead, readyDeadlineMs(n), ctx.signal);
    if (!ok || proc.dead) throw failure(`bare watchers: not all ${n} watching${proc.dead ? ' (it exited)' : ` after ${readyDeadlineMs(n) / 1000} s`}`, proc, run.firstError ?? undefined);
    const off = await whenReady(run, proc, pongs, tSpawn);
    if (n === 0) return run;
    const samples = await runRounds(
      ctx,
      n,
      off.offsetMs,
      {
        begin(p) {
          if (p === 'delete') allNotified = allGot = false;
        },
        notified: () => (allNotified ? n : 0),
        gotNew: () => (allGot ? n : 0),
        collect: async () => {
          const r = await new Promise<BareReport | null>((resolve) => {
            const timer = setTimeout(() => resolve(null), 10_000);
            report = (x) => {
              clearTimeout(timer);
              resolve(x);
            };
            proc.send(JSON.stringify({ cmd: 'report' }));
          });
          report = null;
          if (!r) throw failure('bare watchers: no report', proc);
          return { notify: present(r.notify), newMaster: present(r.got), putSeen: present(r.put) };
        },
        dead: () => proc.dead,
      },
      progress,
    );
    return await afterRounds(run, proc, samples, ctx.rounds, 'bare watchers');
  } finally {
    await proc.stop();
  }
}
