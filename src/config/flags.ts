/**
 * The common command-line flags (DESIGN §6) as overrides of conf/bench.conf,
 * judged by the same rules as the file, with errors naming the flag:
 *
 *   etcd-election-bench run --conf conf --ttl 3 --fault pause --seed-keys
 *   --ttl abc  ->  ConfigError "--ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "abc""
 *
 * The CLI spreads `commonFlagOptions` into its node:util parseArgs options
 * and hands the parsed `values` to settingsFromFlags() (or configFromFlags()).
 * Flags are the settings' names in kebab-case: masterPath <- --master-path.
 */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '../errors.ts';
import { DEFAULT_CONF_DIR, loadConfig, type Config } from './load.ts';
import { parseSetting, settingFlags, settingFlagsHelp, type SettingKey, type Settings } from './settings.ts';

/** parseArgs options of the common flags (long names only). */
export const commonFlagOptions = {
  conf: { type: 'string' },
  endpoints: { type: 'string' },
  'embedded-listen': { type: 'string' },
  backend: { type: 'string' },
  ttl: { type: 'string' },
  refresh: { type: 'string' },
  'master-path': { type: 'string' },
  'ego-key': { type: 'string' },
  'ego-size': { type: 'string' },
  masters: { type: 'string' },
  agents: { type: 'string' },
  rounds: { type: 'string' },
  fault: { type: 'string' },
  pause: { type: 'string' },
  'round-timeout': { type: 'string' },
  'seed-keys': { type: 'boolean' },
  'agent-mode': { type: 'string' },
  identity: { type: 'string' },
  'known-hosts': { type: 'string' },
  out: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** parseArgs `values`: flag name (no dashes) -> value. Other flags are ignored. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * The settings the flags set, each parsed and checked as in bench.conf;
 * flags not given are absent. Relative paths resolve against `cwd`.
 * Values are checked one by one here; loadConfig() checks them together.
 * Throws ConfigError naming the flag.
 */
export function settingsFromFlags(values: FlagValues, cwd: string = process.cwd()): Partial<Settings> {
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const { key, flag, boolean } of settingFlags()) {
    const v = values[flag];
    if (v === undefined) continue;
    const where = `--${flag}`;
    if (typeof v === 'boolean') {
      if (!boolean) throw new ConfigError('expected a value after the flag', where);
      out[key] = v;
      continue;
    }
    out[key] = parseSetting(key, v, where, { baseDir: cwd });
  }
  return out as Partial<Settings>;
}

/** loadConfig(--conf, settingsFromFlags(values)): the whole configuration from parsed flags. */
export function configFromFlags(values: FlagValues, cwd: string = process.cwd()): Config {
  const conf = values.conf;
  if (conf === true || conf === '') throw new ConfigError('expected a directory after the flag', '--conf');
  return loadConfig(typeof conf === 'string' ? conf : undefined, settingsFromFlags(values, cwd), cwd);
}

/** Help lines for the common flags, aligned: "  --ttl S            master key / lease TTL in whole seconds". */
export function commonFlagsHelp(): string {
  const rows: Array<[string, string]> = [['--conf DIR', `conf directory (default ${DEFAULT_CONF_DIR})`], ...settingFlagsHelp()];
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n');
}
