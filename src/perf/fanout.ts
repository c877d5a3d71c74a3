/**
 * Notification fan-out, measured for three peers one after the other against
 * the same cluster, each in its own process(es) and its own file:
 *
 *   ours     `node <worker bundle> agents N`: our agents, one connection pool each (peer-ours.ts)
 *   bare     `node <bare bundle> --count N`: the bare-watcher floor (peer-bare.ts, bare-watchers.ts)
 *   etcdctl  K = min(N, 100) `etcdctl watch /master` processes: etcd's own Go client (peer-etcdctl.ts)
 *
 * This module owns what the three share: the context, the deadlines, the
 * round loop (Sampler in, Samples out), the row a peer fills, and `settle`.
 *
 * One round: DELETE /master (time tDel on our clock), wait until every watcher
 * saw it; then PUT a new /master together with /ego_conf in one txn (tPut), and
 * wait until every watcher has the new master: ours `got-master` (watch event
 * + ego_conf read), bare the PUT event + one ego_conf read, etcdctl the PUT
 * line. Child timestamps (`t` of their JSON lines) are corrected by a Cristian
 * clock offset measured over their stdin/stdout; etcdctl lines are stamped on
 * arrival here. Between peers, etcd's own watcher gauge
 * (`etcd_debugging_mvcc_watcher_total` on /metrics) must drop to 0, so that no
 * peer pays for the previous one's teardown.
 */
import { request, type Dispatcher } from 'undici';
import { now } from '../clock.ts';
import { BenchError, oneLine } from '../errors.ts';
import { b64 } from '../etcd/codec.ts';
import { egoBlob } from '../election/common.ts';
import type { EtcdV3 } from '../etcd/v3.ts';
import { distribution } from '../stats/distribution.ts';
import { measureOffset, type PongWaiter } from '../fleet/worker-stream.ts';
import { rssKiB } from '../fleet/process-table.ts';
import { pause, Progress, type ChildSet, type Proc } from './procs.ts';
import { PEER_LABELS, type PeerName, type PeerRun } from './report.ts';

export const MASTER_KEY = '/master';
export const EGO_KEY = '/ego_conf';
/** the size a master writes by default (worker --ego-size) */
const EGO_SIZE = 1024;
/** etcdctl processes per N at most: each is a whole Go process (~16 MiB RSS) */
export const ETCDCTL_MAX = 100;

export interface FanoutContext {
  endpoints: string[];
  etcd: EtcdV3;
  dispatcher: Dispatcher;
  kids: ChildSet;
  signal: AbortSignal;
  rounds: number;
  workerPath: string;
  barePath: string;
  /** null: not installed (the etcdctl row says so) */
  etcdctl: string | null;
  /** progress lines (stderr) */
  log: (line: string) => void;
}

/** spawn -> every watcher in place; generous, since thousands start on 2 shared cores */
export function readyDeadlineMs(n: number): number {
  return 30_000 + n * 20;
}

/** one change -> every watcher; ~0.5 s for 10,000 on 2 cores (DESIGN §3) */
export function deliveryDeadlineMs(n: number): number {
  return 10_000 + n * 4;
}

export const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_OPTIONS: '' });

/** /master and its ego_conf (naming it, as a master writes it) in one revision: agents read it at once */
export async function putMaster(ctx: FanoutContext, value: string): Promise<void> {
  await ctx.etcd.transport.json(
    '/v3/kv/txn',
    {
      success: [{ request_put: { key: b64(MASTER_KEY), value: b64(value) } }, { request_put: { key: b64(EGO_KEY), value: b64(egoBlob(value, EGO_SIZE)) } }],
    },
    { signal: ctx.signal },
  );
}

/** Sum of etcd's watcher gauge over the members (null if a member does not answer). */
async function serverWatchers(ctx: FanoutContext): Promise<number | null> {
  let sum = 0;
  for (const ep of ctx.endpoints) {
    try {
      const r = await request(`${ep}/metrics`, { dispatcher: ctx.dispatcher, signal: ctx.signal, headersTimeout: 2000, bodyTimeout: 2000 });
      const m = /^etcd_debugging_mvcc_watcher_total\s+(\d+)/m.exec(await r.body.text());
      if (!m) return null;
      sum += Number(m[1]);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      return null;
    }
  }
  return sum;
}

/** Wait (bounded) until etcd has torn down every watch of the previous peer. */
export async function settle(ctx: FanoutContext, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if ((await serverWatchers(ctx)) === 0) return true;
    if (Date.now() >= deadline) return false;
    await pause(100, ctx.signal);
  }
}

/** What the round loop needs from one peer. Times are absolute, on the peer's clock. */
export interface Sampler {
  begin(phase: 'delete' | 'put'): void;
  notified(): number;
  gotNew(): number;
  collect(): Promise<{ notify: number[]; newMaster: number[]; putSeen?: number[] }>;
  dead(): boolean;
}

export interface Samples {
  notify: number[];
  newMaster: number[];
  putSeen: number[];
  missing: number;
}

export async function runRounds(ctx: FanoutContext, n: number, offsetMs: number, sampler: Sampler, progress: Progress): Promise<Samples> {
  const s: Samples = { notify: [], newMaster: [], putSeen: [], missing: 0 };
  for (let r = 1; r <= ctx.rounds && !sampler.dead(); r++) {
    sampler.begin('delete');
    const tDel = now();
    await ctx.etcd.delete(MASTER_KEY, { signal: ctx.signal });
    await progress.until(() => sampler.notified() >= n || sampler.dead(), deliveryDeadlineMs(n), ctx.signal);
    sampler.begin('put');
    const tPut = now();
    await putMaster(ctx, `bench-m${r}`);
    await progress.until(() => sampler.gotNew() >= n || sampler.dead(), deliveryDeadlineMs(n), ctx.signal);
    const c = await sampler.collect();
    for (const t of c.notify) s.notify.push(t - offsetMs - tDel);
    for (const t of c.newMaster) s.newMaster.push(t - offsetMs - tPut);
    for (const t of c.putSeen ?? []) s.putSeen.push(t - offsetMs - tPut);
    s.missing += n - c.notify.length + (n - c.newMaster.length);
  }
  return s;
}

export function emptyRun(peer: PeerName, watchers: number): PeerRun {
  const none = distribution([]);
  return {
    peer,
    label: PEER_LABELS[peer],
    watchers,
    rounds: 0,
    readyMs: null,
    notifyMs: none,
    newMasterMs: none,
    putSeenMs: null,
    missing: 0,
    errors: 0,
    firstError: null,
    clockOffsetMs: 0,
    clockUncertaintyMs: 0,
    rssKiB: null,
    rssAfterKiB: null,
    failed: null,
  };
}

export function finish(run: PeerRun, s: Samples, rounds: number): PeerRun {
  return {
    ...run,
    rounds,
    notifyMs: distribution(s.notify),
    newMasterMs: distribution(s.newMaster),
    putSeenMs: s.putSeen.length ? distribution(s.putSeen) : run.putSeenMs,
    missing: s.missing,
  };
}

/** After a peer's rounds: its memory then, and its figures, unless it died during them. */
export async function afterRounds(run: PeerRun, proc: Proc, samples: Samples, rounds: number, what: string): Promise<PeerRun> {
  run.rssAfterKiB = await rssKiB(proc.pid);
  if (proc.dead) throw failure(`${what} exited during the rounds`, proc);
  return finish(run, samples, rounds);
}

export function failure(what: string, proc: Proc | null, e?: unknown): BenchError {
  const tail = proc?.stderrTail.length ? ` (stderr: ${proc.stderrTail.slice(-2).join(' | ')})` : '';
  return new BenchError(`${what}${e ? `: ${oneLine(e)}` : ''}${tail}`);
}

/** Once every watcher is in place: how long that took, the clock offset and the memory of the process. */
export async function whenReady(run: PeerRun, proc: Proc, pongs: PongWaiter, tSpawn: number): Promise<{ offsetMs: number }> {
  run.readyMs = now() - tSpawn;
  const off = await offsetOf(proc, pongs);
  run.clockOffsetMs = off.offsetMs;
  run.clockUncertaintyMs = off.uncertaintyMs;
  run.rssKiB = await rssKiB(proc.pid);
  return off;
}

async function offsetOf(proc: Proc, pongs: PongWaiter): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let seq = 0;
  return measureOffset(() => {
    const s = seq++;
    proc.send(JSON.stringify({ cmd: 'ping', seq: s }));
    return pongs.wait(s, 5000);
  }, 8);
}

/** Run one peer; a failure becomes the row's `failed` text instead of ending the bench. */
export async function guarded(ctx: FanoutContext, peer: PeerName, n: number, body: () => Promise<PeerRun>): Promise<PeerRun> {
  try {
    return await body();
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.log(`${peer} at N=${n} failed: ${oneLine(e)}`);
    return { ...emptyRun(peer, n), failed: oneLine(e) };
  }
}
