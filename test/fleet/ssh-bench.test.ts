/**
 * The benchmark over SSH, end to end: masters on 3 SSH hosts and agents on 2
 * (distinct loopback addresses of one real sshd), a real 3-member etcd,
 * 3 rounds of SIGKILL failover inside the physical bound; the host report
 * says ssh with a measured clock offset; closing leaves no worker behind.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { execa } from 'execa';
import { homedir } from 'node:os';
import { workerBundle } from '../../src/fleet/bundle.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { startSshd, processesMatching, generateKey, type TestSshd } from '../helpers/sshd.ts';
import { loadConfig, type HostSpec } from '../../src/config/load.ts';
import { SshHost } from '../../src/fleet/ssh/index.ts';
import { Session } from '../../src/run/session.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const T = 2;
const R = 0.5;

describe('bench over SSH', () => {
  let etcd: EmbeddedCluster;
  let sshd: TestSshd;
  let dir: string;
  before(async () => {
    [etcd, sshd] = await Promise.all([startTestCluster(), startSshd({ addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'] })]);
    dir = mkdtempSync(join(tmpdir(), 'eeb-sshbench-'));
  });
  after(async () => {
    await Promise.all([etcd?.stop(), sshd?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('masters on 3 SSH hosts, agents on 2: 3 SIGKILL rounds inside (T-R-50, T+700) ms', async (t) => {
    const [m1, m2, m3, a1, a2] = sshd.hosts;
    writeFileSync(join(dir, 'master-ips.conf'), `# three master hosts\n${m1.name}\n${m2.name}\n${m3.name}\n`);
    writeFileSync(join(dir, 'agent-ips.conf'), `${a1.name}\n${a2.name}\n`);
    writeFileSync(join(dir, 'bench.conf'), `identity = ${sshd.clientKeyPath}\nknown_hosts = ${sshd.knownHostsPath}\n`);
    const config = loadConfig(dir, { endpoints: etcd.endpoints, out: join(dir, 'results'), masters: 1, agents: 20, ttl: T, refresh: R });
    // the conf's identity and known_hosts, and the bundle under the test's own dir
    const hostFactory = (spec: HostSpec) =>
      new SshHost(spec, { identity: config.settings.identity!, knownHosts: config.settings.knownHosts!, agent: false, remoteDir: sshd.sshOptions.remoteDir });
    const session = await Session.open(config, { hostFactory });
    t.after(() => session.close());

    const hosts = session.hostList();
    assert.equal(hosts.length, 5);
    for (const h of hosts) {
      assert.equal(h.transport, 'ssh');
      assert.equal(h.nodeVersion, process.version);
      // same machine: the true offset is 0, so the estimate must be within its own uncertainty (+1 ms of scheduling)
      assert.ok(Math.abs(h.clockOffsetMs) <= h.clockUncertaintyMs + 1, `${h.host}: ${h.clockOffsetMs} ± ${h.clockUncertaintyMs}`);
      assert.ok(h.clockUncertaintyMs < 50, `${h.host}: uncertainty ${h.clockUncertaintyMs}`);
    }

    await session.startMasters();
    await session.startAgents();
    for (let i = 0; i < 3; i++) {
      const r = (await session.round('kill'))!;
      assert.ok(r.ok, r.error);
      assert.ok(r.failoverMs! > T * 1000 - R * 1000 - 50 && r.failoverMs! < T * 1000 + 700, `round ${r.round}: failover ${r.failoverMs} ms`);
      assert.equal(r.agents.count, 40);
      assert.equal(r.agents.notified, 40);
      assert.match(r.oldMaster!, /^127\.0\.0\.[234]-m1$/);
    }
    const workers = await processesMatching(`--host root@127.0.0.`);
    assert.ok(workers.length >= 5, `workers running on the SSH hosts: ${workers.length}`);

    await session.close();
    await waitFor('no worker left on the SSH hosts', async () => (await processesMatching(`--host root@127.0.0.`)).filter((p) => p.args.includes(String(sshd.port))).length === 0, 15_000);
  });

  test('`run` from the command line with SSH hosts in conf: exit 0, hosts reported as ssh', async () => {
    const [m1, m2, , a1] = sshd.hosts;
    const conf = join(dir, 'cli-conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'master-ips.conf'), `${m1.name}\n${m2.name}\n`);
    writeFileSync(join(conf, 'agent-ips.conf'), `${a1.name}\n`);
    writeFileSync(join(conf, 'bench.conf'), `identity = ${sshd.clientKeyPath}\nknown_hosts = ${sshd.knownHostsPath}\nmasters = 1\nagents = 10\n`);
    const bundle = await workerBundle();
    const remote = join(homedir(), '.cache', 'etcd-election-bench', `worker-${bundle.hash}.mjs`);
    const hadBundle = existsSync(remote);
    try {
      const r = await execa(process.execPath, [bin, 'run', '--conf', conf, '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'cli-results'), '--rounds', '1', '--json', '-'], { reject: false, timeout: 120_000, env: { CI: 'true' } });
      assert.equal(r.exitCode, 0, r.stderr);
      const o = JSON.parse(r.stdout);
      assert.equal(o.ok, true);
      assert.deepEqual(o.hosts.map((h: { transport: string }) => h.transport), ['ssh', 'ssh', 'ssh']);
      assert.equal(o.rounds[0].agents.notified, 10);
    } finally {
      if (!hadBundle) rmSync(remote, { force: true });
    }
  });

  test('an unknown host key and a wrong client key: one line each, exit 2', async () => {
    const [m1] = sshd.hosts;
    const conf = join(dir, 'bad-conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'master-ips.conf'), `${m1.name}\n`);
    writeFileSync(join(conf, 'agent-ips.conf'), `${m1.name}\n`);
    const run = () =>
      execa(process.execPath, [bin, 'run', '--conf', conf, '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'bad-results'), '--rounds', '1'], { reject: false, timeout: 60_000, env: { CI: 'true' } });

    writeFileSync(join(dir, 'empty_known_hosts'), '');
    writeFileSync(join(conf, 'bench.conf'), `identity = ${sshd.clientKeyPath}\nknown_hosts = ${join(dir, 'empty_known_hosts')}\n`);
    const unknown = await run();
    assert.equal(unknown.exitCode, 2, unknown.stderr);
    assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
    assert.match(unknown.stderr, /127\.0\.0\.2/);
    assert.match(unknown.stderr, /--accept-new-host-keys/);

    const stranger = join(dir, 'stranger_key');
    await generateKey(stranger);
    writeFileSync(join(conf, 'bench.conf'), `identity = ${stranger}\nknown_hosts = ${sshd.knownHostsPath}\n`);
    const wrongKey = await run();
    assert.equal(wrongKey.exitCode, 2, wrongKey.stderr);
    assert.equal(wrongKey.stderr.trim().split('\n').length, 1, wrongKey.stderr);
    assert.match(wrongKey.stderr, /127\.0\.0\.2/);
  });
});
