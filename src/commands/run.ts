/**
 * `run`: the headless benchmark. Checks everything it can before it starts
 * (flags, conf, output paths, standby, open files: exit 2), then brings the
 * session up, starts masters and agents, runs the rounds, and writes the
 * JSON (`--json FILE|-`, DESIGN §6), report.html and a summary table on
 * stderr. Progress and warnings go to stderr as plain lines, or as JSON
 * lines with `--progress ndjson`. `--assert EXPR` (repeatable) gates the
 * result: a bad expression is exit 2 before anything starts, a broken one
 * exit 1 with one line each. SIGINT/SIGTERM/SIGHUP stop it like quit: the
 * completed rounds are kept, the JSON, results, report and summary table are
 * written, exit 128+signal.
 *
 *   etcd-election-bench run --rounds 5 --fault kill --agents 200 --json out.json --assert 'failover.p99<2600'
 *   exit 0 ok, 1 the benchmark failed (or an assertion broke), 2 usage/config error
 */
import { writeFileSync } from 'node:fs';
import type { Config } from '../config/load.ts';
import { commonFlagOptions, commonFlagsHelp, configFromFlags } from '../config/flags.ts';
import { BenchError, UsageError, oneLine } from '../errors.ts';
import { Session } from '../run/session.ts';
import { preflight } from '../run/preflight.ts';
import { parseAssertions, type Assertion } from '../report/slo.ts';
import { createNdjsonPrinter } from '../store/ndjson.ts';
import { createPlainPrinter } from '../store/plain.ts';
import { outputFlag, parseFlags } from './args.ts';
import { finishRun } from '../run/finish.ts';
import { stdio, type Io } from './io.ts';
import { onTermination } from './termination.ts';

export const RUN_OPTIONS = {
  ...commonFlagOptions,
  json: { type: 'string' },
  assert: { type: 'string', multiple: true },
  progress: { type: 'string' },
  quiet: { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: etcd-election-bench run [options]

  --json FILE|-            write the result object to FILE or stdout (-)
  --assert EXPR            SLO gate, repeatable: failover.p99<2600, notify.max<5000, lost=0 ...
                           (failover detect election dualLeader staleLeader notify reget get
                           with .p50 .p95 .p99 .max .mean .min .n; rounds failed lost; < <= > >= = !=)
  --progress plain|ndjson  progress on stderr as plain lines (default) or one JSON object per line
  --quiet                  only warnings and errors on stderr
  --accept-new-host-keys   record first-seen SSH host keys in known_hosts
${commonFlagsHelp()}`;

export interface HeadlessOptions {
  json?: string;
  asserts?: readonly Assertion[];
  progress?: 'plain' | 'ndjson';
  quiet?: boolean;
  acceptNewHostKeys?: boolean;
  io?: Io;
}

/** Run the configured benchmark without a console; resolves to the exit code. */
export async function headless(config: Config, o: HeadlessOptions = {}): Promise<number> {
  const io = o.io ?? stdio;
  const ndjson = o.progress === 'ndjson';
  const session = Session.create(config, { acceptNewHostKeys: o.acceptNewHostKeys });
  // start-up progress is held until the session is up: bad input (exit 2) found while starting stays one line;
  // warnings are printed at once
  let held: string[] | null = [];
  const say = (line: string, urgent: boolean) => (held && !urgent ? held.push(line) : io.err(line));
  const printer = ndjson
    ? createNdjsonPrinter((line) => say(line, line.startsWith('{"type":"warning"')))
    : createPlainPrinter((line, level) => say(line, level === 'warn'), { minLevel: o.quiet ? 'warn' : 'info' });
  const release = () => {
    for (const line of held ?? []) io.err(line);
    held = null;
  };
  session.subscribe((e) => printer.push(e));
  const term = onTermination(() => session.close());
  let failure: unknown = null;
  try {
    await session.start();
    release();
    await session.startMasters();
    await session.startAgents();
    await session.runRounds(config.settings.rounds);
  } catch (e) {
    // usage and config errors: one line, by the CLI; nothing was measured
    if (e instanceof BenchError && e.exitCode === 2) {
      held = null;
      await session.close();
      term.dispose();
      throw e;
    }
    failure = e;
    release();
    if (!term.signal.aborted) session.log('error', oneLine(e));
  }
  await session.close();
  const stopped = term.signal.aborted ? `stopped by ${String(term.signal.reason)}` : null;
  const end = await finishRun(session, { asserts: o.asserts, warn: io.err, stopped });
  term.dispose();
  const json = JSON.stringify(end.report, null, 2) + '\n';
  if (o.json === '-') process.stdout.write(json);
  else if (o.json !== undefined) writeFileSync(o.json, json);
  if (ndjson) {
    const t = Date.now();
    for (const v of end.verdicts ?? []) io.err(JSON.stringify({ type: 'assert', t, ...v }));
    io.err(JSON.stringify({ type: 'end', t, ok: end.report.ok, rounds: end.report.rounds.length, failed: end.report.rounds.filter((r) => !r.ok).length, summary: end.report.summary, results: session.results.dir, report: end.reportPath, stopped }));
  } else {
    for (const line of end.lines) io.err(line);
    for (const line of end.broken) io.err(line);
  }
  if (failure && term.exitCode === null) io.err(ndjson ? JSON.stringify({ type: 'failed', t: Date.now(), message: oneLine(failure) }) : `etcd-election-bench: ${oneLine(failure)}`);
  if (term.exitCode !== null) return term.exitCode;
  if (failure) return failure instanceof BenchError ? failure.exitCode : 1;
  return end.report.ok && end.broken.length === 0 ? 0 : 1;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, RUN_OPTIONS, 'run');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`run: unexpected argument "${positionals[0]}" (try run --help)`);
  const json = outputFlag(values.json, '--json');
  const asserts = parseAssertions(values.assert ?? []);
  const progress = values.progress ?? 'plain';
  if (progress !== 'plain' && progress !== 'ndjson') throw new UsageError(`--progress: expected plain or ndjson, got "${progress}"`);
  const { assert: _asserts, ...flags } = values;
  const config = configFromFlags(flags);
  preflight(config, { json, rounds: true });
  return headless(config, { json, asserts, progress, quiet: values.quiet === true, acceptNewHostKeys: values['accept-new-host-keys'] === true, io });
}
