/**
 * The `ours` peer of the fan-out (fanout.ts): our own agents worker, as a
 * host runs it, `node <worker bundle> agents N`; a sample is one agent's
 * `notified` (DELETE seen) and `got-master` (new master and ego_conf read).
 *
 *   {"t":1764083012345.127,"host":"bench","pid":7,"role":"agent","id":"bench-a12","ev":"got-master","master":"bench-m1"}
 */
import { now } from '../clock.ts';
import type { WorkerEvent } from '../events.ts';
import { parseEventLine, PongWaiter } from '../fleet/worker-stream.ts';
import { afterRounds, childEnv, EGO_KEY, emptyRun, failure, MASTER_KEY, putMaster, readyDeadlineMs, runRounds, whenReady, type FanoutContext } from './fanout.ts';
import { Progress } from './procs.ts';
import type { PeerRun } from './report.ts';

/** Our agents worker with `n` agents. n = 0: an idle worker, for its base memory. */
export async function runOurs(ctx: FanoutContext, n: number): Promise<PeerRun> {
  const run = emptyRun('ours', n);
  await putMaster(ctx, 'bench-m0');
  const progress = new Progress();
  const pongs = new PongWaiter();
  const watching = new Set<string>();
  let initialGot = 0;
  let started = false;
  let phase: 'idle' | 'delete' | 'put' = 'idle';
  let notify = new Map<string, number>();
  let got = new Map<string, number>();
  const onEvent = (e: WorkerEvent) => {
    if (pongs.handle(e)) return;
    switch (e.ev) {
      case 'start':
        if (e.process === true) started = true;
        break;
      case 'watch-created':
        watching.add(e.id);
        break;
      case 'got-master':
        if (e.initial === true) initialGot++;
        else if (phase === 'put' && !got.has(e.id)) got.set(e.id, e.t);
        break;
      case 'notified':
        if (phase === 'delete' && !notify.has(e.id)) notify.set(e.id, e.t);
        break;
      case 'error':
        run.errors++;
        run.firstError ??= `${e.id}: ${e.message ?? 'error'}`;
        break;
    }
    progress.poke();
  };
  const tSpawn = now();
  const proc = ctx.kids.spawn(
    'agents worker',
    process.execPath,
    [ctx.workerPath, 'agents', String(n), '--endpoints', ctx.endpoints.join(','), '--id', 'bench', '--host', 'bench', '--master-path', MASTER_KEY, '--ego-key', EGO_KEY],
    (line) => {
      const e = parseEventLine(line);
      if (e) onEvent(e);
    },
    { env: childEnv(), onDeath: () => progress.poke() },
  );
  try {
    const ready = await progress.until(() => (started && initialGot >= n && watching.size >= n) || proc.dead, readyDeadlineMs(n), ctx.signal);
    if (!ready || proc.dead) {
      throw failure(`our agents worker: ${initialGot} of ${n} agents got the master, ${watching.size} watching${proc.dead ? ', then it exited' : ` after ${readyDeadlineMs(n) / 1000} s`}`, proc, run.firstError ?? undefined);
    }
    const off = await whenReady(run, proc, pongs, tSpawn);
    if (n === 0) return run;
    const samples = await runRounds(
      ctx,
      n,
      off.offsetMs,
      {
        begin(p) {
          phase = p;
          if (p === 'delete') {
            notify = new Map();
            got = new Map();
          }
        },
        notified: () => notify.size,
        gotNew: () => got.size,
        collect: async () => ({ notify: [...notify.values()], newMaster: [...got.values()] }),
        dead: () => proc.dead,
      },
      progress,
    );
    return await afterRounds(run, proc, samples, ctx.rounds, 'our agents worker');
  } finally {
    await proc.stop();
  }
}
