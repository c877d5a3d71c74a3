/**
 * Opening SSH connections: one (`openConnection`: auth plan, host-key check,
 * keep-alives, an exact reason on failure) and many (`connectAll`: bounded
 * concurrency, every host to its own outcome).
 *
 *   root@127.0.0.2:2222: connection refused by 127.0.0.2:2222 (is sshd running on port 2222?)
 *   { host, ok: false, reason: 'root@10.0.0.9:22: no route to 10.0.0.9:22', ms: 3.1 }
 */
import ssh2 from 'ssh2';
import type { Client as SshClient, ConnectConfig } from 'ssh2';
import { SshError, oneLine } from '../../errors.ts';
import type { Host, HostInfo } from '../host.ts';
import { authPlan, type AuthOptions, type AuthPlan } from './auth.ts';
import { hostKeyCheck, type HostKeyOptions } from './host-key-policy.ts';

const { Client } = ssh2;

/** Where to connect, as SshHost holds it (`name` is how errors name the host). */
export interface SshTarget {
  name: string;
  user: string;
  address: string;
  port: number;
}

export interface ConnectOptions extends AuthOptions, HostKeyOptions {
  /** TCP connect + handshake + auth deadline (default 10000) */
  readyTimeoutMs?: number;
  /** SSH keep-alive period (default 5000); the link is declared dead after keepaliveCountMax (3) missed */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

type SocketError = Error & { level?: string; code?: string };

/** The one line a failed connect is reported with (auth, timeout, or the socket's errno). */
export function connectError(t: SshTarget, e: SocketError, plan: AuthPlan, readyTimeoutMs: number): SshError {
  const at = `${t.address}:${t.port}`;
  const fail = (message: string, exitCode?: number) => new SshError(message, t.name, { cause: e, exitCode });
  if (e.level === 'client-authentication') {
    const skipped = plan.skipped.length ? `; skipped ${plan.skipped.join(', ')}` : '';
    return fail(`authentication failed for ${t.user} (tried ${plan.tried.join(', ')}${skipped}); passwords are never used: authorize one of these keys on the host`, 2);
  }
  if (e.level === 'client-timeout') return fail(`no SSH handshake with ${at} within ${readyTimeoutMs / 1000} s`);
  switch (e.code) {
    case 'ECONNREFUSED':
      return fail(`connection refused by ${at} (is sshd running on port ${t.port}?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`cannot resolve ${t.address}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`no route to ${at}`);
    case 'ETIMEDOUT':
      return fail(`TCP connect to ${at} timed out`);
    case 'ECONNRESET':
      return fail(`connection reset by ${at}`);
  }
  return fail(`ssh: ${e.message}`);
}

/**
 * One authenticated connection with a checked host key. `onClose(err)` is
 * called once when that connection ends later (err: its last error, if any).
 * Rejects with SshError (exit 2 for credentials and host keys); aborting
 * `signal` rejects with `connect aborted`.
 */
export async function openConnection(t: SshTarget, opts: ConnectOptions, onClose: (client: SshClient, err: Error | null) => void, signal?: AbortSignal): Promise<SshClient> {
  signal?.throwIfAborted();
  const plan = authPlan(t.name, t.user, opts);
  const keys = await hostKeyCheck(t.name, t.address, t.port, opts);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const config: ConnectConfig = {
    host: t.address,
    port: t.port,
    username: t.user,
    authHandler: plan.methods,
    hostVerifier: keys.verify,
    readyTimeout: readyTimeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 5_000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    algorithms: { serverHostKey: keys.algorithms },
  };
  const client = new Client();
  const fail = (message: string, cause?: unknown) => new SshError(message, t.name, { cause });
  return new Promise<SshClient>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        client.removeAllListeners('ready');
        client.on('error', () => undefined); // late errors of a failed attempt
        client.end();
        client.destroy();
        reject(err);
        return;
      }
      let lastErr: Error | null = null;
      client.on('error', (e: Error) => (lastErr = e)); // reported through onClose
      client.once('close', () => onClose(client, lastErr));
      client.setNoDelay(true); // clock pings and commands are tiny
      resolve(client);
    };
    const onAbort = () => finish(fail('connect aborted', signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => finish(null));
    client.on('error', (e: SocketError) => finish(keys.refusal() ?? connectError(t, e, plan, readyTimeoutMs)));
    client.once('close', () => finish(keys.refusal() ?? fail('connection closed during the SSH handshake')));
    try {
      client.connect(config);
    } catch (e) {
      finish(fail(`ssh: ${oneLine(e)}`, e));
    }
  });
}

export type ConnectOutcome =
  | { host: Host; ok: true; info: HostInfo; ms: number }
  | { host: Host; ok: false; error: Error; reason: string; ms: number };

/**
 * Connect many hosts, at most `concurrency` at a time (8 stays under
 * OpenSSH's MaxStartups 10), each to its own success or exact reason; never
 * rejects. Aborting stops new connects and aborts those in flight.
 */
export async function connectAll(
  hosts: Host[],
  opts: { concurrency?: number; signal?: AbortSignal; /** runs in the host's lane as soon as it is connected (or failed) */ onOutcome?: (o: ConnectOutcome) => Promise<void> | void } = {},
): Promise<ConnectOutcome[]> {
  const out: ConnectOutcome[] = new Array(hosts.length);
  let next = 0;
  const lane = async () => {
    while (next < hosts.length) {
      const i = next++;
      const host = hosts[i];
      const t0 = performance.now();
      try {
        opts.signal?.throwIfAborted();
        const info = await host.connect(opts.signal);
        out[i] = { host, ok: true, info, ms: performance.now() - t0 };
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        out[i] = { host, ok: false, error, reason: oneLine(error), ms: performance.now() - t0 };
      }
      await opts.onOutcome?.(out[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, hosts.length)) }, lane));
  return out;
}
