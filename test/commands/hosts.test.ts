/**
 * `hosts` against real hosts: the control node itself, two SSH hosts on a
 * loopback sshd (one listed as master and agent), one whose port is closed
 * and one whose host key is not known. Table and JSON, exit code.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:net';
import type { HostSpec } from '../../src/config/load.ts';
import { workerBundle } from '../../src/fleet/bundle.ts';
import { LocalHost } from '../../src/fleet/local-host.ts';
import { hostsCommand, probeHosts, type HostsConfig, type HostStatus } from '../../src/commands/hosts.ts';
import { SshHost } from '../../src/fleet/ssh/index.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

function spec(name: string, address: string, port: number, line: number, file: string, user?: string, local = false): HostSpec {
  return { name, user, address, port, local, line, file };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('hosts command', () => {
  let sshd: TestSshd;
  let config: HostsConfig;
  let strangerKnownHosts: string;
  let factory: (s: HostSpec) => LocalHost | SshHost;

  before(async () => {
    sshd = await startSshd({ addresses: ['127.0.0.2', '127.0.0.3'] });
    const [a, b] = sshd.hosts;
    const refusedPort = await closedPort();
    const masters = [spec('localhost', 'localhost', 22, 1, 'conf/master-ips.conf', undefined, true), spec(a.name, a.address, a.port, 2, 'conf/master-ips.conf', 'root')];
    const agents = [
      spec(a.name, a.address, a.port, 1, 'conf/agent-ips.conf', 'root'),
      spec(b.name, b.address, b.port, 2, 'conf/agent-ips.conf', 'root'),
      spec(`root@127.0.0.1:${refusedPort}`, '127.0.0.1', refusedPort, 3, 'conf/agent-ips.conf', 'root'),
    ];
    config = { masters, agents, settings: { identity: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath } };
    // 127.0.0.3 is missing from this known_hosts
    strangerKnownHosts = join(sshd.dir, 'only_a_known_hosts');
    await writeFile(strangerKnownHosts, `[127.0.0.2]:${sshd.port} ${sshd.hostKeyPub}\n`);
    factory = (s) =>
      s.local
        ? new LocalHost(s.name)
        : new SshHost(s, { identity: sshd.clientKeyPath, knownHosts: s.address === '127.0.0.3' ? strangerKnownHosts : sshd.knownHostsPath, agent: false, remoteDir: join(sshd.dir, 'remote') });
  });
  after(() => sshd?.stop());

  test('reports each host once with its roles, node, offset and worker, or the exact reason', async (t) => {
    const t0 = performance.now();
    const rows = await probeHosts(config, { hostFactory: factory });
    t.diagnostic(`probe of ${rows.length} hosts: ${Math.round(performance.now() - t0)} ms`);
    const by = (name: string) => rows.find((r) => r.host === name) as HostStatus;
    assert.deepEqual(
      rows.map((r) => r.host),
      ['localhost', sshd.hosts[0].name, sshd.hosts[1].name, config.agents[2].name],
    );
    const bundle = await workerBundle();

    const local = by('localhost');
    assert.equal(local.ok, true);
    assert.deepEqual([local.transport, local.nodeVersion, local.clockOffsetMs, local.clockUncertaintyMs, local.deployed], ['local', process.version, 0, 0, 'local']);

    const a = by(sshd.hosts[0].name);
    assert.equal(a.ok, true, a.reason ?? '');
    assert.deepEqual(a.roles, ['master', 'agent']);
    assert.equal(a.where, 'conf/master-ips.conf:2');
    assert.equal(a.nodeVersion, process.version);
    assert.equal(a.workerHash, bundle.hash);
    assert.ok(a.clockUncertaintyMs !== null && Math.abs(a.clockOffsetMs!) <= a.clockUncertaintyMs + 2);
    t.diagnostic(`${a.host}: connect ${a.connectMs} ms, offset ${a.clockOffsetMs?.toFixed(3)} ± ${a.clockUncertaintyMs?.toFixed(3)} ms`);

    const b = by(sshd.hosts[1].name);
    assert.equal(b.reachable, false);
    assert.match(b.reason!, /unknown host key .*--accept-new-host-keys/);

    const refused = by(config.agents[2].name);
    assert.equal(refused.reachable, false);
    assert.match(refused.reason!, /connection refused by 127\.0\.0\.1:\d+/);
  });

  test('prints a table with the reasons under it and exits 1 when a host is down', async () => {
    let out = '';
    const code = await hostsCommand(config, { hostFactory: factory, write: (s) => (out += s) });
    assert.equal(code, 1);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0], /^HOST\s+ROLES\s+VIA\s+STATE\s+NODE\s+CLOCK OFFSET\s+WORKER\s+CONNECT$/);
    assert.match(lines[1], /^localhost\s+master\s+local\s+up\s+v\d+\.\d+\.\d+\s+\+0\.000 ± 0\.000 ms\s+[0-9a-f]{16} \(local\)/);
    assert.match(lines[2], new RegExp(`^root@127\\.0\\.0\\.2:${sshd.port}\\s+master,agent\\s+ssh\\s+up\\s+v\\S+\\s+[+-]\\d+\\.\\d{3} ± \\d+\\.\\d{3} ms\\s+[0-9a-f]{16} \\(cached\\)\\s+\\d+ ms$`));
    assert.match(lines[3], /\s+agent\s+ssh\s+DOWN\s+—\s+—\s+—\s+—$/);
    assert.ok(lines.some((l) => l.startsWith(`${sshd.hosts[1].name} (conf/agent-ips.conf:2): unknown host key ssh-ed25519 SHA256:`)));
    assert.equal(lines.at(-1), '2 of 4 hosts up');
  });

  test('--json gives the same facts as one object; all up exits 0', async () => {
    let out = '';
    const upOnly: HostsConfig = { ...config, agents: config.agents.slice(0, 1) };
    const code = await hostsCommand(upOnly, { hostFactory: factory, json: true, write: (s) => (out += s) });
    assert.equal(code, 0);
    const parsed = JSON.parse(out) as { ok: boolean; hosts: HostStatus[] };
    assert.equal(parsed.ok, true);
    assert.deepEqual(
      parsed.hosts.map((h) => [h.host, h.transport, h.ok, h.deployed]),
      [
        ['localhost', 'local', true, 'local'],
        [sshd.hosts[0].name, 'ssh', true, 'cached'],
      ],
    );
    assert.equal(typeof parsed.hosts[1].clockOffsetMs, 'number');
  });
});
