/**
 * Argument parsing, subcommand dispatch and exit codes (DESIGN §6):
 * 0 ok, 1 the benchmark failed, 2 usage or configuration error. Errors are
 * printed as one line, never a stack.
 *
 *   etcd-election-bench run --endpoints embedded --backend v2-ttl --rounds 5 --json out.json
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { writeFileSync } from 'node:fs';
import { BenchError, ConfigError, oneLine } from './errors.ts';
import { commonFlagOptions, commonFlagsHelp, configFromFlags } from './config/flags.ts';
import type { Config } from './config/load.ts';
import { Session } from './bench/session.ts';
import { createPlainPrinter } from './store/plain.ts';
import { summaryCommand } from './bench/summary-command.ts';

const VERSION = '0.1.0';

const USAGE = `usage: etcd-election-bench [command] [options]

commands:
  tui (default)            the console: hosts, /master watch, failover summary
  run                      headless benchmark: --json FILE|-  exit 0 ok, 1 failed, 2 usage/config error
  cluster start|stop|status  the embedded 3-member etcd on loopback
  hosts                    reachability, node version, clock offset per host
  clean                    delete the benchmark's keys
  stop [--masters]         stop workers on all hosts (agents; with --masters, masters too)
  summary DIR              summarize a results directory
  bench                    speed and memory benchmark against peers (npm run bench)
  worker master|agents N   what runs on a host

common options:
${commonFlagsHelp()}
  --accept-new-host-keys   record first-seen SSH host keys in known_hosts
  --json FILE|-            (run, hosts, summary) write JSON to FILE or stdout (-)
  --quiet                  (run) no progress lines on stderr
  --plain                  (tui) plain lines instead of the console
  --idle                   (tui) do not start masters and agents at start-up (keys s, a)
`;

const cliOptions = {
  ...commonFlagOptions,
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  masters: commonFlagOptions.masters,
  'accept-new-host-keys': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  plain: { type: 'boolean' },
  idle: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: cliOptions, allowPositionals: true, strict: true });
  } catch (e) {
    // node: "Unknown option '--ttx'. To specify a positional ..." -> keep the first sentence
    throw new ConfigError(oneLine(e).split('. ')[0].replace(/^TypeError \[\w+\]: /, ''));
  }
}

function err(line: string): void {
  process.stderr.write(`etcd-election-bench: ${line}\n`);
}

export async function main(argv: string[]): Promise<number> {
  // these two parse their own flags
  if (argv[0] === 'worker') {
    const { runWorker, flushOut } = await import('./worker/worker.ts');
    const code = await runWorker(argv.slice(1));
    flushOut();
    // as the bundled worker does: leave once stdout is drained, whatever still listens on stdin
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    process.exit(code);
  }
  if (argv[0] === 'bench') {
    const { benchCommand } = await import('./perf/command.ts');
    return benchCommand(argv.slice(1));
  }
  try {
    // `stop --masters` is a switch, while elsewhere --masters takes a count
    const stopMasters = argv[0] === 'stop' && argv.includes('--masters');
    const { values, positionals } = parse(stopMasters ? argv.filter((a) => a !== '--masters') : argv);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (values.version) {
      process.stdout.write(VERSION + '\n');
      return 0;
    }
    const [cmd = 'tui', ...rest] = positionals;
    switch (cmd) {
      case 'tui':
        return await tuiCommand(values);
      case 'run':
        return await runCommand(values);
      case 'cluster': {
        const { clusterCommand } = await import('./cluster/command.ts');
        return await clusterCommand(argv.slice(argv.indexOf('cluster') + 1));
      }
      case 'hosts': {
        const { hostsCommand } = await import('./fleet/hosts-command.ts');
        return await hostsCommand(configFromFlags(values), { json: values.json, acceptNewHostKeys: values['accept-new-host-keys'] === true });
      }
      case 'clean':
        return await cleanCommand(values);
      case 'stop': {
        const { stopCommand } = await import('./fleet/stop-command.ts');
        return await stopCommand(configFromFlags(values), { masters: stopMasters, acceptNewHostKeys: values['accept-new-host-keys'] === true });
      }
      case 'summary':
        if (!rest[0]) throw new ConfigError('summary: expected a results directory, e.g. results/20261125-153012-4f2a');
        return summaryCommand(rest[0], { json: values.json });
      default:
        throw new ConfigError(`unknown command "${cmd}" (try --help)`);
    }
  } catch (e) {
    err(oneLine(e));
    return e instanceof BenchError ? e.exitCode : 1;
  }
}

/** `run`: start masters and agents, run the rounds, write the JSON; exit 0 ok / 1 failed. */
async function runCommand(values: Values): Promise<number> {
  const config = configFromFlags(values);
  return headless(config, values);
}

async function headless(config: Config, values: Values): Promise<number> {
  const quiet = values.quiet === true;
  const printer = createPlainPrinter((line) => process.stderr.write(line + '\n'));
  const session = await Session.open(config, { acceptNewHostKeys: values['accept-new-host-keys'] === true });
  const unsub = quiet ? () => {} : session.subscribe((e) => printer.push(e));
  const onSignal = () => void session.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let failure: string | null = null;
  try {
    await session.startMasters();
    await session.startAgents();
    await session.runRounds(config.settings.rounds);
  } catch (e) {
    failure = oneLine(e);
    session.log('error', failure);
  }
  const report = session.report();
  unsub();
  await session.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const json = JSON.stringify(report, null, 2) + '\n';
  if (values.json === '-') process.stdout.write(json);
  else if (typeof values.json === 'string') writeFileSync(values.json, json);
  if (!quiet) {
    process.stderr.write(`results: ${session.results.dir}\n`);
    if (failure) err(failure);
  }
  return report.ok ? 0 : 1;
}

/** The console; without a TTY (or raw mode) the same run as `run`, as plain lines. */
async function tuiCommand(values: Values): Promise<number> {
  const config = configFromFlags(values);
  const { canUseInk, runTui } = await import('../views/run-tui.tsx');
  if (values.plain || !canUseInk(process.stdout, process.stdin)) {
    err('not a terminal (or raw mode unsupported): running headless with plain output');
    return headless(config, values);
  }
  const session = Session.create(config, { acceptNewHostKeys: values['accept-new-host-keys'] === true });
  // the console is up at once and shows the start-up (cluster, hosts, masters, agents) as it happens
  const starting = (async () => {
    await session.start();
    if (values.idle) return;
    await session.startMasters();
    await session.startAgents();
  })().catch((e) => session.log('error', oneLine(e)));
  try {
    await runTui({ source: session, actions: session, defaultRounds: config.settings.rounds, roundsFault: config.settings.fault });
  } finally {
    await starting;
    await session.close();
  }
  return 0;
}

/** `clean`: delete the benchmark's keys from the configured (or `cluster start`ed) etcd. */
async function cleanCommand(values: Values): Promise<number> {
  const config = configFromFlags(values);
  if (config.settings.endpoints === 'embedded') {
    const { runningCluster } = await import('./cluster/state.ts');
    const running = await runningCluster();
    if (!running) {
      err('no cluster is running (the embedded one lives only as long as its run; `cluster start` keeps one): nothing to clean');
      return 0;
    }
    config.settings.endpoints = running.endpoints;
  }
  const { cleanKeys } = await import('./bench/clean.ts');
  const n = await cleanKeys(config.settings.endpoints as string[], config.settings);
  process.stdout.write(`deleted ${n} key(s)\n`);
  return 0;
}
