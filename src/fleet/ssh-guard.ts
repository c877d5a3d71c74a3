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
 */
import { createHash } from 'node:crypto';

export const GUARD_SOURCE = `'use strict';
// etcd-election-bench guard: see src/fleet/ssh-guard.ts
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
