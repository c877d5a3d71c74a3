/**
 * A throw-away OpenSSH server on loopback for the fleet tests: its own temp
 * dir, generated host key, generated client key, own port, listening on
 * several loopback addresses so that `root@127.0.0.2:PORT`,
 * `root@127.0.0.3:PORT`, ... are distinct hosts (each its own known_hosts
 * entry and its own connection) that all land on this one machine.
 *
 *   const sshd = await startSshd();            // 127.0.0.2 .. 127.0.0.5
 *   sshd.hosts[0]                              // { name: 'root@127.0.0.2:41234', user: 'root', address: '127.0.0.2', port: 41234 }
 *   new SshHost(sshd.hosts[0], sshd.sshOptions) // its key, its known_hosts, no agent, bundle under sshd.dir
 *   sshd.knownHostsPath                        // '[127.0.0.2]:41234 ssh-ed25519 AAAA...' per address
 *   await sshd.stop();                         // sessions first, then the listener; removes the dir
 *
 * Never touches ~/.ssh: every path is in the temp dir and passed explicitly.
 * The listener is bound to each given address (not 0.0.0.0), so nothing is
 * exposed off the machine. With `netns`, sshd runs inside that network
 * namespace and listens on its addresses: a host that is not this machine's
 * loopback (startSshd({ netns: lab.spaces[0].name, addresses: [lab.spaces[0].nsAddr] })).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestSshHost {
  name: string;
  user: string;
  address: string;
  port: number;
}

export interface TestSshd {
  port: number;
  addresses: string[];
  hosts: TestSshHost[];
  dir: string;
  /** private key accepted by this sshd (authorized_keys) */
  clientKeyPath: string;
  /** known_hosts with `[addr]:port <host key>` for every address (empty file with knownHosts: false) */
  knownHostsPath: string;
  /** `ssh-ed25519 AAAA...` */
  hostKeyPub: string;
  /**
   * SshHost options for this sshd: its client key and known_hosts, no
   * ssh-agent, and the bundle deployed inside the temp dir (not ~/.cache):
   * `new SshHost(sshd.hosts[0], sshd.sshOptions)`.
   */
  sshOptions: { identity: string; knownHosts: string; agent: false; remoteDir: string };
  /** pid of the listening sshd */
  pid: number;
  /** pids of the per-connection sshd processes (children of the listener) */
  sessionPids(): Promise<number[]>;
  /** sshd's stderr so far (-e), for failure messages */
  log(): string;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  /** loopback addresses to listen on; default 127.0.0.2 .. 127.0.0.5 */
  addresses?: string[];
  /** write the host key into knownHostsPath for every address (default true) */
  knownHosts?: boolean;
  /** how long to wait for the listener (ms) */
  timeoutMs?: number;
  /** appended to sshd_config, e.g. `Match LocalAddress 127.0.0.5\n  SetEnv PATH=/nowhere` */
  extraConfig?: string;
  /** run sshd inside this network namespace (`ip netns exec`; see helpers/netns.ts); addresses are then the namespace's */
  netns?: string;
}

/** Generate an ed25519 key pair at `path` (and `path.pub`); returns the public line. */
export async function generateKey(path: string, comment = 'etcd-election-bench-test'): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

export interface ProcessRow {
  pid: number;
  ppid: number;
  stat: string;
  args: string;
}

/** Live processes (zombies excluded: they are dead, only not yet reaped) whose command line contains `text`. */
export async function processesMatching(text: string): Promise<ProcessRow[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,stat=,args=', '-ww']);
  return stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), stat: m[3], args: m[4] }))
    .filter((p) => p.args.includes(text) && !p.stat.startsWith('Z') && p.pid !== process.pid);
}

/** Is `pid` alive per ps (a zombie counts as gone)? */
export async function processAlive(pid: number): Promise<boolean> {
  const r = await run('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  const stat = r.stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

/** A port that is free on 127.0.0.1 right now (the kernel's pick). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function sshdConfig(dir: string, port: number, addresses: string[], extra = ''): string {
  return [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'UseDNS no',
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
    extra, // Match blocks must come last
    '',
  ].join('\n');
}

function childPids(ppid: number): Promise<number[]> {
  return run('ps', ['-o', 'pid=', '--ppid', String(ppid)]).then(
    (r) =>
      r.stdout
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => n > 0),
    () => [], // ps exits 1 when there are none
  );
}

function killQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

/** Wait until sshd reports listening on every address, or fails. */
function waitListening(child: ChildProcess, addresses: string[], port: number, timeoutMs: number, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending = new Set(addresses);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      const text = log();
      for (const a of [...pending]) if (text.includes(`Server listening on ${a} port ${port}`)) pending.delete(a);
      if (/Bind to port \d+ on \S+ failed|Cannot bind any address/.test(text)) done(new Error(`sshd could not bind port ${port}: ${text.trim()}`));
      else if (pending.size === 0) done();
    };
    const onExit = (code: number | null) => done(new Error(`sshd exited (${code}) before listening: ${log().trim()}`));
    const timer = setTimeout(() => done(new Error(`sshd not listening on ${[...pending].join(', ')} within ${timeoutMs} ms: ${log().trim()}`)), timeoutMs);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startSshd(opts: StartSshdOptions = {}): Promise<TestSshd> {
  const addresses = opts.addresses ?? ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  const dir = await mkdtemp(join(tmpdir(), 'eeb-sshd-'));
  try {
    await mkdir('/run/sshd', { recursive: true }); // privilege separation dir
    const hostKeyPub = await generateKey(join(dir, 'ssh_host_ed25519_key'), 'test-host');
    const clientKeyPath = join(dir, 'client_ed25519');
    const clientPub = await generateKey(clientKeyPath, 'test-client');
    await writeFile(join(dir, 'authorized_keys'), clientPub + '\n', { mode: 0o600 });
    const knownHostsPath = join(dir, 'known_hosts');

    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'sshd_config');
      await writeFile(conf, sshdConfig(dir, port, addresses, opts.extraConfig));
      const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', conf];
      // ip execs sshd in the namespace (no fork): child.pid is the listener's
      const [cmd, ...argv] = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...sshd] : sshd;
      const child = spawn(cmd!, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => {
        stderr += d;
      });
      const log = () => stderr;
      // a crashed test run must not leave the listener behind
      const onExit = () => killQuietly(child.pid!, 'SIGKILL');
      process.once('exit', onExit);
      try {
        await waitListening(child, addresses, port, opts.timeoutMs ?? 10_000, log);
      } catch (e) {
        lastErr = e;
        killQuietly(child.pid!, 'SIGKILL');
        process.off('exit', onExit);
        continue;
      }
      const knownKey = hostKeyPub.split(' ').slice(0, 2).join(' ');
      const lines = opts.knownHosts === false ? [] : addresses.map((a) => `[${a}]:${port} ${knownKey}`);
      await writeFile(knownHostsPath, lines.map((l) => l + '\n').join(''), { mode: 0o600 });
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      let stopped = false;
      return {
        port,
        addresses,
        hosts: addresses.map((address) => ({ name: `root@${address}:${port}`, user: 'root', address, port })),
        dir,
        clientKeyPath,
        knownHostsPath,
        hostKeyPub: knownKey,
        sshOptions: { identity: clientKeyPath, knownHosts: knownHostsPath, agent: false, remoteDir: join(dir, 'remote') },
        pid: child.pid!,
        sessionPids: () => childPids(child.pid!),
        log,
        async stop() {
          if (stopped) return;
          stopped = true;
          // sessions outlive the listener: end them first (their workers then see EOF)
          for (const pid of await childPids(child.pid!)) killQuietly(pid, 'SIGTERM');
          killQuietly(child.pid!, 'SIGTERM');
          const timer = setTimeout(() => killQuietly(child.pid!, 'SIGKILL'), 3000);
          await exited;
          clearTimeout(timer);
          process.off('exit', onExit);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw lastErr;
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
