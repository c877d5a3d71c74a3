/**
 * Commands on a connected host: an exec channel (workers, the guard and the
 * clock probe keep theirs open), a command run to completion, and the
 * `node --version` check a host must pass before anything is deployed.
 *
 *   await run(client, 'root@127.0.0.2:2222', 'node --version')
 *   // { code: 0, signal: null, stdout: 'v20.19.2\n', stderr: '' }
 */
import type { Client as SshClient, ClientChannel } from 'ssh2';
import { SshError } from '../../errors.ts';

export interface RunResult {
  /** exit code; null when killed by a signal */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Open an exec channel; channel-open refusals name the likely cause. Errors name `host`. */
export function execChannel(client: SshClient, host: string, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) {
        const hint = /open failed|administratively prohibited/i.test(err.message) ? ' (too many channels? sshd MaxSessions, default 10 per connection)' : '';
        reject(new SshError(`exec failed: ${err.message}${hint}`, host, { cause: err }));
      } else resolve(ch);
    });
  });
}

/** Run a command to completion with no stdin; rejects (and closes the channel) after timeoutMs. */
export async function run(client: SshClient, host: string, command: string, timeoutMs = 30_000): Promise<RunResult> {
  const ch = await execChannel(client, host, command);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    let sig: string | null = null;
    const timer = setTimeout(() => {
      ch.close();
      reject(new SshError(`\`${command}\` did not finish within ${timeoutMs} ms`, host));
    }, timeoutMs);
    ch.setEncoding('utf8');
    ch.stderr.setEncoding('utf8');
    ch.on('data', (d: string) => (stdout += d));
    ch.stderr.on('data', (d: string) => (stderr += d));
    ch.on('exit', (c: number | null, s?: string) => {
      code = c ?? null;
      sig = s ?? null;
    });
    ch.once('close', () => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr });
    });
    ch.end(); // no stdin
  });
}

/** The host's `node --version` (`v20.19.2`); SshError (exit 2) when node is missing or older than `minMajor`. */
export function checkNodeVersion(host: string, r: RunResult, minMajor: number): string {
  const fail = (message: string) => new SshError(message, host, { exitCode: 2 });
  if (r.code === 127 || /not found/i.test(r.stderr)) {
    throw fail(`node is not installed (or not on the PATH of non-interactive SSH sessions); install Node.js >= ${minMajor}`);
  }
  const m = /^v(\d+)\.\d+\.\d+/.exec(r.stdout.trim());
  if (r.code !== 0 || !m) throw fail(`\`node --version\` failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`);
  if (Number(m[1]) < minMajor) throw fail(`node ${r.stdout.trim()} is too old; the worker needs Node.js >= ${minMajor}`);
  return r.stdout.trim();
}

/** Quote one word for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
