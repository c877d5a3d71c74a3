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
 * `n` distinct ports free on `host` right now, below the ephemeral range
 * (10000..low-1) when that leaves room, else kernel-chosen (port 0).
 */
export async function freePorts(host: string, n: number): Promise<number[]> {
  const [lo] = await ephemeralRange();
  const useRange = lo - 1 - 10_000 >= 1000;
  const held: Server[] = [];
  try {
    while (held.length < n) {
      let srv: Server | null = null;
      for (let i = 0; i < 200 && !srv; i++) srv = await listen(host, useRange ? randomInt(10_000, lo) : 0);
      if (!srv) throw new BenchError(`no free TCP port on ${host}`);
      held.push(srv);
    }
    return held.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/** "http://127.0.0.1:2379" for IPv4, "http://[::1]:2379" for IPv6 */
export function url(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
