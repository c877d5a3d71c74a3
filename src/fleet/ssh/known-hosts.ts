/**
 * OpenSSH known_hosts: parse, look a host key up, record a first-seen key.
 * Pure functions plus two small file helpers; SshHost decides what to do with
 * the verdict (refuse unknown/changed keys unless told to accept new ones).
 *
 *   db.example.org,10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...   plain names, port 22
 *   [127.0.0.2]:2222 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAy...  non-default port
 *   |1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAA...  hashed (HMAC-SHA1)
 *   *.lab,!gw.lab ssh-ed25519 AAAA...   wildcards and negation
 *   @revoked * ssh-rsa AAAA...          a key that is refused everywhere
 *
 * `@cert-authority` lines are skipped: ssh2 does not verify host certificates.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface KnownHostEntry {
  marker: '@revoked' | '@cert-authority' | null;
  /** the host field as written: `a,b,[c]:2222` or `|1|salt|hash` */
  hosts: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  /** no entry for this host with this key type; `knownTypes` lists types it is known with */
  | { status: 'unknown'; knownTypes: string[] }
  /** an entry of the same type holds a different key */
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** The files OpenSSH reads by default: user file first (that is where new keys go). */
export function defaultKnownHostsFiles(): string[] {
  return [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, else `[host]:port`. */
export function knownHostsName(address: string, port = 22): string {
  return port === 22 ? address.toLowerCase() : `[${address.toLowerCase()}]:${port}`;
}

/** Key type from an SSH wire-format public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:...` as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    else if (fields[0].startsWith('@')) continue; // a marker we do not know: ignore the line, as OpenSSH does
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) continue; // malformed line
    out.push({ marker, hosts, keyType, key, file, line: i + 1 });
  }
  return out;
}

/** OpenSSH `match_pattern`: `*` and `?` wildcards, case-insensitive. */
function globMatch(pattern: string, name: string): boolean {
  const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re, 'i').test(name);
}

/** Does the host field of an entry name `name` (as produced by knownHostsName)? */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false; // a negated match wins outright
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** Look `key` up for address:port among `entries`. */
export function checkHostKey(entries: KnownHostEntry[], address: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(address, port);
  const type = keyTypeOf(key);
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = mine.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const changed = plain.find((e) => e.keyType === type);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types a host is known with: offer them first, as OpenSSH does, so a known key is the one we get. */
export function knownKeyTypes(entries: KnownHostEntry[], address: string, port: number): string[] {
  const name = knownHostsName(address, port);
  const types = entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** Host-key algorithms ssh2 negotiates, in its default order (it throws on any other name). */
const NEGOTIABLE = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const;
export type HostKeyAlgorithm = (typeof NEGOTIABLE)[number];

/** Host-key algorithm names (as negotiated) for known_hosts key types; types ssh2 cannot use are dropped. */
export function algorithmsForKeyTypes(types: string[]): HostKeyAlgorithm[] {
  const names = types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  return names.filter((n): n is HostKeyAlgorithm => (NEGOTIABLE as readonly string[]).includes(n));
}

/** The full host-key algorithm list to offer: the host's known types first, then the rest in ssh2's default order. */
export function hostKeyAlgorithmsPreferring(types: string[]): HostKeyAlgorithm[] {
  const first = algorithmsForKeyTypes(types);
  return [...first, ...NEGOTIABLE.filter((n) => !first.includes(n))];
}

/** One known_hosts line for a first-seen key (plain, not hashed, so that a person can read it). */
export function knownHostsLine(address: string, port: number, key: Buffer): string {
  return `${knownHostsName(address, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Read and parse the files; a missing file is empty. */
export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    all.push(...parseKnownHosts(await readFile(f, 'utf8'), f));
  }
  return all;
}

// appends from many parallel connects go through one chain, one write each
let appendChain: Promise<unknown> = Promise.resolve();

/** Append a first-seen key to `file` (created 0600, its directory 0700 if missing). */
export function recordHostKey(file: string, address: string, port: number, key: Buffer): Promise<void> {
  const next = appendChain.then(async () => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    if (existsSync(file)) {
      const text = await readFile(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
    }
    await appendFile(file, prefix + knownHostsLine(address, port, key) + '\n', { mode: 0o600 });
  });
  appendChain = next.catch(() => undefined);
  return next;
}
