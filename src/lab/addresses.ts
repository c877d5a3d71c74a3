/**
 * Addresses for the lab's veth links: one /30 per network namespace, taken
 * from 198.18.0.0/15, the block RFC 2544 reserves for benchmarking (never
 * routed on the internet), and never one that overlaps an address or a route
 * this machine already has. The host side of a link is .1 of its /30, the
 * namespace side .2; nothing else is addressed, and with no default route
 * inside a namespace nothing it sends can leave the link.
 *
 *   pickBlocks(2, [{ base: ipv4ToInt('198.18.0.0'), bits: 24 }])
 *   // [{ host: '198.18.37.1', ns: '198.18.37.2', cidr: '198.18.37.0/30' }, ...]
 *   `ip -j -4 addr`  -> [{"ifname":"eth0","addr_info":[{"local":"192.0.2.2","prefixlen":24}]}]
 *   `ip -j -4 route` -> [{"dst":"default","gateway":"192.0.2.1"},{"dst":"192.0.2.0/24","dev":"eth0"}]
 */
import { randomInt } from 'node:crypto';

/** 198.18.0.0/15 (RFC 2544), as [first address, prefix length]. */
export const BENCH_NET = { base: '198.18.0.0', bits: 15 } as const;

/** One /30: its host-side and namespace-side addresses. */
export interface Block {
  /** the host side of the veth (x.x.x.1) */
  host: string;
  /** the namespace side (x.x.x.2) */
  ns: string;
  /** "198.18.37.0/30" */
  cidr: string;
}

/** An IPv4 network as numbers: first address and prefix length. */
export interface Net {
  base: number;
  bits: number;
}

export function ipv4ToInt(a: string): number {
  const p = a.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${a}`);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function size(bits: number): number {
  return 2 ** (32 - bits);
}

/** do the two networks share an address? */
export function overlaps(a: Net, b: Net): boolean {
  return a.base < b.base + size(b.bits) && b.base < a.base + size(a.bits);
}

/** "198.18.0.0/24" or "198.18.0.1" (a /32); null for what is not IPv4 ("default", "fe80::/64") */
export function parseNet(text: string): Net | null {
  const [addr, bits] = text.split('/');
  try {
    const b = bits === undefined ? 32 : Number(bits);
    if (!Number.isInteger(b) || b < 0 || b > 32) return null;
    const n = ipv4ToInt(addr!);
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    return { base: (n & mask) >>> 0, bits: b };
  } catch {
    return null;
  }
}

/** The networks in `ip -j -4 addr` and `ip -j -4 route show table all` output (each JSON text; '' counts as none). */
export function usedNets(addrJson: string, routeJson: string): Net[] {
  const out: Net[] = [];
  const addrs = (addrJson.trim() ? JSON.parse(addrJson) : []) as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>;
  for (const link of addrs) {
    for (const a of link.addr_info ?? []) {
      const n = a.local ? parseNet(`${a.local}/${a.prefixlen ?? 32}`) : null;
      if (n) out.push(n);
    }
  }
  const routes = (routeJson.trim() ? JSON.parse(routeJson) : []) as Array<{ dst?: string }>;
  for (const r of routes) {
    const n = r.dst && r.dst !== 'default' ? parseNet(r.dst) : null;
    if (n) out.push(n);
  }
  return out;
}

/**
 * `count` distinct /30 blocks inside BENCH_NET, none overlapping `used`,
 * picked at random (two runs starting at once rarely pick the same one).
 * Throws when the block is full.
 */
export function pickBlocks(count: number, used: readonly Net[], rand: (max: number) => number = randomInt): Block[] {
  const first = ipv4ToInt(BENCH_NET.base);
  const slots = size(BENCH_NET.bits) / 4;
  const taken = [...used];
  const out: Block[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 10_000) throw new Error(`no free /30 left in ${BENCH_NET.base}/${BENCH_NET.bits}`);
    const base = first + 4 * rand(slots);
    const net: Net = { base, bits: 30 };
    if (taken.some((u) => overlaps(u, net))) continue;
    taken.push(net);
    out.push({ host: intToIpv4(base + 1), ns: intToIpv4(base + 2), cidr: `${intToIpv4(base)}/30` });
  }
  return out;
}
