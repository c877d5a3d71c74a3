/**
 * Load and validate the configuration once: conf/bench.conf (settings),
 * conf/master-ips.conf and conf/agent-ips.conf (hosts), then overrides from
 * the command line. The result is passed down; nothing re-reads the files.
 *
 *   const config = loadConfig('conf', { ttl: 3 });
 *   // { dir: '/abs/conf', settings: {ttl: 3, refresh: 0.5, ...},
 *   //   masters: [{name: 'localhost', address: 'localhost', port: 22, local: true, line: 4, file: 'conf/master-ips.conf'}],
 *   //   agents: [...], sources: {ttl: '--ttl', refresh: 'default', ...}, warnings: [] }
 *
 * Precedence: overrides > bench.conf > defaults. A missing file means its
 * defaults (all defaults; `localhost` for a host list); a conf directory that
 * was named but does not exist is an error, as is an empty master list.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';
import { parseBenchConf } from './bench-conf.ts';
import { checkSettings } from './check.ts';
import { defaultLocalHost, parseHostsFile, type HostSpec } from './hosts.ts';
import {
  DEFAULT_SETTINGS,
  flagName,
  parseSetting,
  settingToRaw,
  type SettingKey,
  type Settings,
  type Sources,
} from './settings.ts';

export type { HostSpec } from './hosts.ts';
export type { Settings, Sources, AgentMode } from './settings.ts';

export interface Config {
  /** absolute conf directory */
  dir: string;
  settings: Settings;
  masters: HostSpec[];
  agents: HostSpec[];
  /** where each setting came from: 'default', 'conf/bench.conf:7', '--ttl' */
  sources: Sources;
  /** allowed but suspicious choices, one line each, for the CLI/TUI to show */
  warnings: string[];
}

/** The package's own conf/ (next to src/), used when no --conf is given. */
export const DEFAULT_CONF_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'conf');

export const BENCH_CONF = 'bench.conf';
export const MASTER_IPS = 'master-ips.conf';
export const AGENT_IPS = 'agent-ips.conf';

/** A file's text, or null when it does not exist; other failures name the path. */
function readIfExists(file: string, shownAs: string = file): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new ConfigError('is a directory, expected a file', shownAs, { cause: e });
    throw new ConfigError(`cannot read: ${code ?? (e as Error).message}`, shownAs, { cause: e });
  }
}

/** `file` as errors name it; read relative to cwd */
function hostsOf(file: string, cwd: string): HostSpec[] {
  const text = readIfExists(resolve(cwd, file), file);
  return text === null ? [defaultLocalHost(file)] : parseHostsFile(text, file);
}

/**
 * Read and check the configuration in `confDir` (undefined: the package's
 * conf/, which may be missing), with `overrides` (typically from
 * settingsFromFlags) winning over the file. Overrides are re-checked with the
 * flag rules and named by their flag in errors. Relative paths among the
 * overrides and the default `out` resolve against `cwd`.
 * Throws ConfigError.
 */
export function loadConfig(confDir: string | undefined, overrides: Partial<Settings> = {}, cwd: string = process.cwd()): Config {
  const explicit = confDir !== undefined;
  const shown = confDir ?? DEFAULT_CONF_DIR;
  const dir = resolve(cwd, shown);

  let dirExists = false;
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw new ConfigError('is not a directory', shown);
    dirExists = true;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot open: ${(e as NodeJS.ErrnoException).code}`, shown, { cause: e });
    if (explicit) throw new ConfigError('conf directory does not exist', shown);
  }

  // files are named as the user would type them: relative to cwd when --conf was relative
  const fileOf = (name: string): string => join(shown, name);
  const sources = Object.fromEntries(Object.keys(DEFAULT_SETTINGS).map((k) => [k, 'default'])) as Sources;
  const settings: Settings = { ...DEFAULT_SETTINGS, out: resolve(cwd, DEFAULT_SETTINGS.out) };

  if (dirExists) {
    const benchFile = fileOf(BENCH_CONF);
    const text = readIfExists(resolve(cwd, benchFile), benchFile);
    if (text !== null) {
      const conf = parseBenchConf(text, benchFile, dir);
      Object.assign(settings, conf.values);
      Object.assign(sources, conf.sources);
    }
  }

  for (const [key, value] of Object.entries(overrides) as Array<[SettingKey, unknown]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_SETTINGS)) throw new ConfigError(`unknown setting ${JSON.stringify(key)}`);
    const flag = flagName(key);
    (settings as unknown as Record<string, unknown>)[key] = parseSetting(key, settingToRaw(key, value), flag, { baseDir: cwd });
    sources[key] = flag;
  }

  const warnings = checkSettings(settings, sources);

  const masterFile = fileOf(MASTER_IPS);
  const agentFile = fileOf(AGENT_IPS);
  const masters = dirExists ? hostsOf(masterFile, cwd) : [defaultLocalHost(masterFile)];
  const agents = dirExists ? hostsOf(agentFile, cwd) : [defaultLocalHost(agentFile)];
  if (masters.length === 0) throw new ConfigError('no master hosts: list at least one, e.g. "localhost"', masterFile);
  if (agents.length === 0 && settings.agents > 0) {
    warnings.push(`${agentFile} lists no hosts, so agents = ${settings.agents} starts no agents`);
  }

  return { dir, settings, masters, agents, sources, warnings };
}
