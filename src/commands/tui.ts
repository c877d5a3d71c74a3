/**
 * `tui` (the default): the console. It opens at once and shows the start-up
 * (cluster, hosts, masters, agents) as it happens. Without a terminal (or
 * raw mode, or with CI set) it runs headless with plain lines, as `run`.
 * SIGINT/SIGTERM/SIGHUP quit it like `q`; quitting always closes the session
 * (workers, cluster) and gives the terminal back, then writes report.html
 * and leaves the run's summary (rounds, failover, notify, results and report
 * paths) on the normal screen.
 *
 *   etcd-election-bench            # the console on the embedded default
 *   etcd-election-bench --idle     # start nothing; s and a start masters and agents
 */
import { commonFlagOptions, commonFlagsHelp, configFromFlags } from '../config/flags.ts';
import { oneLine, UsageError } from '../errors.ts';
import { preflight } from '../run/preflight.ts';
import { Session } from '../run/session.ts';
import { WaitAborted } from '../run/wait.ts';
import { parseFlags } from './args.ts';
import { finishRun } from '../run/finish.ts';
import { stdio, type Io } from './io.ts';
import { headless } from './run.ts';
import { onTermination } from './termination.ts';

export const USAGE = `usage: etcd-election-bench [tui] [options]

  --plain                  plain lines instead of the console
  --idle                   do not start masters and agents at start-up (keys s, a)
  --accept-new-host-keys   record first-seen SSH host keys in known_hosts
${commonFlagsHelp()}`;

const OPTIONS = {
  ...commonFlagOptions,
  plain: { type: 'boolean' },
  idle: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS, 'tui');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}" (try --help)`);
  const config = configFromFlags(values);
  preflight(config, { rounds: false });
  const acceptNewHostKeys = values['accept-new-host-keys'] === true;
  const { canUseInk, runTui } = await import('../../views/run-tui.tsx');
  if (values.plain || !canUseInk(process.stdout, process.stdin)) {
    io.err('etcd-election-bench: not a terminal (or raw mode unsupported): running headless with plain output');
    return headless(config, { acceptNewHostKeys, quiet: values.quiet === true, io });
  }
  const session = Session.create(config, { acceptNewHostKeys });
  const term = onTermination(() => session.close());
  // the console is up at once and shows the start-up as it happens
  const starting = (async () => {
    await session.start();
    if (values.idle) return;
    await session.startMasters();
    await session.startAgents();
  })().catch((e) => {
    if (!(e instanceof WaitAborted) && !session.signal.aborted) session.log('error', `start-up failed: ${oneLine(e)}`);
  });
  try {
    await runTui({ source: session, actions: session, defaultRounds: config.settings.rounds, roundsFault: config.settings.fault, signal: term.signal });
  } finally {
    await session.close();
    await starting;
    term.dispose();
  }
  // Ink has given the terminal back: what the run did, on the normal screen
  const stopped = term.signal.aborted ? `stopped by ${String(term.signal.reason)}` : null;
  const end = await finishRun(session, { warn: io.err, stopped });
  for (const line of end.lines) io.out(line);
  return term.exitCode ?? 0;
}
