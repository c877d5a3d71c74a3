/**
 * Ports for the embedded members, picked below the kernel's ephemeral range
 * (checked free by binding them with node:net): a restarted member must get
 * its old port back, and an ephemeral port may meanwhile be the source port
 * of one of the bench's thousands of client connections.
 *
 *   /proc/sys/net/ipv4/ip_local_port_range   "32768	60999"  -> ports from 10000..32767
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { BenchError } from '../errors.ts';

/** The kernel's ephemeral port range [low, high] (Linux default when unknown). */
export async function ephemeralRange(): Promise<[number, number]> {
  try {
    const [lo, hi] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

function listen(host: string, port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ host, port, exclusive: true }, () => resolve(srv));
  });
}

/**
 * `n` distinct ports free on `host` (and on every address in `also`) right
 * now, below the ephemeral range (10000..low-1) when that leaves room, else
 * kernel-chosen (port 0).
 */
export async function freePorts(host: string, n: number, also: readonly string[] = []): Promise<number[]> {
  const [lo] = await ephemeralRange();
  const useRange = lo - 1 - 10_000 >= 1000;
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      let got: Server[] | null = null;
      for (let i = 0; i < 200 && !got; i++) got = await listenAll([host, ...also], useRange ? randomInt(10_000, lo) : 0);
      if (!got) throw new BenchError(`no free TCP port on ${[host, ...also].join(', ')}`);
      held.push(...got);
      ports.push((got[0]!.address() as { port: number }).port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/** the same port bound on every host (the first one's pick when port is 0), or null */
async function listenAll(hosts: readonly string[], port: number): Promise<Server[] | null> {
  const got: Server[] = [];
  for (const h of hosts) {
    const srv = await listen(h, got.length > 0 ? (got[0]!.address() as { port: number }).port : port);
    if (!srv) {
      await Promise.all(got.map((s) => new Promise((r) => s.close(r))));
      return null;
    }
    got.push(srv);
  }
  return got;
}

/** "http://127.0.0.1:2379" for IPv4, "http://[::1]:2379" for IPv6 */
export function url(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** The same client URL on another address: urlOn('http://127.0.0.1:24942', '198.18.37.1') -> 'http://198.18.37.1:24942' */
export function urlOn(clientUrl: string, addr: string): string {
  return url(addr, Number(new URL(clientUrl).port));
}
