/**
 * conf/bench.conf: the benchmark's settings as `key = value` lines, ini-like
 * without sections (an optional `[bench]` header is accepted). Keys and
 * values are those of ./settings.ts.
 *
 *   # failover with a 2 s TTL, 10 rounds
 *   [bench]
 *   ttl = 2
 *   refresh = 0.5          # seconds
 *   endpoints = http://10.0.0.1:2379,http://10.0.0.2:2379
 *   identity = ~/.ssh/id_ed25519
 *
 * Whole-line comments start with `#` or `;`; a trailing comment is `#` after
 * whitespace (so a `#` inside a value stays). A value may be quoted with ""
 * or ''. Keys are case-insensitive and `-` may stand for `_`. Relative paths
 * (identity, known_hosts, out) are relative to the conf file's directory.
 * Each key at most once. Every error is a one-line ConfigError at file:line.
 */
import { dirname } from 'node:path';
import { ConfigError } from '../errors.ts';
import { CONF_KEYS, parseSetting, specOfConfKey, type SettingKey, type Settings } from './settings.ts';

export interface BenchConf {
  values: Partial<Settings>;
  /** 'conf/bench.conf:7' per key set in the file */
  sources: Partial<Record<SettingKey, string>>;
}

/** Levenshtein distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function unknownKey(key: string): string {
  const norm = key.toLowerCase().replace(/-/g, '_');
  const best = CONF_KEYS.map((k) => ({ k, d: distance(norm, k) })).sort((x, y) => x.d - y.d)[0];
  const hint = best && best.d <= 2 ? ` (did you mean ${best.k}?)` : '';
  return `unknown key ${JSON.stringify(key)}${hint}; valid keys: ${CONF_KEYS.join(', ')}`;
}

/** Drop a comment: whole line `#`/`;`, or ` #...` after whitespace. */
function uncomment(line: string): string {
  const t = line.trim();
  if (t.startsWith('#') || t.startsWith(';')) return '';
  const m = /\s#/.exec(t);
  return (m ? t.slice(0, m.index) : t).trim();
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/**
 * The settings a bench.conf text sets (only those; defaults are the
 * loader's). `file` is what errors name; relative paths resolve against
 * `baseDir` (the file's directory by default).
 */
export function parseBenchConf(text: string, file: string, baseDir: string = dirname(file)): BenchConf {
  const values: Partial<Record<SettingKey, unknown>> = {};
  const sources: Partial<Record<SettingKey, string>> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const body = uncomment(raw);
    if (body === '') return;
    const section = /^\[\s*([^\]]*?)\s*\]$/.exec(body);
    if (section) {
      if (section[1].toLowerCase() !== 'bench') throw new ConfigError(`unknown section [${section[1]}]; only [bench] is allowed (or none)`, where);
      return;
    }
    const kv = /^([^=]*?)\s*=\s*(.*)$/.exec(body);
    if (!kv || kv[1] === '') throw new ConfigError(`expected "key = value", got ${JSON.stringify(body)}`, where);
    const spec = specOfConfKey(kv[1]);
    if (!spec) throw new ConfigError(unknownKey(kv[1]), where);
    const earlier = sources[spec.key];
    if (earlier) throw new ConfigError(`${spec.conf} is already set on line ${earlier.slice(earlier.lastIndexOf(':') + 1)}`, where);
    const value = unquote(kv[2]);
    if (value.trim() === '' && spec.key !== 'identity' && spec.key !== 'knownHosts') {
      throw new ConfigError(`${spec.conf}: empty value; expected ${spec.expect}`, where);
    }
    values[spec.key] = parseSetting(spec.key, value, where, { baseDir });
    sources[spec.key] = where;
  });
  return { values: values as Partial<Settings>, sources };
}
