/**
 * Notification fan-out, measured for three peers one after the other against
 * the same cluster, each in its own process(es):
 *
 *   ours     `node <worker bundle> agents N`: our agents, one connection pool each
 *   bare     `node <bare bundle> --count N`: the bare-watcher floor (bare-watchers.ts)
 *   etcdctl  K = min(N, 100) `etcdctl watch /master` processes: etcd's own Go client
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
import { measureOffset, parseEventLine, PongWaiter } from '../fleet/worker-stream.ts';
import type { WorkerEvent } from '../events.ts';
import { pause, Progress, rssKiB, type ChildSet, type Proc } from './bench-procs.ts';
import { PEER_LABELS, type PeerName, type PeerRun } from './bench-report.ts';

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

const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_OPTIONS: '' });

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
interface Sampler {
  begin(phase: 'delete' | 'put'): void;
  notified(): number;
  gotNew(): number;
  collect(): Promise<{ notify: number[]; newMaster: number[]; putSeen?: number[] }>;
  dead(): boolean;
}

interface Samples {
  notify: number[];
  newMaster: number[];
  putSeen: number[];
  missing: number;
}

async function runRounds(ctx: FanoutContext, n: number, offsetMs: number, sampler: Sampler, progress: Progress): Promise<Samples> {
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

function emptyRun(peer: PeerName, watchers: number): PeerRun {
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

function finish(run: PeerRun, s: Samples, rounds: number): PeerRun {
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
async function afterRounds(run: PeerRun, proc: Proc, samples: Samples, rounds: number, what: string): Promise<PeerRun> {
  run.rssAfterKiB = await rssKiB(proc.pid);
  if (proc.dead) throw failure(`${what} exited during the rounds`, proc);
  return finish(run, samples, rounds);
}

function failure(what: string, proc: Proc | null, e?: unknown): BenchError {
  const tail = proc?.stderrTail.length ? ` (stderr: ${proc.stderrTail.slice(-2).join(' | ')})` : '';
  return new BenchError(`${what}${e ? `: ${oneLine(e)}` : ''}${tail}`);
}

/** Once every watcher is in place: how long that took, the clock offset and the memory of the process. */
async function whenReady(run: PeerRun, proc: Proc, pongs: PongWaiter, tSpawn: number): Promise<{ offsetMs: number }> {
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

// ---------------------------------------------------------------- ours

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

// ---------------------------------------------------------------- bare

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

// ---------------------------------------------------------------- etcdctl

/** etcd's own client: `k` `etcdctl watch /master` processes, one endpoint each (spread like ours). */
export async function runEtcdctl(ctx: FanoutContext, k: number): Promise<PeerRun> {
  const run = emptyRun('etcdctl', k);
  if (!ctx.etcdctl) return { ...run, failed: 'etcdctl is not installed (apt-get install etcd-client)' };
  await putMaster(ctx, 'bench-m0');
  const progress = new Progress();
  const env: NodeJS.ProcessEnv = { ETCDCTL_API: '3' };
  for (const [key, v] of Object.entries(process.env)) if (!key.startsWith('ETCDCTL_') && !key.startsWith('ETCD_')) env[key] = v;
  let phase: 'idle' | 'delete' | 'put' = 'idle';
  const seen = Array.from({ length: k }, () => ({ ready: false, notify: NaN, put: NaN }));
  let readyCount = 0;
  let notified = 0;
  let putSeen = 0;
  const procs: Proc[] = [];
  const tSpawn = now();
  try {
    for (let i = 0; i < k; i++) {
      const st = seen[i];
      procs.push(
        ctx.kids.spawn(
          `etcdctl watch #${i + 1}`,
          ctx.etcdctl,
          [`--endpoints=${ctx.endpoints[i % ctx.endpoints.length]}`, 'watch', MASTER_KEY],
          (line, t) => {
            // each event prints its type, the key, then (PUT) the value, one line each
            if (line === 'PUT') {
              if (!st.ready) {
                st.ready = true;
                readyCount++;
              } else if (phase === 'put' && Number.isNaN(st.put)) {
                st.put = t;
                putSeen++;
              }
            } else if (line === 'DELETE' && phase === 'delete' && Number.isNaN(st.notify)) {
              st.notify = t;
              notified++;
            } else return;
            progress.poke();
          },
          { env, dieWithUs: true, stopSignal: 'SIGKILL', onDeath: () => progress.poke() },
        ),
      );
    }
    const anyDead = () => procs.some((p) => p.dead);
    // etcdctl says nothing when its watch is in place: PUT sentinels until each printed one
    const deadline = now() + readyDeadlineMs(k);
    for (let seq = 0; readyCount < k && !anyDead() && now() < deadline; seq++) {
      await putMaster(ctx, `bench-sentinel-${seq}`);
      await progress.until(() => readyCount >= k || anyDead(), 100, ctx.signal);
    }
    if (readyCount < k) {
      const dead = procs.find((p) => p.dead);
      throw failure(`etcdctl: ${readyCount} of ${k} watches in place${dead ? `, ${dead.name} exited` : ` after ${readyDeadlineMs(k) / 1000} s`}`, dead ?? null);
    }
    run.readyMs = now() - tSpawn;
    const rss = await Promise.all(procs.map((p) => rssKiB(p.pid)));
    const known = rss.filter((v): v is number => v !== null);
    run.rssKiB = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    const samples = await runRounds(
      ctx,
      k,
      0,
      {
        begin(p) {
          phase = p;
          if (p === 'delete') {
            for (const st of seen) st.notify = st.put = NaN;
            notified = putSeen = 0;
          }
        },
        notified: () => notified,
        gotNew: () => putSeen,
        collect: async () => ({
          notify: seen.map((st) => st.notify).filter((v) => !Number.isNaN(v)),
          newMaster: seen.map((st) => st.put).filter((v) => !Number.isNaN(v)),
        }),
        dead: anyDead,
      },
      progress,
    );
    if (anyDead()) throw failure('an etcdctl watch exited during the rounds', procs.find((p) => p.dead) ?? null);
    return finish(run, samples, ctx.rounds);
  } finally {
    await Promise.all(procs.map((p) => p.stop(1000)));
  }
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
