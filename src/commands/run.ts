/**
 * `run`: the headless benchmark. Checks everything it can before it starts
 * (flags, conf, output paths, standby, open files: exit 2), then brings the
 * session up, starts masters and agents, runs the rounds, and writes the
 * JSON (`--json FILE|-`, DESIGN §6). Progress and warnings go to stderr as
 * plain lines. SIGINT/SIGTERM/SIGHUP stop it like quit: the completed rounds
 * are kept, the JSON and results are written, exit 128+signal.
 *
 *   etcd-election-bench run --rounds 5 --fault kill --agents 200 --json out.json
 *   exit 0 ok, 1 the benchmark failed, 2 usage/config error
 */
import { writeFileSync } from 'node:fs';
import type { Config } from '../config/load.ts';
import { commonFlagOptions, commonFlagsHelp, configFromFlags } from '../config/flags.ts';
import { BenchError, UsageError, oneLine } from '../errors.ts';
import { Session } from '../run/session.ts';
import { preflight } from '../run/preflight.ts';
import { createPlainPrinter } from '../store/plain.ts';
import { outputFlag, parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';
import { onTermination } from './termination.ts';

export const RUN_OPTIONS = {
  ...commonFlagOptions,
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: etcd-election-bench run [options]

  --json FILE|-            write the result object to FILE or stdout (-)
  --quiet                  only warnings and errors on stderr
  --accept-new-host-keys   record first-seen SSH host keys in known_hosts
${commonFlagsHelp()}`;

export interface HeadlessOptions {
  json?: string;
  quiet?: boolean;
  acceptNewHostKeys?: boolean;
  io?: Io;
}

/** Run the configured benchmark without a console; resolves to the exit code. */
export async function headless(config: Config, o: HeadlessOptions = {}): Promise<number> {
  const io = o.io ?? stdio;
  const session = Session.create(config, { acceptNewHostKeys: o.acceptNewHostKeys });
  // start-up progress is held until the session is up: bad input (exit 2) found while starting stays one line;
  // warnings are printed at once
  let held: string[] | null = [];
  const printer = createPlainPrinter((line, level) => (held && level !== 'warn' ? held.push(line) : io.err(line)), { minLevel: o.quiet ? 'warn' : 'info' });
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
  term.dispose();
  const report = session.report();
  const json = JSON.stringify(report, null, 2) + '\n';
  if (o.json === '-') process.stdout.write(json);
  else if (o.json !== undefined) writeFileSync(o.json, json);
  io.err(`results: ${session.results.dir}`);
  if (failure && term.exitCode === null) io.err(`etcd-election-bench: ${oneLine(failure)}`);
  if (term.exitCode !== null) return term.exitCode;
  if (failure) return failure instanceof BenchError ? failure.exitCode : 1;
  return report.ok ? 0 : 1;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, RUN_OPTIONS, 'run');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`run: unexpected argument "${positionals[0]}" (try run --help)`);
  const json = outputFlag(values.json, '--json');
  const config = configFromFlags(values);
  preflight(config, { json, rounds: true });
  return headless(config, { json, quiet: values.quiet === true, acceptNewHostKeys: values['accept-new-host-keys'] === true, io });
}
