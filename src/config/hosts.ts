/**
 * Host lists in the seed's format: conf/master-ips.conf and
 * conf/agent-ips.conf, one host per line, `#` comments, blank lines ignored.
 *
 *   localhost                # this machine, no SSH
 *   root@10.0.0.5            # SSH as root, port 22
 *   root@127.0.0.2:2222      # SSH to a loopback sshd
 *   deploy@[fd00::5]:2200    # IPv6 with a port needs brackets
 *   10.0.0.6                 # SSH as the current user (like `ssh 10.0.0.6`)
 *
 * A host is `[user@]host[:port]`, host being a hostname, an IPv4 address,
 * `[IPv6]`, or a bare IPv6 address without a port (one whose last group
 * could be a port, `fe80::1:22`, is refused as ambiguous: brackets say which). `localhost`, `127.0.0.1`
 * and `::1` written alone mean the control node itself (LocalHost, no SSH);
 * with a user or a port they mean SSH to that address.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../errors.ts';

export interface HostSpec {
  /** as written: 'root@127.0.0.2:2222' */
  name: string;
  /** SSH user; undefined = the current user (as ssh does) */
  user?: string;
  /** hostname or IP, without brackets: 'fd00::5' */
  address: string;
  /** SSH port, default 22 */
  port: number;
  /** the control node itself: no SSH */
  local: boolean;
  /** 1-based line in `file`; 0 for a default host no file listed */
  line: number;
  file: string;
}

/** Addresses that, written alone, mean the control node. */
export const LOCAL_ADDRESSES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const SHAPE = 'expected [user@]host[:port], e.g. root@10.0.0.5 or root@127.0.0.2:2222';
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function bad(host: string, why: string): never {
  throw new HostSyntaxError(`bad host ${JSON.stringify(host)}: ${why}`);
}

/** A host that does not parse; parseHostsFile adds file:line. */
export class HostSyntaxError extends Error {}

function port(host: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) bad(host, `port must be 1..65535, got ${JSON.stringify(text)}`);
  return Number(text);
}

function hostname(host: string, text: string): string {
  if (text === '') bad(host, `no host name; ${SHAPE}`);
  if (/^[\d.]+$/.test(text)) {
    if (!isIPv4(text)) bad(host, `${JSON.stringify(text)} is not an IPv4 address`);
    return text;
  }
  const labels = text.split('.');
  if (text.length > 253 || !labels.every((l) => LABEL.test(l))) bad(host, `${JSON.stringify(text)} is not a valid host name; ${SHAPE}`);
  return text;
}

/**
 * `fe80::1:22` is both the address fe80::1 on port 22 and the address
 * fe80::1:22 (on port 22): refuse to guess when its last group reads as a
 * port and what comes before it is an address of its own. `fd00::5` is not
 * ambiguous (`fd00:` is no address), nor is a full 8-group address.
 */
function ambiguousPort(name: string, user: string | undefined, rest: string): void {
  const colon = rest.lastIndexOf(':');
  const head = rest.slice(0, colon);
  const tail = rest.slice(colon + 1);
  if (!/^\d{1,5}$/.test(tail) || Number(tail) < 1 || Number(tail) > 65535 || !isIPv6(head) || !isIPv6(rest)) return;
  const u = user === undefined ? '' : `${user}@`;
  throw new HostSyntaxError(`${JSON.stringify(name)} is ambiguous: write an IPv6 address with a port as ${u}[${head}]:${tail}, or the address alone as ${u}[${rest}]`);
}

/** The host part of one line (comments already stripped); throws HostSyntaxError. */
export function parseHost(text: string): Omit<HostSpec, 'line' | 'file'> {
  const name = text.trim();
  if (/\s/.test(name)) bad(name, 'one host per line');
  let rest = name;
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user === '') bad(name, `empty user before "@"; ${SHAPE}`);
    if (rest.includes('@')) bad(name, `more than one "@"; ${SHAPE}`);
    if (!USER.test(user)) bad(name, `${JSON.stringify(user)} is not a valid user name`);
  }

  let address: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) bad(name, 'missing "]" after an IPv6 address');
    address = rest.slice(1, close);
    if (!isIPv6(address)) bad(name, `${JSON.stringify(address)} is not an IPv6 address`);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) bad(name, `unexpected ${JSON.stringify(after)} after "]"; ${SHAPE}`);
      portText = after.slice(1);
    }
  } else if (rest.split(':').length > 2) {
    // several colons: a bare IPv6 address, which cannot carry a port
    ambiguousPort(name, user, rest);
    if (!isIPv6(rest)) bad(name, `${JSON.stringify(rest)} is not an IPv6 address (write [addr]:port to give a port)`);
    address = rest;
  } else {
    const colon = rest.indexOf(':');
    address = hostname(name, colon >= 0 ? rest.slice(0, colon) : rest);
    if (colon >= 0) portText = rest.slice(colon + 1);
  }

  const p = portText === undefined ? 22 : port(name, portText);
  const local = user === undefined && portText === undefined && LOCAL_ADDRESSES.includes(address.toLowerCase());
  return user === undefined ? { name, address, port: p, local } : { name, user, address, port: p, local };
}

/** Two lines are the same host when this is equal; every local spelling is one host. */
export function hostIdentity(h: Pick<HostSpec, 'user' | 'address' | 'port' | 'local'>): string {
  return h.local ? 'local' : `${h.user ?? ''}@${h.address.toLowerCase()}:${h.port}`;
}

/** Strip a `#` comment: hosts never contain `#`, so it starts wherever it is. */
function uncomment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/**
 * Every host of a host file's text, in file order. Throws a ConfigError at
 * `file:line` for a line that is not a host or repeats an earlier one.
 */
export function parseHostsFile(text: string, file: string): HostSpec[] {
  const hosts: HostSpec[] = [];
  const seen = new Map<string, HostSpec>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = uncomment(raw);
    if (body === '') return;
    let h: HostSpec;
    try {
      h = { ...parseHost(body), line, file };
    } catch (e) {
      if (e instanceof HostSyntaxError) throw new ConfigError(e.message, `${file}:${line}`);
      throw e;
    }
    const id = hostIdentity(h);
    const first = seen.get(id);
    if (first) {
      const same = h.local ? ' (both mean this machine)' : '';
      throw new ConfigError(`duplicate host ${JSON.stringify(h.name)}: same host as line ${first.line} (${JSON.stringify(first.name)})${same}`, `${file}:${line}`);
    }
    seen.set(id, h);
    hosts.push(h);
  });
  return hosts;
}

/** The host used when a host file does not exist: this machine. */
export function defaultLocalHost(file: string): HostSpec {
  return { name: 'localhost', address: 'localhost', port: 22, local: true, line: 0, file };
}
