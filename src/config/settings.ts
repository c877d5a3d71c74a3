/**
 * The benchmark's settings: names, defaults, and what each value may be. One
 * table drives conf/bench.conf (snake_case keys), the CLI flags (--kebab-case)
 * and the errors both give, so a value is judged the same wherever it comes
 * from.
 *
 *   conf/bench.conf:  ttl = 2          ->  settings.ttl === 2
 *   flag:             --master-path /m ->  settings.masterPath === '/m'
 *
 * Every raw value arrives as a string; parseSetting() turns it into the typed
 * value or throws a one-line ConfigError naming where it came from
 * (`conf/bench.conf:7` or `--ttl`), the key, what is allowed and the value:
 *   conf/bench.conf:7: ttl: expected a whole number of seconds >= 1, got "abc"
 * checkSettings() (check.ts) then judges the values together (refresh < ttl, ...);
 * the value readers themselves are in values.ts.
 */
import { BACKENDS, FAULTS, type BackendName, type FaultKind } from '../events.ts';
import { ConfigError } from '../errors.ts';
import { bool, decimal, endpoints, integer, Invalid, keyPath, knownHostsFile, listenAddress, oneOf, optionalFile, path, type ParseContext } from './values.ts';

export type { ParseContext } from './values.ts';

export type AgentMode = 'own' | 'grpc';
export const AGENT_MODES: readonly AgentMode[] = ['own', 'grpc'];

/** Why an agent mode cannot serve a backend, or null when it can. */
export function agentModeConflict(mode: AgentMode, backend: BackendName): string | null {
  return mode === 'grpc' && backend === 'v2-ttl' ? 'grpc agents need a v3 backend (etcd v2 has no gRPC API)' : null;
}

/** agent_mode: own | grpc; the retired value gets its own answer */
function agentMode(raw: string): AgentMode {
  if (raw.toLowerCase() === 'multiplexed') throw new Invalid(`one of ${AGENT_MODES.join(', ')} ("multiplexed" is now grpc: one gRPC watch stream per etcd member)`);
  return oneOf(raw, AGENT_MODES);
}

export interface Settings {
  /** 'embedded' (the local 3-member cluster) or etcd client URLs, e.g. ['http://10.0.0.1:2379'] */
  endpoints: 'embedded' | string[];
  /** an address of this machine the embedded cluster also listens on, handed to SSH hosts, e.g. '10.0.0.5'; null: loopback only */
  embeddedListen: string | null;
  backend: BackendName;
  /** key/lease TTL, whole seconds (both etcd APIs take integer seconds) */
  ttl: number;
  /** keep-alive interval, seconds, < ttl */
  refresh: number;
  /** the election key, e.g. '/master' */
  masterPath: string;
  /** the config blob the elected master writes and agents read, e.g. '/ego_conf' */
  egoKey: string;
  /** bytes of ego_conf */
  egoSize: number;
  /** masters per master host */
  masters: number;
  /** agents per agent host */
  agents: number;
  rounds: number;
  fault: FaultKind;
  /** seconds a `pause` fault keeps the master stopped (a `partition` fault, cut off); 0 = ttl + 1.5 (see pauseSeconds) */
  pause: number;
  /** seconds before a round is given up */
  roundTimeout: number;
  /** also write the seed's /new_master and /agents records */
  seedKeys: boolean;
  agentMode: AgentMode;
  /** absolute path of an SSH private key, or null for the agent/default keys */
  identity: string | null;
  /** absolute path of a known_hosts file, or null for the default */
  knownHosts: string | null;
  /** results directory (absolute after loadConfig) */
  out: string;
}

export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  endpoints: 'embedded',
  embeddedListen: null,
  backend: 'v3-lease',
  ttl: 2,
  refresh: 0.5,
  masterPath: '/master',
  egoKey: '/ego_conf',
  egoSize: 1024,
  masters: 3,
  agents: 100,
  rounds: 5,
  fault: 'kill',
  pause: 0,
  roundTimeout: 30,
  seedKeys: false,
  agentMode: 'own',
  identity: null,
  knownHosts: null,
  out: 'results',
});

/** Where a value came from: 'default', 'conf/bench.conf:7' or '--ttl'. */
export type Sources = Record<SettingKey, string>;

/** One setting: its names, what it accepts, and how to read it. */
export interface SettingSpec<K extends SettingKey = SettingKey> {
  key: K;
  /** name in bench.conf */
  conf: string;
  /** name on the command line, with dashes */
  flag: string;
  /** argument placeholder for help ('' for a boolean flag) */
  arg: string;
  /** "what is allowed", completes "expected ..." */
  expect: string;
  help: string;
  parse(raw: string, ctx: ParseContext): Settings[K];
}

function spec<K extends SettingKey>(s: SettingSpec<K>): SettingSpec<K> {
  return s;
}

/** In bench.conf order; also the order `--help` lists them. */
const SPECS = [
  spec({
    key: 'endpoints',
    conf: 'endpoints',
    flag: 'endpoints',
    arg: 'URLS',
    expect: '"embedded" or comma-separated http(s)://host:port URLs',
    help: 'etcd client URLs, comma-separated, or "embedded" (a local 3-member cluster)',
    parse: endpoints,
  }),
  spec({
    key: 'backend',
    conf: 'backend',
    flag: 'backend',
    arg: 'NAME',
    expect: `one of ${BACKENDS.join(', ')}`,
    help: `election backend: ${BACKENDS.join(' | ')}`,
    parse: (raw) => oneOf(raw, BACKENDS),
  }),
  spec({
    key: 'ttl',
    conf: 'ttl',
    flag: 'ttl',
    arg: 'S',
    expect: 'a whole number of seconds >= 1 (etcd TTLs are whole seconds)',
    help: 'master key / lease TTL in whole seconds',
    parse: (raw) => integer(raw, 1),
  }),
  spec({
    key: 'refresh',
    conf: 'refresh',
    flag: 'refresh',
    arg: 'S',
    expect: 'a number of seconds > 0',
    help: 'keep-alive interval in seconds (< ttl)',
    parse: (raw) => decimal(raw, (n) => n > 0),
  }),
  spec({
    key: 'masterPath',
    conf: 'master_path',
    flag: 'master-path',
    arg: 'KEY',
    expect: 'an etcd key starting with "/", e.g. /master (no spaces, no trailing "/")',
    help: 'the election key',
    parse: keyPath,
  }),
  spec({
    key: 'egoKey',
    conf: 'ego_key',
    flag: 'ego-key',
    arg: 'KEY',
    expect: 'an etcd key starting with "/", e.g. /ego_conf (no spaces, no trailing "/")',
    help: 'the config blob the new master writes and agents read',
    parse: keyPath,
  }),
  spec({
    key: 'egoSize',
    conf: 'ego_size',
    flag: 'ego-size',
    arg: 'BYTES',
    expect: 'a whole number of bytes from 0 to 1048576',
    help: 'size of the config blob in bytes',
    parse: (raw) => integer(raw, 0, 1_048_576),
  }),
  spec({
    key: 'masters',
    conf: 'masters',
    flag: 'masters',
    arg: 'N',
    expect: 'a whole number >= 1 (masters per master host)',
    help: 'masters per master host',
    parse: (raw) => integer(raw, 1),
  }),
  spec({
    key: 'agents',
    conf: 'agents',
    flag: 'agents',
    arg: 'N',
    expect: 'a whole number from 0 to 20000 (agents per agent host)',
    help: 'agents per agent host',
    parse: (raw) => integer(raw, 0, 20_000),
  }),
  spec({
    key: 'rounds',
    conf: 'rounds',
    flag: 'rounds',
    arg: 'N',
    expect: 'a whole number >= 1',
    help: 'fault rounds per run',
    parse: (raw) => integer(raw, 1),
  }),
  spec({
    key: 'fault',
    conf: 'fault',
    flag: 'fault',
    arg: 'F',
    expect: `one of ${FAULTS.join(', ')}`,
    help: `fault per round: ${FAULTS.join(' | ')}`,
    parse: (raw) => oneOf(raw, FAULTS),
  }),
  spec({
    key: 'pause',
    conf: 'pause',
    flag: 'pause',
    arg: 'S',
    expect: 'a number of seconds >= 0 (0 means ttl + 1.5)',
    help: 'how long the pause fault stops the master (the partition fault cuts it off), seconds (0: ttl + 1.5)',
    parse: (raw) => decimal(raw, (n) => n >= 0),
  }),
  spec({
    key: 'roundTimeout',
    conf: 'round_timeout',
    flag: 'round-timeout',
    arg: 'S',
    expect: 'a number of seconds > 0',
    help: 'give a round up after this many seconds',
    parse: (raw) => decimal(raw, (n) => n > 0),
  }),
  spec({
    key: 'seedKeys',
    conf: 'seed_keys',
    flag: 'seed-keys',
    arg: '',
    expect: 'true or false (also yes/no, 1/0)',
    help: "also write the seed scripts' /new_master and /agents records",
    parse: bool,
  }),
  spec({
    key: 'agentMode',
    conf: 'agent_mode',
    flag: 'agent-mode',
    arg: 'M',
    expect: `one of ${AGENT_MODES.join(', ')}`,
    help: 'own: one connection per agent; grpc: one shared gRPC watch stream per etcd member (v3 backends)',
    parse: agentMode,
  }),
  spec({
    key: 'identity',
    conf: 'identity',
    flag: 'identity',
    arg: 'FILE',
    expect: 'the path of an SSH private key file',
    help: 'SSH private key for the remote hosts',
    parse: (raw, ctx) => optionalFile(raw, ctx, 'an SSH private key file'),
  }),
  spec({
    key: 'knownHosts',
    conf: 'known_hosts',
    flag: 'known-hosts',
    arg: 'FILE',
    expect: 'the path of a known_hosts file',
    help: 'known_hosts file to check the remote hosts against',
    parse: (raw, ctx) => knownHostsFile(raw, ctx),
  }),
  spec({
    key: 'embeddedListen',
    conf: 'embedded_listen',
    flag: 'embedded-listen',
    arg: 'ADDR',
    expect: 'an IP address of this machine, e.g. 10.0.0.5',
    help: 'the embedded cluster also listens on ADDR, and SSH hosts reach it there',
    parse: listenAddress,
  }),
  spec({
    key: 'out',
    conf: 'out',
    flag: 'out',
    arg: 'DIR',
    expect: 'a directory path',
    help: 'results directory',
    parse: (raw, ctx) => path(raw, ctx),
  }),
] as const;

/** A spec of any one key (a union, so spec.key narrows). */
export type AnySpec = { [K in SettingKey]: SettingSpec<K> }[SettingKey];

const BY_KEY = new Map<SettingKey, AnySpec>(SPECS.map((s) => [s.key, s as AnySpec]));
const BY_CONF = new Map<string, AnySpec>(SPECS.map((s) => [s.conf, s as AnySpec]));

/** bench.conf key names, in table order. */
export const CONF_KEYS: readonly string[] = SPECS.map((s) => s.conf);

/** The spec of a bench.conf key ('master_path'; '-' and case are forgiven), or undefined. */
export function specOfConfKey(name: string): AnySpec | undefined {
  return BY_CONF.get(name.toLowerCase().replace(/-/g, '_'));
}

function specOf(key: SettingKey): AnySpec {
  const s = BY_KEY.get(key);
  if (!s) throw new Error(`no setting ${String(key)}`);
  return s;
}

/** bench.conf name of a setting: masterPath -> master_path */
export function confName(key: SettingKey): string {
  return specOf(key).conf;
}

/** flag of a setting: masterPath -> --master-path */
export function flagName(key: SettingKey): string {
  return `--${specOf(key).flag}`;
}

/** For help output: [['--ttl S', 'master key / lease TTL in whole seconds'], ...] */
export function settingFlagsHelp(): Array<[string, string]> {
  return SPECS.map((s) => [s.arg ? `--${s.flag} ${s.arg}` : `--${s.flag}`, s.help]);
}

/** For parseArgs: the flag (no dashes) and whether it takes a value. */
export function settingFlags(): Array<{ key: SettingKey; flag: string; boolean: boolean }> {
  return SPECS.map((s) => ({ key: s.key, flag: s.flag, boolean: s.arg === '' }));
}

/**
 * Parse one raw value. `where` names its origin for the error: a conf
 * location ('conf/bench.conf:7', the key is then named in the message) or
 * a flag ('--ttl'). Surrounding whitespace is ignored.
 */
export function parseSetting<K extends SettingKey>(key: K, raw: string, where: string, ctx: ParseContext): Settings[K] {
  const s = specOf(key) as unknown as SettingSpec<K>;
  const text = raw.trim();
  try {
    return s.parse(text, ctx);
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    const subject = where.startsWith('--') ? '' : `${s.conf}: `;
    throw new ConfigError(`${subject}expected ${e.expected ?? s.expect}, got ${JSON.stringify(text)}`, where);
  }
}

/** The raw text a typed value would be written as, to re-check values given in code. */
export function settingToRaw(key: SettingKey, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (key === 'endpoints' && Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Seconds the `pause` fault keeps the master stopped: `pause`, or ttl + 1.5 when 0. */
export function pauseSeconds(s: Pick<Settings, 'pause' | 'ttl'>): number {
  return s.pause > 0 ? s.pause : s.ttl + 1.5;
}
