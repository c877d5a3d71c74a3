/**
 * SshHost against a real OpenSSH server on loopback (test/helpers/sshd.ts):
 * host key and client key refusals, accept-new, deploy-once, node checks,
 * clock offset with an artificial skew, fault stamping, stopAll, and no
 * orphans when the connection dies under running (and paused) workers.
 *
 * Hosts: root@127.0.0.2:PORT and root@127.0.0.3:PORT are normal hosts; on
 * 127.0.0.4 sessions see a fake `node` that says v16, on 127.0.0.5 no node.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { now } from '../../../src/clock.ts';
import { settingsFromFlags } from '../../../src/config/flags.ts';
import { SshError, oneLine } from '../../../src/errors.ts';
import type { WorkerEvent } from '../../../src/events.ts';
import { workerBundle } from '../../../src/fleet/bundle.ts';
import type { Host, HostInfo } from '../../../src/fleet/host.ts';
import { SshHost, connectAll, parseSshTarget, type SshHostOptions } from '../../../src/fleet/ssh/index.ts';
import { waitFor } from '../../helpers/etcd-cluster.ts';
import { generateKey, processAlive, processesMatching, startSshd, type TestSshd } from '../../helpers/sshd.ts';

/** ms of clock slack beyond the measured uncertainty: two processes' performance.timeOrigin differ slightly */
const SLACK_MS = 2;

/** A long-running worker that needs no etcd: an agents process with 0 agents. */
const idleWorker = (id: string) => ({ role: 'agent' as const, id, args: ['agents', '0', '--endpoints', 'http://127.0.0.1:9', '--id', id] });

async function rejection(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SshError, `expected an SshError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

function assertOneLine(e: Error): void {
  assert.ok(!oneLine(e).includes('\n') && !e.message.includes('\n'), `one line: ${e.message}`);
}

describe('SshHost over a real sshd', () => {
  let sshd: TestSshd;
  let fakeBin: string;
  const opened: SshHost[] = [];

  /** An SshHost for sshd address i, closed after the suite (also on failure). */
  function host(i: number, opts: SshHostOptions = {}): SshHost {
    const h = new SshHost(sshd.hosts[i], { ...sshd.sshOptions, ...opts });
    opened.push(h);
    return h;
  }

  before(async () => {
    fakeBin = await mkdtemp(join(tmpdir(), 'eeb-fakenode-'));
    await mkdir(join(fakeBin, 'old'));
    await mkdir(join(fakeBin, 'none'));
    await writeFile(join(fakeBin, 'old', 'node'), '#!/bin/sh\necho v16.20.2\n', { mode: 0o755 });
    sshd = await startSshd({
      addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
      extraConfig: [`Match LocalAddress 127.0.0.4`, `  SetEnv PATH=${fakeBin}/old:/bin`, `Match LocalAddress 127.0.0.5`, `  SetEnv PATH=${fakeBin}/none`].join('\n'),
    });
  });

  after(async () => {
    await Promise.allSettled(opened.map((h) => h.close()));
    await sshd?.stop();
    await rm(fakeBin, { recursive: true, force: true });
  });

  test('connects, checks node, deploys and runs commands over one connection', async (t) => {
    const h = host(0);
    const info = await h.connect();
    t.diagnostic(`connect (handshake + node check + deploy ${h.deployed?.uploaded ? 'upload' : 'cached'} + guard) took ${Math.round(h.connectMs ?? 0)} ms`);
    assert.equal(info.nodeVersion, process.version, 'same machine, same node');
    assert.equal(h.transport, 'ssh');
    const r = await h.run('echo $((6*7)); echo oops >&2; exit 3');
    assert.deepEqual(r, { code: 3, signal: null, stdout: '42\n', stderr: 'oops\n' });
    const t0 = performance.now();
    const again = await h.run('echo again');
    t.diagnostic(`one more exec channel on the open connection: ${(performance.now() - t0).toFixed(1)} ms`);
    assert.equal(again.stdout, 'again\n');
    assert.equal(await h.connect(), info, 'connect() on a connected host is a no-op');
    await h.close();
    assert.equal(h.connected, false);
  });

  test('an unknown host key is refused in one line, exit 2, saying how to accept it', async () => {
    const kh = join(sshd.dir, 'empty_known_hosts');
    await writeFile(kh, '');
    const e = await rejection(host(0, { knownHosts: kh }).connect());
    assert.equal(e.exitCode, 2);
    assertOneLine(e);
    assert.match(e.message, new RegExp(`^root@127\\.0\\.0\\.2:${sshd.port}: unknown host key ssh-ed25519 SHA256:`));
    assert.match(e.message, /--accept-new-host-keys/);
    assert.equal(await readFile(kh, 'utf8'), '', 'nothing recorded without the flag');
  });

  test('a changed host key is refused, even with acceptNewHostKeys', async () => {
    const other = await generateKey(join(sshd.dir, 'impostor_host_key'));
    const kh = join(sshd.dir, 'changed_known_hosts');
    await writeFile(kh, `# earlier\n[127.0.0.2]:${sshd.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const e = await rejection(host(0, { knownHosts: kh, acceptNewHostKeys: true }).connect());
    assert.equal(e.exitCode, 2);
    assertOneLine(e);
    assert.match(e.message, /HOST KEY CHANGED/);
    assert.match(e.message, new RegExp(`${kh}:2`), 'names the file and line of the old key');
  });

  test('a wrong client key is refused in one line, exit 2', async () => {
    const wrong = join(sshd.dir, 'wrong_client_key');
    await generateKey(wrong);
    const e = await rejection(host(0, { identity: wrong }).connect());
    assert.equal(e.exitCode, 2);
    assertOneLine(e);
    assert.match(e.message, /authentication failed for root \(tried .*wrong_client_key\)/);
    assert.match(e.message, /passwords are never used/);
  });

  test('a missing identity file is a one-line config error', async () => {
    const e = await rejection(host(0, { identity: join(sshd.dir, 'no_such_key') }).connect());
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /identity file .*no_such_key not found/);
  });

  test('accept-new records the first-seen key; the next connect needs no flag', async () => {
    const kh = join(sshd.dir, 'sub', 'accept_known_hosts');
    const first = host(1, { knownHosts: kh, acceptNewHostKeys: true });
    await first.connect();
    await first.close();
    assert.equal(await readFile(kh, 'utf8'), `[127.0.0.3]:${sshd.port} ${sshd.hostKeyPub}\n`);
    const second = host(1, { knownHosts: kh });
    await second.connect();
    await second.close();
    assert.equal((await readFile(kh, 'utf8')).split('\n').length, 2, 'recorded once');
  });

  test('--known-hosts FILE that does not exist yet, with --accept-new-host-keys: FILE is created 0600 with the key (issue 9)', async () => {
    const kh = join(sshd.dir, 'fresh_known_hosts');
    const { knownHosts } = settingsFromFlags({ 'known-hosts': kh });
    assert.equal(knownHosts, kh, 'a missing known_hosts file in an existing directory is a valid setting');
    const h = host(0, { knownHosts: knownHosts!, acceptNewHostKeys: true });
    await h.connect();
    await h.close();
    assert.equal((await stat(kh)).mode & 0o777, 0o600);
    assert.equal(await readFile(kh, 'utf8'), `[127.0.0.2]:${sshd.port} ${sshd.hostKeyPub}\n`);
  });

  test('deploys the bundle once per version (temp name + rename)', async (t) => {
    const dir = join(sshd.dir, 'deploy-once');
    const bundle = await workerBundle();
    const a = host(0, { remoteDir: dir });
    await a.connect();
    assert.equal(a.deployed?.uploaded, true);
    assert.equal(a.deployed?.remotePath, join(dir, `worker-${bundle.hash}.mjs`));
    t.diagnostic(`upload of ${bundle.code.length} bytes: ${Math.round(a.deployed?.ms ?? 0)} ms`);
    // same machine: the remote file is readable here
    const first = await stat(a.deployed!.remotePath);
    const body = await readFile(a.deployed!.remotePath);
    assert.equal(createHash('sha256').update(body).digest('hex').slice(0, 16), bundle.hash);
    await a.close();

    const again = host(0, { remoteDir: dir });
    await again.connect();
    assert.equal(again.deployed?.uploaded, false, 'second connect does not upload');
    assert.equal((await stat(again.deployed!.remotePath)).mtimeMs, first.mtimeMs);
    await again.close();
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  });

  test('parallel deploys into one directory all succeed and leave one good file', async () => {
    const dir = join(sshd.dir, 'deploy-race');
    const hs = [host(0, { remoteDir: dir }), host(1, { remoteDir: dir }), host(0, { remoteDir: dir })];
    const out = await connectAll(hs);
    assert.deepEqual(
      out.map((o) => o.ok),
      [true, true, true],
    );
    const files = (await readdir(dir)).sort();
    assert.equal(files.filter((f) => f.startsWith('worker-')).length, 1);
    assert.equal(files.filter((f) => f.endsWith('.tmp')).length, 0);
    const bundle = await workerBundle();
    assert.ok((await readFile(join(dir, `worker-${bundle.hash}.mjs`))).equals(Buffer.from(bundle.code)));
    await Promise.all(hs.map((h) => h.close()));
  });

  test('node too old or missing: a clear error naming the host, exit 2', async () => {
    const old = await rejection(host(2).connect());
    assert.equal(old.exitCode, 2);
    assert.equal(old.message, `root@127.0.0.4:${sshd.port}: node v16.20.2 is too old; the worker needs Node.js >= 18`);
    const none = await rejection(host(3).connect());
    assert.equal(none.exitCode, 2);
    assert.match(none.message, new RegExp(`^root@127\\.0\\.0\\.5:${sshd.port}: node is not installed`));
  });

  test('connectAll gives every host its own outcome', async () => {
    const refused = new SshHost(parseSshTarget(`root@127.0.0.2:${await closedPort()}`), { identity: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath, agent: false });
    const ok = host(1);
    const out = await connectAll([ok, refused, host(3)], { concurrency: 2 });
    assert.equal(out[0].ok, true);
    assert.ok(!out[1].ok && /connection refused by 127\.0\.0\.2:\d+/.test(out[1].reason), out[1].ok ? '' : out[1].reason);
    assert.ok(!out[2].ok && /node is not installed/.test(out[2].reason));
    await ok.close();
  });

  test('clock: a +250 ms skew on one host is measured within its uncertainty', async (t) => {
    const plain = host(0);
    const skewed = host(1, { workerArgs: ['--clock-skew-ms', '250'] });
    await connectAll([plain, skewed]);
    const a = await plain.measureClock(8);
    const b = await skewed.measureClock(8);
    t.diagnostic(`offset ${plain.name}: ${a.offsetMs.toFixed(3)} ± ${a.uncertaintyMs.toFixed(3)} ms`);
    t.diagnostic(`offset ${skewed.name} (skew +250): ${b.offsetMs.toFixed(3)} ± ${b.uncertaintyMs.toFixed(3)} ms`);
    assert.ok(Math.abs(a.offsetMs) <= a.uncertaintyMs + SLACK_MS, `plain host offset ${a.offsetMs}`);
    assert.ok(Math.abs(b.offsetMs - 250) <= b.uncertaintyMs + SLACK_MS, `skewed host offset ${b.offsetMs}`);
    assert.ok(a.uncertaintyMs < 20 && b.uncertaintyMs < 20, 'loopback round trips are short');
    assert.deepEqual(skewed.clock, b);

    // every event of a worker on the skewed host comes back on the control clock
    const events: WorkerEvent[] = [];
    const before = now();
    const w = await skewed.startWorker(idleWorker('skewed'), (e) => events.push(e));
    const afterStart = now();
    const start = events.find((e) => e.ev === 'start')!;
    assert.ok(start.t - before > 200, 'the host clock runs ~250 ms ahead');
    assert.ok(start.tc! >= before - b.uncertaintyMs - SLACK_MS && start.tc! <= afterStart + b.uncertaintyMs + SLACK_MS, 'tc is on the control clock');

    // the fault time is stamped on the host right after kill(2) and converted
    const t0 = now();
    const tf = await w.signal('SIGKILL');
    const t1 = now();
    t.diagnostic(`signal() round trip ${(t1 - t0).toFixed(0)} ms; stamped ${(tf - t0).toFixed(1)} ms after the call`);
    assert.ok(tf >= t0 - b.uncertaintyMs - SLACK_MS && tf <= t1 + b.uncertaintyMs + SLACK_MS, `tf ${tf} within [${t0}, ${t1}]`);
    assert.deepEqual(await w.exited, { code: null, signal: 'SIGKILL' });
    assert.equal(await processAlive(w.pid), false);
    await Promise.all([plain.close(), skewed.close()]);
  });

  test('a clock worker that cannot start fails measureClock at once, with its stderr', async () => {
    const h = host(0, { workerArgs: ['--no-such-flag'] });
    await h.connect();
    const t0 = performance.now();
    const e = await rejection(h.measureClock(8));
    assert.ok(performance.now() - t0 < 5000, 'no waiting for pong timeouts');
    assert.match(e.message, /clock measurement failed: clock worker ended: .*no-such-flag/);
    assert.equal(h.clockMeasured, false);
    await h.close();
  });

  test('stopAll ends running and paused workers', async () => {
    const h = host(0);
    await h.connect();
    const w1 = await h.startWorker(idleWorker('run'), () => {});
    const w2 = await h.startWorker(idleWorker('paused'), () => {});
    await w2.signal('SIGSTOP');
    assert.deepEqual(h.pids.sort(), [w1.pid, w2.pid].sort());
    await h.stopAll(1000);
    assert.equal((await w1.exited).code, 0, 'stdin EOF: a clean exit');
    await w2.exited;
    assert.equal(await processAlive(w1.pid), false);
    assert.equal(await processAlive(w2.pid), false);
    assert.deepEqual(h.pids, []);
    await h.close();
  });

  test('another connection (a later `stop`) finds the workers with ps and stops them, paused ones too', async () => {
    const dir = join(sshd.dir, 'strays');
    const starter = host(0, { remoteDir: dir });
    await starter.connect();
    const ws = await Promise.all([starter.startWorker(idleWorker('s1'), () => {}), starter.startWorker(idleWorker('s2'), () => {})]);
    await ws[1].signal('SIGSTOP');
    const stopper = host(1, { remoteDir: dir });
    await stopper.connect();
    const found = await stopper.listWorkers();
    assert.deepEqual(
      found.map((f) => [f.pid, f.kind]).sort(),
      ws.map((w) => [w.pid, 'agents']).sort(),
    );
    assert.match(found[0].args, /worker-[0-9a-f]+\.mjs agents 0 /);
    const killed = await stopper.killWorkers(found.map((f) => f.pid), 3000);
    assert.deepEqual(killed, [], 'SIGTERM (after SIGCONT) was enough');
    const exits = await Promise.all(ws.map((w) => w.exited));
    assert.deepEqual(
      exits.map((e) => e.code),
      [0, 0],
      'graceful exits',
    );
    assert.deepEqual(await stopper.listWorkers(), []);
    await Promise.all([starter.close(), stopper.close()]);
  });

  test('a worker that dies before its first event rejects startWorker with its stderr', async () => {
    const h = host(0);
    await h.connect();
    const e = await rejection(h.startWorker({ role: 'master', id: 'bad', args: ['master', '--backend', 'nope', '--endpoints', 'http://127.0.0.1:9'] }, () => {}));
    assert.match(e.message, /worker bad ended before its first event \(exit 2\): .*--backend/);
    await h.close();
  });

  for (const how of ['destroying the client socket', 'killing the sshd session process'] as const) {
    test(`${how} mid-run leaves no worker behind, paused ones included`, async (t) => {
      const dir = join(sshd.dir, `orphans-${how.split(' ')[0]}`);
      let dropped: Error | null | undefined;
      let onDrop = () => {};
      const disconnected = new Promise<void>((resolve) => (onDrop = resolve));
      const h = host(1, {
        remoteDir: dir,
        onDisconnect: (_h, err) => {
          dropped = err;
          onDrop();
        },
      });
      await h.connect();
      const ws = await Promise.all([h.startWorker(idleWorker('w1'), () => {}), h.startWorker(idleWorker('w2'), () => {}), h.startWorker(idleWorker('w3'), () => {})]);
      await ws[1].signal('SIGSTOP');
      const running = await processesMatching(dir);
      for (const w of ws) assert.ok(running.some((p) => p.pid === w.pid), `worker ${w.pid} runs`);
      assert.ok(running.some((p) => p.args.includes('guard-')), 'the guard runs');
      assert.ok(running.find((p) => p.pid === ws[1].pid)?.stat.startsWith('T'), 'w2 is stopped');

      const t0 = performance.now();
      if (how === 'destroying the client socket') h.dropConnection();
      else {
        const session = running.find((p) => p.pid === ws[0].pid)!.ppid;
        process.kill(session, 'SIGKILL');
      }
      await waitFor('no process of this host left', async () => (await processesMatching(dir)).length === 0, 10_000, 20);
      t.diagnostic(`all ${ws.length} workers (one paused) and the guard gone ${Math.round(performance.now() - t0)} ms after ${how}`);
      await Promise.all(ws.map((w) => w.exited));
      await disconnected;
      if (how === 'killing the sshd session process') assert.ok(dropped instanceof Error, 'an unexpected drop is reported with a reason');
      assert.equal(h.connected, false);
    });
  }
});

describe('connectAll', () => {
  test('keeps at most `concurrency` connects in flight and keeps order', async () => {
    let inFlight = 0;
    let peak = 0;
    const fake = (i: number): Host =>
      ({
        name: `h${i}`,
        transport: 'ssh',
        clock: { offsetMs: 0, uncertaintyMs: 0 },
        async connect(): Promise<HostInfo> {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          if (i % 5 === 0) throw new SshError('nope', `h${i}`);
          return { nodeVersion: `v${i}` };
        },
      }) as unknown as Host; // only connect() is used
    const out = await connectAll(
      Array.from({ length: 20 }, (_, i) => fake(i)),
      { concurrency: 8 },
    );
    assert.equal(peak, 8);
    assert.deepEqual(
      out.map((o) => (o.ok ? o.info.nodeVersion : o.reason)),
      Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? `h${i}: nope` : `v${i}`)),
    );
  });

  test('an aborted signal fails the hosts not yet connected', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('user quit'));
    const h = { name: 'h', connect: async () => ({ nodeVersion: 'v20' }) } as unknown as Host;
    const [o] = await connectAll([h], { signal: ctl.signal });
    assert.ok(!o.ok && /user quit/.test(o.reason));
  });
});

/** A loopback port nobody listens on (bound and released). */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.2', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
