/**
 * Issue 9.7: an SSH host that is not this machine's loopback cannot reach the
 * embedded cluster on 127.0.0.1. Here the SSH host lives in a network
 * namespace of its own (a real sshd inside it, reached over a veth link),
 * not on a loopback alias: without --embedded-listen the run is refused
 * before anything starts (one line, exit 2); with the host side of the link
 * as --embedded-listen, the workers on that host (inside the namespace)
 * reach etcd there and real rounds pass.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig, type HostSpec } from '../../src/config/load.ts';
import { SshHost } from '../../src/fleet/ssh/index.ts';
import { Session } from '../../src/run/session.ts';
import { preflight } from '../../src/run/preflight.ts';
import { NetnsLab } from '../../src/lab/lab.ts';
import { waitFor } from '../helpers/etcd-cluster.ts';
import { processesMatching, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { testRunId } from '../helpers/netns.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const T = 2;
const R = 0.5;

describe('an SSH host in its own network namespace and the embedded cluster', () => {
  let lab: NetnsLab;
  let sshd: TestSshd;
  let dir: string;
  let conf: string;
  const savedState = process.env.ETCD_BENCH_STATE_DIR;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eeb-ssh-netns-'));
    // no cluster left running by `cluster start` elsewhere is reused: each run starts its own
    process.env.ETCD_BENCH_STATE_DIR = join(dir, 'state');
    lab = await NetnsLab.create(testRunId(), 1);
    sshd = await startSshd({ netns: lab.spaces[0]!.name, addresses: [lab.spaces[0]!.nsAddr] });
    const host = sshd.hosts[0]!;
    conf = join(dir, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'master-ips.conf'), `# an SSH host behind a veth link\n${host.name}\n`);
    writeFileSync(join(conf, 'agent-ips.conf'), `${host.name}\n`);
    writeFileSync(join(conf, 'bench.conf'), `identity = ${sshd.clientKeyPath}\nknown_hosts = ${sshd.knownHostsPath}\n`);
  });
  after(async () => {
    await sshd?.stop();
    await lab?.remove();
    if (savedState === undefined) delete process.env.ETCD_BENCH_STATE_DIR;
    else process.env.ETCD_BENCH_STATE_DIR = savedState;
    rmSync(dir, { recursive: true, force: true });
  });

  test('without --embedded-listen: refused before anything starts, one line naming the host and the flag (exit 2)', async () => {
    const t0 = performance.now();
    const r = await execa(process.execPath, [bin, 'run', '--conf', conf, '--endpoints', 'embedded', '--out', join(dir, 'refused'), '--rounds', '1'], { reject: false, timeout: 60_000, env: { CI: 'true' } });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`master-ips\\.conf:2: ${sshd.hosts[0]!.name.replace(/\./g, '\\.')} cannot reach the embedded cluster, which listens on loopback only: set --embedded-listen ADDR`));
    assert.ok(performance.now() - t0 < 10_000, 'nothing was started first');
    // and an address that is not this machine's is refused as such
    const bad = await execa(process.execPath, [bin, 'run', '--conf', conf, '--endpoints', 'embedded', '--embedded-listen', '192.0.2.254', '--out', join(dir, 'refused')], { reject: false, timeout: 60_000, env: { CI: 'true' } });
    assert.equal(bad.exitCode, 2, bad.stderr);
    assert.match(bad.stderr.trim(), /^etcd-election-bench: --embedded-listen: 192\.0\.2\.254 is not an address of this machine \(it has .*\)$/);
  });

  test('with the link\'s host side as --embedded-listen: workers inside the namespace reach etcd there; 2 kill rounds pass', async (t) => {
    const listen = lab.spaces[0]!.hostAddr;
    const config = loadConfig(conf, { endpoints: 'embedded', embeddedListen: listen, out: join(dir, 'results'), masters: 2, agents: 10, ttl: T, refresh: R });
    preflight(config, { rounds: true });
    const hostFactory = (spec: HostSpec) =>
      new SshHost(spec, { identity: config.settings.identity!, knownHosts: config.settings.knownHosts!, agent: false, remoteDir: sshd.sshOptions.remoteDir });
    const session = await Session.open(config, { hostFactory });
    t.after(() => session.close());
    await session.startMasters();
    await session.startAgents();
    // Then every worker runs inside the namespace (not this one) and was handed the listen address
    const workers = await processesMatching(`--host ${sshd.hosts[0]!.name}`);
    const mine = readlinkSync('/proc/self/ns/net');
    const theirs = readlinkSync(`/proc/${sshd.pid}/ns/net`);
    assert.notEqual(theirs, mine);
    assert.equal(workers.length, 3, workers.map((w) => w.args).join('\n'));
    for (const w of workers) {
      assert.equal(readlinkSync(`/proc/${w.pid}/ns/net`), theirs, `worker ${w.pid} runs in the SSH host's namespace`);
      assert.match(w.args, new RegExp(`--endpoints http://${listen.replace(/\./g, '\\.')}:\\d+,http://${listen.replace(/\./g, '\\.')}:\\d+,`), w.args);
    }
    // and real rounds pass
    for (let i = 0; i < 2; i++) {
      const r = (await session.round('kill'))!;
      assert.ok(r.ok, r.error);
      assert.ok(r.failoverMs! > (T - R) * 1000 - 50 && r.failoverMs! < T * 1000 + 700, `failover ${r.failoverMs} ms`);
      assert.equal(r.agents.notified, 10);
    }
    assert.deepEqual(session.hostList().map((h) => h.transport), ['ssh']);
    await session.close();
    await waitFor('no worker left on the SSH host', async () => (await processesMatching(`--host ${sshd.hosts[0]!.name}`)).length === 0, 15_000);
  });
});
