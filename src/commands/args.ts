/**
 * The one flag parser of every command (and of the worker): node:util's
 * parseArgs, strict, with its errors turned into a one-line UsageError
 * (exit 2) that names the flag.
 *
 *   parseFlags(['--ttx', '3'], { ttl: { type: 'string' } }, 'run')
 *   // UsageError "run: Unknown option '--ttx' (try run --help)"
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends FlagOptions>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node: "Unknown option '--ttx'. To specify a positional argument starting with a '-', ..." -> the first sentence
    const first = (e instanceof Error ? e.message : String(e)).split('. ')[0].replace(/^TypeError \[\w+\]: /, '');
    throw new UsageError(`${command}: ${first} (try ${command} --help)`, { cause: e });
  }
}

/** A flag that names an output: a file path, or "-" for stdout. */
export function outputFlag(value: string | boolean | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === '') throw new UsageError(`${flag}: expected a file name or -`);
  return String(value);
}
