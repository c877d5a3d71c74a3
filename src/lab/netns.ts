/**
 * Linux network namespaces through iproute2's `ip` (root only): create one
 * with a veth pair to the host, delete it, run a command inside it, take its
 * link down and up, and sweep the ones a crashed run left. Every name is
 * `eeb-<run short>-<k>` (namespace and host-side link alike, 15 characters at
 * most: IFNAMSIZ), the link inside a namespace is `eeb0`.
 *
 *   ip netns add eeb-3f2a9c1b-1
 *   ip link add eeb-3f2a9c1b-1 type veth peer name eeb0 netns eeb-3f2a9c1b-1
 *   ip addr add 198.18.37.1/30 dev eeb-3f2a9c1b-1        (host side)
 *   ip -n eeb-3f2a9c1b-1 addr add 198.18.37.2/30 dev eeb0 (namespace side)
 *   ip netns exec eeb-3f2a9c1b-1 node worker.mjs master ...   (exec, no fork: the pid is node's)
 */
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { which } from '../bootstrap.mjs';
import { now, sleep } from '../clock.ts';
import { BenchError } from '../errors.ts';
import { pickBlocks, usedNets, type Block } from './addresses.ts';
import { ownerAlive, ownerShorts, removeOwner } from './owner.ts';

/** the link's name inside every namespace */
export const NS_IF = 'eeb0';
/** eeb-<8 hex>-<1..99>: a name of ours */
export const LAB_NAME = /^eeb-([0-9a-f]{8})-(\d{1,2})$/;

/** What the capability check looks at; tests pass their own. */
export interface NetnsProbe {
  uid(): number;
  /** the `ip` binary, or null */
  ip(): string | null;
}

export const systemProbe: NetnsProbe = {
  uid: () => process.getuid?.() ?? -1,
  ip: () => which('ip', ['/usr/sbin', '/sbin', '/usr/bin', '/bin']),
};

/** Why namespaces cannot be made here (one line), or null when they can. */
export function netnsUnavailable(probe: NetnsProbe = systemProbe): string | null {
  if (process.platform !== 'linux') return `network namespaces exist only on Linux (this is ${process.platform})`;
  const uid = probe.uid();
  if (uid !== 0) return `network namespaces need root (running as uid ${uid})`;
  if (!probe.ip()) return 'network namespaces need iproute2 (`ip` is not on PATH; apt-get install iproute2)';
  return null;
}

function ipPath(): string {
  const p = systemProbe.ip();
  if (!p) throw new BenchError('iproute2 is not installed (`ip` is not on PATH)');
  return p;
}

/** `eeb-<short>-<k>` */
export function labName(short: string, k: number): string {
  if (!/^[0-9a-f]{8}$/.test(short) || !Number.isInteger(k) || k < 1 || k > 99) throw new BenchError(`bad lab name parts ${short}, ${k}`);
  return `eeb-${short}-${k}`;
}

/** Run `ip` with these arguments; a failure is a BenchError with ip's own message. */
export async function ip(args: string[], input?: string): Promise<string> {
  const r = await execa(ipPath(), args, { reject: false, input, stdin: input === undefined ? 'ignore' : 'pipe' });
  if (r.exitCode !== 0) throw new BenchError(`ip ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? `exit ${r.exitCode}`}`);
  return r.stdout;
}

/** Several `ip` commands in one process (`ip -batch -`); with force, a failing line does not stop the rest. */
export function ipBatch(lines: string[], force = false): Promise<string> {
  return ip(['-batch', '-', ...(force ? ['-force'] : [])], lines.join('\n') + '\n');
}

/** One namespace of the lab: its name (also its host-side link's) and the /30 between them. */
export interface VethNs {
  name: string;
  /** the host-side address, where the host (etcd) is reached from inside */
  hostAddr: string;
  /** the namespace-side address */
  nsAddr: string;
}

/** `count` free /30 blocks, checked against this machine's addresses and routes now. */
export async function freeBlocks(count: number): Promise<Block[]> {
  const [addrs, routes] = await Promise.all([ip(['-j', '-4', 'addr']), ip(['-j', '-4', 'route', 'show', 'table', 'all'])]);
  return pickBlocks(count, usedNets(addrs, routes));
}

/** Create namespace `name` with a veth pair (host side `name`, inside `eeb0`), both up, addressed from `block`. */
export async function createVethNs(name: string, block: Block): Promise<VethNs> {
  await ipBatch([
    `netns add ${name}`,
    `link add ${name} type veth peer name ${NS_IF} netns ${name}`,
    `addr add ${block.host}/30 dev ${name}`,
    `link set ${name} up`,
  ]);
  await ip(['-n', name, '-batch', '-'], [`addr add ${block.ns}/30 dev ${NS_IF}`, `link set ${NS_IF} up`, 'link set lo up'].join('\n') + '\n');
  return { name, hostAddr: block.host, nsAddr: block.ns };
}

function deleteLines(names: readonly string[]): string[] {
  // the link first (both ends go at once), then the namespace
  return names.flatMap((n) => [`link del ${n}`, `netns del ${n}`]);
}

/** Delete namespaces and their host-side links; what is already gone is no error. */
export async function deleteNs(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await ipBatch(deleteLines(names), true).catch(() => {});
}

/** deleteNs, synchronously: for an exit hook, which cannot await. Never throws. */
export function deleteNsSync(names: readonly string[]): void {
  const p = systemProbe.ip();
  if (!p || names.length === 0) return;
  spawnSync(p, ['-batch', '-', '-force'], { input: deleteLines(names).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'], timeout: 5000 });
}

/** Take the host side of `name`'s link down (a silent cut: packets are dropped, nothing is refused); control time right after. */
export async function linkDown(name: string): Promise<number> {
  await ip(['link', 'set', name, 'down']);
  return now();
}

/** operstate of a link ('UP', 'DOWN', 'LOWERLAYERDOWN', ...), in namespace `ns` when given */
async function operstate(link: string, ns?: string): Promise<string> {
  const out = await ip([...(ns ? ['-n', ns] : []), '-j', 'link', 'show', 'dev', link]);
  return (JSON.parse(out) as Array<{ operstate?: string }>)[0]?.operstate ?? 'UNKNOWN';
}

/**
 * Bring the host side of `name`'s link up again; resolves, once both ends
 * carry traffic (operstate UP: the kernel's link watch applies a carrier
 * change a little later and drops packets until it has), with the control
 * time right after `ip link set up` returned: the heal as the fault made
 * it, never later than the first packet through (so a stale-leader window
 * measured from it is not too short). Throws a BenchError when the link is
 * not up within `timeoutMs`.
 */
export async function linkUp(name: string, timeoutMs = 5000): Promise<number> {
  await ip(['link', 'set', name, 'up']);
  const t = now();
  const deadline = t + timeoutMs;
  while ((await operstate(name)) !== 'UP' || (await operstate(NS_IF, name)) !== 'UP') {
    if (now() > deadline) throw new BenchError(`the link ${name} is not up ${timeoutMs} ms after \`ip link set ${name} up\``);
    await sleep(10);
  }
  return t;
}

/** The command that runs `cmd args` inside namespace `name`: `ip netns exec NAME cmd args` (ip execs it: same pid). */
export function netnsExec(name: string, cmd: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: ipPath(), args: ['netns', 'exec', name, cmd, ...args] };
}

/** The lab's names that exist now: namespaces and host-side links. */
export async function listLab(): Promise<{ namespaces: string[]; links: string[] }> {
  const [nsJson, linkJson] = await Promise.all([ip(['-j', 'netns', 'list']), ip(['-j', 'link', 'show'])]);
  const namespaces = ((nsJson.trim() ? JSON.parse(nsJson) : []) as Array<{ name: string }>).map((n) => n.name).filter((n) => LAB_NAME.test(n));
  const links = ((linkJson.trim() ? JSON.parse(linkJson) : []) as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => LAB_NAME.test(n));
  return { namespaces, links };
}

/**
 * Remove the namespaces and links of runs that are gone (no live process
 * owns them, see owner.ts), and their owner files; a live run's are left
 * alone. Resolves to the names removed.
 */
export async function sweepStale(dir: string): Promise<string[]> {
  const { namespaces, links } = await listLab();
  const names = [...new Set([...namespaces, ...links])];
  const stale = names.filter((n) => !ownerAlive(dir, LAB_NAME.exec(n)![1]!));
  await deleteNs(stale);
  // and the files of dead owners whose namespaces are gone (a crash between the file and the first namespace)
  for (const short of new Set([...stale.map((n) => LAB_NAME.exec(n)![1]!), ...ownerShorts(dir)])) if (!ownerAlive(dir, short)) removeOwner(dir, short);
  return stale;
}
