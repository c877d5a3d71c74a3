/**
 * Readers of one raw setting value (a string from conf/bench.conf or a
 * flag) into its typed value; they throw Invalid, which settings.ts turns
 * into the one-line ConfigError naming where the value came from.
 *
 *   integer('2', 1) === 2          decimal('0.5', (n) => n > 0) === 0.5
 *   endpoints('http://a:2379,http://b:2379') -> ['http://a:2379', 'http://b:2379']
 *   knownHostsFile('~/.ssh/bench_known_hosts', ctx) -> '/root/.ssh/bench_known_hosts' (may not exist yet)
 */
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';

/** What a parser needs besides the text: the directory relative paths are relative to. */
export interface ParseContext {
  baseDir: string;
}

/** Thrown by a parser; `expected` replaces the spec's default description. */
export class Invalid extends Error {
  constructor(readonly expected?: string) {
    super(expected ?? 'invalid');
  }
}

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function integer(raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!WHOLE.test(raw)) throw new Invalid();
  const n = Number(raw);
  if (n < min || n > max) throw new Invalid();
  return n;
}

export function decimal(raw: string, ok: (n: number) => boolean): number {
  if (!DECIMAL.test(raw)) throw new Invalid();
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw new Invalid();
  return n;
}

export function oneOf<T extends string>(raw: string, allowed: readonly T[]): T {
  const v = raw.toLowerCase() as T;
  if (!allowed.includes(v)) throw new Invalid();
  return v;
}

export function bool(raw: string): boolean {
  const v = raw.toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new Invalid();
}

/** An etcd key path: '/x', no whitespace, no trailing or doubled slash. */
export function keyPath(raw: string): string {
  if (!/^(\/[^/\s]+)+$/.test(raw)) throw new Invalid();
  return raw;
}

export function endpoints(raw: string): 'embedded' | string[] {
  if (raw.toLowerCase() === 'embedded') return 'embedded';
  const out: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs, with no empty item`);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) {
      throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs; "${item}" lacks http:// or https://`);
    }
    let u: URL;
    try {
      u = new URL(item);
    } catch {
      throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs; "${item}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs; "${item}" is ${u.protocol.replace(/:$/, '')}`);
    }
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
      throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs; "${item}" has more than scheme, host and port`);
    }
    if (out.includes(u.origin)) throw new Invalid(`"embedded" or comma-separated http(s)://host:port URLs; "${item}" is listed twice`);
    out.push(u.origin);
  }
  return out;
}

/** An IP address to listen on ('' = none): v4 or v6 (brackets allowed), not a wildcard. */
export function listenAddress(raw: string): string | null {
  if (raw === '') return null;
  const a = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(a) === 0) throw new Invalid();
  if (a === '0.0.0.0' || a === '::') throw new Invalid('one address of this machine, not a wildcard (etcd has no auth: listen only where the hosts reach it)');
  return a;
}

/** `~/x` is under the home directory; other relative paths are under ctx.baseDir. */
export function path(raw: string, ctx: ParseContext): string {
  const p = raw === '~' ? homedir() : raw.startsWith('~/') ? resolve(homedir(), raw.slice(2)) : raw;
  return isAbsolute(p) ? resolve(p) : resolve(ctx.baseDir, p);
}

export function optionalFile(raw: string, ctx: ParseContext, what: string): string | null {
  if (raw === '') return null;
  const p = path(raw, ctx);
  if (!existsSync(p)) throw new Invalid(`the path of ${what}; ${p} does not exist`);
  if (!statSync(p).isFile()) throw new Invalid(`the path of ${what}; ${p} is not a file`);
  return p;
}

/**
 * A known_hosts file: an existing file, or one still to be made in an
 * existing directory (SshHost creates it, 0600, when it records the first
 * key with --accept-new-host-keys, as ssh's StrictHostKeyChecking=accept-new does).
 */
export function knownHostsFile(raw: string, ctx: ParseContext): string | null {
  if (raw === '') return null;
  const p = path(raw, ctx);
  if (!existsSync(p)) {
    const dir = dirname(p);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Invalid(`the path of a known_hosts file; ${p} does not exist, nor does its directory ${dir}`);
    return p;
  }
  if (!statSync(p).isFile()) throw new Invalid(`the path of a known_hosts file; ${p} is not a file`);
  return p;
}
