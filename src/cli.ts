/**
 * The command line, parsed once: which subcommand (src/commands/), its
 * flags (its own module, through one parser), the exit code (DESIGN §6):
 * 0 ok, 1 the benchmark failed, 2 usage or configuration error. Errors are
 * printed as one line, never a stack.
 *
 *   etcd-election-bench run --endpoints embedded --backend v2-ttl --rounds 5 --json out.json
 */
import { BenchError, oneLine, UsageError } from './errors.ts';
import { commonFlagsHelp } from './config/flags.ts';
import { COMMANDS } from './commands/index.ts';
import { stdio, type Io } from './commands/io.ts';

const VERSION = '0.1.0';

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length)) + 2;
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)} ${c.summary}`);
  return `usage: etcd-election-bench [command] [options]     (command --help for its options)

commands:
${lines.join('\n')}

common options:
${commonFlagsHelp()}
`;
}

/**
 * Run one subcommand; errors become one line on io.err (after `prefix`) and
 * their exit code (2 for usage/config, 1 otherwise).
 */
export async function runCommand(name: string, argv: string[], io: Io = stdio, prefix = 'etcd-election-bench: '): Promise<number> {
  try {
    const entry = COMMANDS[name];
    if (!entry) throw new UsageError(`unknown command "${name}" (try --help)`);
    return await (await entry.load()).main(argv, io);
  } catch (e) {
    io.err(`${prefix}${oneLine(e)}`);
    return e instanceof BenchError ? e.exitCode : 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (first === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  // no command, or options only: the console
  if (first === undefined || first.startsWith('-')) return runCommand('tui', argv);
  return runCommand(first, argv.slice(1));
}
