/**
 * A sweep: a grid of (TTL, refresh) points run one after another on ONE
 * etcd cluster (the embedded one, started once for the whole sweep or the
 * one `cluster start` left running, or the given endpoints), one Session per
 * point, each point its own results dir under the sweep's dir. It answers
 * "which TTL and refresh give failover under X without flapping at this load".
 *
 *   results/sweep-20261129-230222-12ad/ttl2-r0.5/   events.jsonl, summary.json, report.html, ...
 *   results/sweep-20261129-230222-12ad/sweep.json   {sweep: {...}, points: [{ttl: 2, refresh: 0.5, failoverMs: {...}, flapRate: 0, ...}]}
 *
 * Per point: failover and agent-notify distributions (as in `summary`), and
 * the flap rate (src/model/select.ts flapRate: rounds in which a healthy
 * master lost its lease). A point that fails is recorded with its error and
 * the sweep goes on; a usage or config error stops it (exit 2).
 */
import type { Config } from '../config/load.ts';
import { startCluster, type EmbeddedCluster } from '../cluster/embedded.ts';
import { attachCluster, runningCluster } from '../cluster/state.ts';
import { BenchError, oneLine } from '../errors.ts';
import { flapRate, flapped } from '../model/select.ts';
import type { SweepPoint } from '../report/sweep.ts';
import { createPlainPrinter } from '../store/plain.ts';
import { finishRun } from './finish.ts';
import { Session } from './session.ts';

export interface SweepPointSpec {
  ttl: number;
  refresh: number;
  /** the point's whole configuration (its `out` is the sweep's dir) */
  config: Config;
}

export interface SweepOptions {
  /** aborted: close the point in flight and run no more */
  signal: AbortSignal;
  /** progress and warnings, one line each */
  log: (line: string) => void;
  acceptNewHostKeys?: boolean;
}

/** "ttl2-r0.5": a point's results dir name. */
export function pointId(ttl: number, refresh: number): string {
  return `ttl${ttl}-r${refresh}`;
}

/** The one cluster of the sweep: the running `cluster start` one, or one started now (owned: stopped at the end); none for given endpoints. */
async function sweepCluster(config: Config, signal: AbortSignal, log: (line: string) => void): Promise<{ cluster: EmbeddedCluster | undefined; owned: boolean }> {
  if (config.settings.endpoints !== 'embedded') return { cluster: undefined, owned: false };
  const running = await runningCluster().catch(() => null);
  if (running) {
    log(`sweep: using the cluster started by \`cluster start\`: ${running.endpoints.join(',')}`);
    return { cluster: attachCluster(running.state), owned: false };
  }
  // no stop on the signal once up: each point's session lets go of it first, then the sweep stops it (the exit hooks cover a crash)
  const cluster = await startCluster({});
  if (signal.aborted) {
    await cluster.stop();
    return { cluster: undefined, owned: false };
  }
  log(`sweep: one embedded cluster for every point: ${cluster.endpoints.join(',')}`);
  return { cluster, owned: true };
}

/** Run one point's session to its end; a usage/config error is rethrown, any other failure recorded. */
async function runPoint(spec: SweepPointSpec, cluster: EmbeddedCluster | undefined, o: SweepOptions, current: (s: Session | null) => void): Promise<SweepPoint> {
  const st = spec.config.settings;
  const session = Session.create(spec.config, { cluster, runId: pointId(spec.ttl, spec.refresh), acceptNewHostKeys: o.acceptNewHostKeys });
  const printer = createPlainPrinter((line) => o.log(`  ${line}`), { minLevel: 'warn' });
  session.subscribe((e) => printer.push(e));
  current(session);
  let error: string | undefined;
  try {
    await session.start();
    await session.startMasters();
    await session.startAgents();
    await session.runRounds(st.rounds);
  } catch (e) {
    if (e instanceof BenchError && e.exitCode === 2) {
      await session.close();
      throw e;
    }
    if (!o.signal.aborted) error = oneLine(e);
  } finally {
    current(null);
  }
  await session.close();
  const end = await finishRun(session, { warn: o.log, stopped: o.signal.aborted ? 'the sweep was stopped' : null });
  const { rounds, summary } = end.report;
  return {
    ttl: spec.ttl,
    refresh: spec.refresh,
    agents: st.agents,
    rounds: rounds.length,
    failoverMs: summary.failoverMs,
    notifyMs: summary.agentNotifyMs,
    flapRate: flapRate(rounds),
    flaps: rounds.filter(flapped).length,
    ok: end.report.ok && error === undefined && rounds.length === st.rounds,
    dir: session.results.dir,
    ...(error ? { error } : {}),
  };
}

/**
 * Run the points in order on one cluster. Resolves with the points done
 * (fewer when the signal aborted). Throws the first usage/config error.
 */
export async function runSweep(specs: readonly SweepPointSpec[], o: SweepOptions): Promise<SweepPoint[]> {
  if (specs.length === 0) return [];
  const { cluster, owned } = await sweepCluster(specs[0].config, o.signal, o.log);
  let current: Session | null = null;
  const onAbort = () => void current?.close();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const points: SweepPoint[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      if (o.signal.aborted) break;
      o.log(`sweep: point ${i + 1}/${specs.length}: ttl ${spec.ttl} s, refresh ${spec.refresh} s`);
      const p = await runPoint(spec, cluster, o, (s) => (current = s));
      points.push(p);
      o.log(`sweep: point ${i + 1}/${specs.length}: ${p.rounds} round(s), failover p99 ${p.failoverMs.p99?.toFixed(1) ?? '—'} ms, flap rate ${p.flapRate ?? '—'}${p.error ? `, FAILED: ${p.error}` : ''}`);
    }
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    if (owned) await cluster?.stop();
  }
  return points;
}
