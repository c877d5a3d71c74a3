/**
 * `etcd-election-bench bench` (npm run bench): the speed and memory goals, as
 * ratios against peers measured side by side in the same run on a fresh
 * embedded 3-member etcd (DESIGN §3: "every latency figure is reported beside
 * a bare-watcher floor measured in the same run"):
 *
 *   - notification fan-out at each N: our agents vs the bare-watcher floor vs
 *     etcdctl watch (fanout.ts, peer-*.ts), p50 / p99 / max and ratios
 *   - memory: VmRSS per watcher, ours vs the floor
 *   - the store reducer on 10,000 agent events vs a trivial reducer
 *
 *   npm run bench                              N = 100, 1000, 5000; 3 rounds (~3 min on 2 cores)
 *   npm run bench -- --quick                   N = 100, 1000; 2 rounds (< 1 min)
 *   npm run bench -- --agents 200,2000 --rounds 5 --json bench.json
 *
 * Exit 0 when every peer delivered every sample, 1 otherwise, 2 for a bad
 * flag, 130 when interrupted. Every process started here (etcd members,
 * workers, etcdctl) is gone when it returns, whichever way it ends.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { startCluster, etcdBinary, type EmbeddedCluster } from '../cluster/embedded.ts';
import { which } from '../bootstrap.mjs';
import { BenchError, oneLine } from '../errors.ts';
import { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { workerBundle } from '../fleet/bundle.ts';
import { bareWatchersBundle } from './bare-bundle.ts';
import { ETCDCTL_MAX, guarded, settle, type FanoutContext } from './fanout.ts';
import { runBare } from './peer-bare.ts';
import { runEtcdctl } from './peer-etcdctl.ts';
import { runOurs } from './peer-ours.ts';
import { ChildSet, openFileLimit } from './procs.ts';
import { reducerThroughput } from './reducer-throughput.ts';
import { formatReport, memoryOf, ratioSet, type BenchResult, type FanoutResult, type MemoryResult, type PeerRun } from './report.ts';

const USAGE = `usage: etcd-election-bench bench [--quick] [--agents LIST] [--rounds N] [--json FILE|-]

  --quick          N = 100,1000 and 2 rounds (under a minute on 2 cores)
  --agents LIST    watcher counts to measure, e.g. 100,1000,5000 (default; --quick: 100,1000)
  --rounds N       DELETE + PUT rounds per peer and N (default 3; --quick: 2)
  --json FILE|-    also write the result object to FILE (- : stdout, the table goes to stderr)
`;

/** sockets an own-mode agent may hold (watch + gets), and fds a process needs besides */
const FDS_PER_WATCHER = 2;
const FDS_SPARE = 256;

class UsageError extends BenchError {
  override exitCode = 2;
}

export interface BenchOptions {
  agents: number[];
  rounds: number;
  quick: boolean;
  json: string | null;
}

/** Parse the flags; throws UsageError (exit 2) naming the flag. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  let values: { quick?: boolean; agents?: string; rounds?: string; json?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { quick: { type: 'boolean' }, agents: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    // node: "Unknown option '--fast'. To specify a positional ..." -> the first sentence
    throw new UsageError(oneLine(e).split('. ')[0].replace(/^TypeError \[\w+\]: /, ''));
  }
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (try bench --help)`);
  const quick = values.quick === true;
  let agents = quick ? [100, 1000] : [100, 1000, 5000];
  if (values.agents !== undefined) {
    const parts = values.agents.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new UsageError(`--agents: expected positive whole numbers separated by commas, e.g. 100,1000; got "${values.agents}"`);
    agents = parts.map(Number);
  }
  let rounds = quick ? 2 : 3;
  if (values.rounds !== undefined) {
    if (!/^\d+$/.test(values.rounds) || Number(values.rounds) < 1 || Number(values.rounds) > 100) throw new UsageError(`--rounds: expected a whole number 1..100, got "${values.rounds}"`);
    rounds = Number(values.rounds);
  }
  if (values.json === '') throw new UsageError('--json: expected a file name or -');
  return { agents, rounds, quick, json: values.json ?? null };
}

function etcdVersion(bin: string): string | null {
  try {
    return /etcd Version:\s*(\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Lower counts that would need more fds than one process may open. */
function capToLimit(agents: number[], limit: number | null): { agents: number[]; capped: { requested: number; used: number }[] } {
  if (limit === null) return { agents, capped: [] };
  const max = Math.max(1, Math.floor((limit - FDS_SPARE) / FDS_PER_WATCHER));
  const capped = agents.filter((n) => n > max).map((n) => ({ requested: n, used: max }));
  return { agents: [...new Set(agents.map((n) => Math.min(n, max)))], capped };
}

function fmtProgress(p: PeerRun): string {
  if (p.failed) return `${p.peer}: failed: ${p.failed}`;
  const s = (v: number | null) => (v === null ? '—' : v.toFixed(1));
  return `${p.peer}: ${p.watchers} ready in ${s(p.readyMs)} ms; notify p50 ${s(p.notifyMs.p50)} / max ${s(p.notifyMs.max)} ms; new master p50 ${s(p.newMasterMs.p50)} / max ${s(p.newMasterMs.max)} ms${p.missing ? `; ${p.missing} missing` : ''}`;
}

/** One N: the three peers one after the other, each after etcd has torn down the previous one's watches. */
async function measureAt(ctx: FanoutContext, n: number, base: { ours: number | null; bare: number | null }, errors: string[]): Promise<{ fanout: FanoutResult; memory: MemoryResult }> {
  let unsettled = !(await settle(ctx));
  ctx.log(`N=${n}: our agents`);
  const ours = await guarded(ctx, 'ours', n, () => runOurs(ctx, n));
  ctx.log(fmtProgress(ours));
  unsettled = !(await settle(ctx)) || unsettled;
  ctx.log(`N=${n}: bare watchers`);
  const bare = await guarded(ctx, 'bare', n, () => runBare(ctx, n));
  ctx.log(fmtProgress(bare));
  unsettled = !(await settle(ctx)) || unsettled;
  const k = Math.min(n, ETCDCTL_MAX);
  ctx.log(`N=${n}: ${k} etcdctl watch processes`);
  const etcdctl = await guarded(ctx, 'etcdctl', k, () => runEtcdctl(ctx, k));
  ctx.log(fmtProgress(etcdctl));
  for (const p of [ours, bare, etcdctl]) {
    if (p.failed) errors.push(`N=${n} ${p.peer}: ${p.failed}`);
    else if (p.missing) errors.push(`N=${n} ${p.peer}: ${p.missing} of ${p.watchers * p.rounds * 2} samples missing (not delivered before the deadline)`);
  }
  return {
    fanout: { n, ours, bare, etcdctl, ratios: { oursOverBare: ratioSet(ours, bare), oursOverEtcdctl: ratioSet(ours, etcdctl) }, unsettled },
    memory: memoryOf(n, ours, bare, etcdctl, base.ours, base.bare),
  };
}

/** What a run gathers; filled as it goes, so that an interrupted run still reports what it has. */
interface Gathered {
  fanout: FanoutResult[];
  memory: MemoryResult[];
  reducer: BenchResult['reducer'];
  etcdVersion: string | null;
  endpoints: string[];
  errors: string[];
}

/** Bundles, a fresh cluster, every N, the reducer; every process it starts is gone when it returns. */
async function gather(o: BenchOptions, agents: number[], signal: AbortSignal, log: (line: string) => void): Promise<Gathered> {
  const g: Gathered = { fanout: [], memory: [], reducer: null, etcdVersion: null, endpoints: [], errors: [] };
  const kids = new ChildSet();
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  let cluster: EmbeddedCluster | null = null;
  try {
    g.etcdVersion = etcdVersion(etcdBinary());
    log('building the worker and bare-watcher bundles');
    const [worker, barePath] = await Promise.all([workerBundle(), bareWatchersBundle()]);
    log('starting a 3-member etcd cluster on loopback');
    cluster = await startCluster({ signal, timeoutMs: 30_000 });
    g.endpoints = cluster.endpoints;
    const ctx: FanoutContext = {
      endpoints: g.endpoints,
      etcd: new EtcdV3(new Transport(g.endpoints, dispatcher)),
      dispatcher,
      kids,
      signal,
      rounds: o.rounds,
      workerPath: worker.path,
      barePath,
      etcdctl: which('etcdctl', ['/usr/bin']),
      log,
    };
    // the same programs with no watchers: what per-watcher memory is counted from
    const base = { ours: (await guarded(ctx, 'ours', 0, () => runOurs(ctx, 0))).rssKiB, bare: (await guarded(ctx, 'bare', 0, () => runBare(ctx, 0))).rssKiB };
    for (const n of agents) {
      const r = await measureAt(ctx, n, base, g.errors);
      g.fanout.push(r.fanout);
      g.memory.push(r.memory);
    }
    log('store reducer');
    g.reducer = await reducerThroughput(10_000);
  } catch (e) {
    g.errors.push(oneLine(e));
  } finally {
    await kids.killAll();
    kids.dispose();
    if (cluster) {
      log('stopping the etcd cluster');
      await cluster.stop().catch((e: unknown) => g.errors.push(`cluster stop: ${oneLine(e)}`));
    }
    await dispatcher.close().catch(() => {});
  }
  return g;
}

/** The table on stdout (stderr with `--json -`), the JSON where asked. */
function writeResult(result: BenchResult, json: string | null): void {
  const text = formatReport(result);
  if (json === '-') {
    process.stderr.write(text);
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else {
    process.stdout.write(text);
    if (json) writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
  }
}

export async function benchCommand(argv: string[]): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseBenchArgs(argv);
  } catch (e) {
    process.stderr.write(`etcd-election-bench bench: ${oneLine(e)}\n`);
    return e instanceof BenchError ? e.exitCode : 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const t0 = Date.now();
  const limit = openFileLimit();
  const { agents, capped } = capToLimit(o.agents, limit);
  for (const c of capped) log(`--agents ${c.requested} needs about ${c.requested * FDS_PER_WATCHER + FDS_SPARE} open files per process (2 sockets per own-mode agent) but ulimit -n is ${limit}: using ${c.used}`);

  const ctl = new AbortController();
  let interrupted = false;
  const onSignal = (sig: string) => {
    interrupted = true;
    log(`${sig}: stopping`);
    ctl.abort(new BenchError(`interrupted (${sig})`));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  let g: Gathered;
  try {
    g = await gather(o, agents, ctl.signal, log);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }

  const result: BenchResult = {
    config: {
      agents,
      rounds: o.rounds,
      quick: o.quick,
      etcdctlMax: ETCDCTL_MAX,
      endpoints: g.endpoints,
      etcdVersion: g.etcdVersion,
      nodeVersion: process.version,
      cpus: cpus().length,
      openFileLimit: limit,
      capped,
    },
    fanout: g.fanout,
    memory: g.memory,
    reducer: g.reducer,
    ok: g.errors.length === 0 && !interrupted,
    errors: g.errors,
    durationMs: Date.now() - t0,
  };
  writeResult(result, o.json);
  if (interrupted) return 130;
  return result.ok ? 0 : 1;
}
