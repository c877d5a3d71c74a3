/**
 * The guard: a few lines of plain node that SshHost runs on every remote
 * host, one per SSH connection, deployed beside the worker bundle as
 * `guard-<hash>.cjs`. It exists for the one orphan a worker cannot prevent
 * itself: a worker paused with SIGSTOP cannot read its stdin, so it never sees
 * the EOF that sshd gives it when the connection dies.
 *
 *   node ~/.cache/etcd-election-bench/guard-1a2b3c4d.cjs <bundle path> <silence ms>
 *
 * stdin, one command a line:  `+4242` track pid, `-4242` forget it,
 * `c 4242` SIGCONT, `k 4242` SIGKILL, anything else is a heartbeat.
 * On EOF (connection gone) or after <silence ms> without a line (link dead
 * but not closed; 0 = never), it SIGKILLs every tracked pid and exits. A pid
 * is only signalled while /proc says it still runs our bundle: pids get reused.
 *
 * GuardLink is the control node's end: the guard's channel, the pids it
 * tracks, the heartbeat.
 */
import { createHash } from 'node:crypto';
import type { ClientChannel } from 'ssh2';

export const GUARD_SOURCE = `'use strict';
// etcd-election-bench guard: see src/fleet/ssh/guard.ts
const fs = require('fs');
const bundle = process.argv[2];
const limit = Number(process.argv[3]) || 0;
const pids = new Set();
let last = Date.now();
const hasProc = fs.existsSync('/proc/self/cmdline');
function ours(pid) {
  if (!hasProc) return true;
  try { return fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1').includes(bundle); } catch (e) { return false; }
}
function sig(pid, s) {
  if (pid > 0 && ours(pid)) { try { process.kill(pid, s); } catch (e) { /* gone */ } }
}
function killAll() {
  for (const pid of pids) sig(pid, 'SIGKILL');
  process.exit(0);
}
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  last = Date.now();
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const pid = Number(line.replace(/^[-+ck] ?/, ''));
    if (line[0] === '+') pids.add(pid);
    else if (line[0] === '-') pids.delete(pid);
    else if (line[0] === 'c') sig(pid, 'SIGCONT');
    else if (line[0] === 'k') { sig(pid, 'SIGKILL'); pids.delete(pid); }
  }
});
process.stdin.on('end', killAll);
process.stdin.on('error', killAll);
process.on('SIGHUP', killAll);
process.on('SIGTERM', killAll);
if (limit > 0) setInterval(() => { if (Date.now() - last > limit) killAll(); }, Math.min(1000, limit));
`;

export const GUARD_HASH = createHash('sha256').update(GUARD_SOURCE).digest('hex').slice(0, 16);

/** The file to deploy: name carries the hash, like the worker bundle. */
export function guardFile(): { name: string; code: Uint8Array } {
  return { name: `guard-${GUARD_HASH}.cjs`, code: Buffer.from(GUARD_SOURCE) };
}

/** The control node's end of one host's guard: tell it pids, signals and heartbeats. */
export class GuardLink {
  private ch: ClientChannel | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  /**
   * Take over a freshly started guard channel; it is told `pids` at once. With
   * `silenceMs` > 0 a heartbeat goes every silenceMs/3 (0.2..5 s), so that the
   * guard only fires when the link is really dead.
   */
  attach(ch: ClientChannel, silenceMs: number, pids: number[]): void {
    ch.on('data', () => undefined);
    ch.stderr.on('data', () => undefined);
    ch.once('close', () => {
      if (this.ch === ch) this.ch = null;
    });
    this.ch = ch;
    for (const p of pids) if (p > 0) this.send(`+${p}`);
    if (silenceMs > 0) {
      this.heartbeat = setInterval(() => this.send('h'), Math.max(200, Math.min(5000, silenceMs / 3)));
      this.heartbeat.unref();
    }
  }

  /** true while the guard can be written to */
  get open(): boolean {
    const g = this.ch;
    return !!g && g.writable && !g.writableEnded;
  }

  send(line: string): void {
    if (this.open) this.ch!.write(line + '\n');
  }

  track(pid: number): void {
    this.send(`+${pid}`);
  }

  forget(pid: number): void {
    this.send(`-${pid}`);
  }

  /** SIGCONT/SIGKILL through the guard (it checks the pids still run our bundle); false when the guard is gone. */
  signal(sig: 'CONT' | 'KILL', pids: number[]): boolean {
    if (!this.open) return false;
    for (const p of pids) this.send(`${sig === 'CONT' ? 'c' : 'k'} ${p}`);
    return true;
  }

  /** EOF to the guard: it SIGKILLs what it tracks and exits. */
  end(): void {
    this.ch?.end();
  }

  /** Forget the channel and stop the heartbeat (the connection is gone or going). */
  detach(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.ch = null;
  }
}
