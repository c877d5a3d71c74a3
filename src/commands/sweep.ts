/**
 * `sweep`: a grid of TTL × refresh, run on one cluster, one point after
 * another (src/run/sweep.ts). Every point is checked before anything starts
 * (exit 2 naming the flag); a point with refresh >= ttl is skipped with a
 * note. Prints the table (stdout), writes `--json FILE|-` and the sweep's
 * report.html. SIGINT stops it like `run`: the points done are kept.
 *
 *   etcd-election-bench sweep --ttl 2,3 --refresh 0.5,1 --agents 5 --rounds 3 --json sweep.json
 *   exit 0 every point ok, 1 a point failed, 2 usage/config error, 128+signal when stopped
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commonFlagOptions, commonFlagsHelp, configFromFlags } from '../config/flags.ts';
import type { Config } from '../config/load.ts';
import { parseSetting } from '../config/settings.ts';
import { oneLine, UsageError } from '../errors.ts';
import { sweepText, writeSweep, type SweepJson } from '../report/sweep.ts';
import { preflight } from '../run/preflight.ts';
import { newRunId } from '../run/results.ts';
import { runSweep, type SweepPointSpec } from '../run/sweep.ts';
import { outputFlag, parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';
import { onTermination } from './termination.ts';

const OPTIONS = {
  ...commonFlagOptions,
  json: { type: 'string' },
  'accept-new-host-keys': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: etcd-election-bench sweep --ttl LIST --refresh LIST [options]

  --ttl LIST               lease TTLs to try, whole seconds: 2,3,5
  --refresh LIST           keep-alive periods to try, seconds: 0.25,0.5,1 (points with refresh >= ttl are skipped)
  --json FILE|-            {points: [{ttl, refresh, agents, rounds, failoverMs, notifyMs, flapRate, ok, dir}]}
  --accept-new-host-keys   record first-seen SSH host keys in known_hosts
  every point runs --rounds rounds of --fault with --agents agents per host, on one cluster
${commonFlagsHelp()}`;

/** "2,3,5" -> [2, 3, 5], each value judged as the setting's flag is. */
function list(raw: string | undefined, key: 'ttl' | 'refresh'): number[] | null {
  if (raw === undefined) return null;
  const parts = raw.split(',').map((x) => x.trim());
  if (parts.some((x) => x === '')) throw new UsageError(`--${key}: expected a comma-separated list, e.g. --${key} ${key === 'ttl' ? '2,3,5' : '0.25,0.5,1'}`);
  return [...new Set(parts.map((x) => parseSetting(key, x, `--${key}`, { baseDir: process.cwd() }) as number))];
}

interface Grid {
  specs: SweepPointSpec[];
  skipped: SweepJson['sweep']['skipped'];
  ttls: number[];
  refreshes: number[];
  dir: string;
}

/** Every point's configuration, checked now; the sweep's dir under --out. */
function grid(values: Record<string, string | boolean | undefined>): Grid {
  const base = configFromFlags({ ...values, ttl: undefined, refresh: undefined });
  const ttls = list(values.ttl as string | undefined, 'ttl') ?? [base.settings.ttl];
  const refreshes = list(values.refresh as string | undefined, 'refresh') ?? [base.settings.refresh];
  const dir = join(base.settings.out, `sweep-${newRunId()}`);
  const specs: SweepPointSpec[] = [];
  const skipped: Grid['skipped'] = [];
  for (const ttl of ttls) {
    for (const refresh of refreshes) {
      if (refresh >= ttl) {
        skipped.push({ ttl, refresh, why: 'refresh must be shorter than ttl, or the key expires between keep-alives' });
        continue;
      }
      const config: Config = configFromFlags({ ...values, ttl: String(ttl), refresh: String(refresh), out: dir });
      specs.push({ ttl, refresh, config });
    }
  }
  if (specs.length === 0) throw new UsageError('sweep: no point to run: every refresh is >= its ttl');
  return { specs, skipped, ttls, refreshes, dir };
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS, 'sweep');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`sweep: unexpected argument "${positionals[0]}" (try sweep --help)`);
  const json = outputFlag(values.json, '--json');
  const g = grid(values);
  for (const k of g.skipped) io.err(`sweep: skipped ttl ${k.ttl} refresh ${k.refresh}: ${k.why}`);
  preflight(g.specs[0].config, { json, rounds: true });
  const st = g.specs[0].config.settings;
  const sweep = new AbortController();
  const term = onTermination((sig) => sweep.abort(sig));
  let points: SweepJson['points'] = [];
  try {
    points = await runSweep(g.specs, { signal: sweep.signal, log: io.err, acceptNewHostKeys: values['accept-new-host-keys'] === true });
  } finally {
    term.dispose();
  }
  const stopped = sweep.signal.aborted ? `stopped by ${String(sweep.signal.reason)}` : null;
  const out: SweepJson = { sweep: { dir: g.dir, ttl: g.ttls, refresh: g.refreshes, agents: st.agents, rounds: st.rounds, fault: st.fault, backend: st.backend, skipped: g.skipped, stopped }, points };
  const text = sweepText(out);
  if (json === '-') process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else if (json !== undefined) writeFileSync(json, JSON.stringify(out, null, 2) + '\n');
  for (const line of text.trimEnd().split('\n')) (json === '-' ? io.err : io.out)(line);
  try {
    io.err(`report    ${await writeSweep(out)}`);
  } catch (e) {
    io.err(`etcd-election-bench: warning: the sweep's report.html was not written: ${oneLine(e)}`);
  }
  if (term.exitCode !== null) return term.exitCode;
  return points.every((p) => p.ok) ? 0 : 1;
}
