import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.ts';
import { DEFAULT_CONF_DIR, loadConfig, type Config } from '../../src/config/load.ts';
import { DEFAULT_SETTINGS, pauseSeconds } from '../../src/config/settings.ts';

let root: string;
let conf: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eeb-load-'));
  conf = join(root, 'conf');
  mkdirSync(conf);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, lines: string[]): void {
  writeFileSync(join(conf, name), lines.join('\n') + '\n');
}

function errorOf(fn: () => Config): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('Given good files, When loaded, Then settings, hosts and sources come from them', () => {
    write('bench.conf', ['ttl = 3', 'refresh = 1', 'masters = 2', 'agents = 50', 'out = runs']);
    write('master-ips.conf', ['# masters', 'localhost', 'root@127.0.0.2:2222']);
    write('agent-ips.conf', ['root@127.0.0.3:2222   # agents']);
    const c = loadConfig(conf, {}, root);
    assert.equal(c.dir, conf);
    assert.deepEqual(c.settings, { ...DEFAULT_SETTINGS, ttl: 3, refresh: 1, masters: 2, agents: 50, out: join(conf, 'runs') });
    assert.deepEqual(
      c.masters.map((h) => [h.name, h.local, h.line, h.file]),
      [
        ['localhost', true, 2, join(conf, 'master-ips.conf')],
        ['root@127.0.0.2:2222', false, 3, join(conf, 'master-ips.conf')],
      ],
    );
    assert.deepEqual(
      c.agents.map((h) => [h.user, h.address, h.port, h.local]),
      [['root', '127.0.0.3', 2222, false]],
    );
    assert.equal(c.sources.ttl, `${join(conf, 'bench.conf')}:1`);
    assert.equal(c.sources.backend, 'default');
    assert.deepEqual(c.warnings, []);
  });

  it('names files as the --conf path was written (relative stays relative)', () => {
    write('bench.conf', ['ttl = x']);
    const e = errorOf(() => loadConfig('conf', {}, root));
    assert.equal(e.message, 'conf/bench.conf:1: ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "x"');
    assert.equal(e.where, 'conf/bench.conf:1');
  });

  it('uses defaults for missing files: all settings, localhost for each host list', () => {
    const c = loadConfig(conf, {}, root);
    assert.deepEqual(c.settings, { ...DEFAULT_SETTINGS, out: join(root, 'results') });
    assert.deepEqual(c.masters, [{ name: 'localhost', address: 'localhost', port: 22, local: true, line: 0, file: join(conf, 'master-ips.conf') }]);
    assert.equal(c.agents.length, 1);
    assert.equal(c.agents[0].local, true);
    assert.ok(Object.values(c.sources).every((s) => s === 'default'));
  });

  it('rejects a --conf directory that does not exist, or is a file', () => {
    assert.equal(errorOf(() => loadConfig(join(root, 'nope'), {}, root)).message, `${join(root, 'nope')}: conf directory does not exist`);
    writeFileSync(join(root, 'file'), '');
    assert.equal(errorOf(() => loadConfig('file', {}, root)).message, 'file: is not a directory');
  });

  it('without --conf uses the package conf/ (shipped with localhost in both lists)', () => {
    const c = loadConfig(undefined, {}, root);
    assert.equal(c.dir, DEFAULT_CONF_DIR);
    assert.deepEqual(
      c.masters.map((h) => [h.name, h.local]),
      [['localhost', true]],
    );
    assert.deepEqual(
      c.agents.map((h) => [h.name, h.local]),
      [['localhost', true]],
    );
  });

  it('rejects an empty master list, naming the file', () => {
    write('master-ips.conf', ['# nobody']);
    assert.equal(errorOf(() => loadConfig(conf, {}, root)).message, `${join(conf, 'master-ips.conf')}: no master hosts: list at least one, e.g. "localhost"`);
  });

  it('warns, but loads, when agents are wanted and no agent host is listed', () => {
    write('agent-ips.conf', ['']);
    const c = loadConfig(conf, {}, root);
    assert.deepEqual(c.agents, []);
    assert.deepEqual(c.warnings, [`${join(conf, 'agent-ips.conf')} lists no hosts, so agents = 100 starts no agents`]);
    assert.deepEqual(loadConfig(conf, { agents: 0 }, root).warnings, []);
  });

  it('passes host file errors through with file:line', () => {
    write('agent-ips.conf', ['localhost', 'root@10.0.0.5', 'root@10.0.0.5']);
    assert.equal(
      errorOf(() => loadConfig(conf, {}, root)).message,
      `${join(conf, 'agent-ips.conf')}:3: duplicate host "root@10.0.0.5": same host as line 2 ("root@10.0.0.5")`,
    );
  });

  it('rejects a bench.conf that is a directory', () => {
    mkdirSync(join(conf, 'bench.conf'));
    assert.equal(errorOf(() => loadConfig(conf, {}, root)).message, `${join(conf, 'bench.conf')}: is a directory, expected a file`);
  });
});

describe('loadConfig overrides', () => {
  it('Given a file value and an override, Then the override wins and is named by its flag', () => {
    write('bench.conf', ['ttl = 5', 'rounds = 2', 'backend = v2-ttl']);
    const c = loadConfig(conf, { ttl: 3, masterPath: '/m', seedKeys: true }, root);
    assert.equal(c.settings.ttl, 3);
    assert.equal(c.settings.rounds, 2);
    assert.equal(c.settings.backend, 'v2-ttl');
    assert.equal(c.settings.masterPath, '/m');
    assert.equal(c.settings.seedKeys, true);
    assert.equal(c.sources.ttl, '--ttl');
    assert.equal(c.sources.masterPath, '--master-path');
    assert.equal(c.sources.rounds, `${join(conf, 'bench.conf')}:2`);
  });

  it('re-checks override values with the flag rules', () => {
    assert.equal(errorOf(() => loadConfig(conf, { ttl: 0 }, root)).message, '--ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "0"');
    assert.equal(errorOf(() => loadConfig(conf, { masterPath: 'x' }, root)).where, '--master-path');
    assert.equal(
      errorOf(() => loadConfig(conf, { backend: 'zk' as never }, root)).message,
      '--backend: expected one of v3-lease, v2-ttl, v3-election, got "zk"',
    );
  });

  it('resolves relative override paths against cwd, not the conf dir', () => {
    assert.equal(loadConfig(conf, { out: 'out1' }, root).settings.out, join(root, 'out1'));
  });

  it('leaves unset (undefined) overrides alone', () => {
    write('bench.conf', ['ttl = 4']);
    assert.equal(loadConfig(conf, { ttl: undefined }, root).settings.ttl, 4);
  });
});

describe('loadConfig cross-checks', () => {
  it('rejects refresh >= ttl at the line that set it', () => {
    write('bench.conf', ['ttl = 2', 'refresh = 2']);
    const e = errorOf(() => loadConfig(conf, {}, root));
    assert.equal(e.where, `${join(conf, 'bench.conf')}:2`);
    assert.equal(
      e.message,
      `${join(conf, 'bench.conf')}:2: refresh must be shorter than ttl, or the key expires between keep-alives: refresh = 2, ttl = 2 (${join(conf, 'bench.conf')}:1)`,
    );
  });

  it('blames the flag when a flag makes the conflict', () => {
    write('bench.conf', ['refresh = 1.5']);
    const e = errorOf(() => loadConfig(conf, { ttl: 1 }, root));
    assert.equal(e.where, '--ttl');
    assert.match(e.message, /^--ttl: refresh must be shorter than ttl.*: refresh = 1\.5 \(.*bench\.conf:1\), ttl = 1$/);
    // against a default, the changed value is blamed
    assert.equal(errorOf(() => loadConfig(conf, { refresh: 2 }, root)).where, '--refresh');
  });

  it('rejects round_timeout <= ttl', () => {
    write('bench.conf', ['ttl = 30']);
    assert.match(errorOf(() => loadConfig(conf, {}, root)).message, /bench\.conf:1: round_timeout must be longer than ttl/);
  });

  it('rejects a pause fault that outlasts round_timeout, accepting pause = 0 as ttl + 1.5', () => {
    write('bench.conf', ['fault = pause', 'pause = 40']);
    assert.match(errorOf(() => loadConfig(conf, {}, root)).message, /bench\.conf:2: the pause fault must end before round_timeout/);
    write('bench.conf', ['fault = pause']);
    const c = loadConfig(conf, {}, root);
    assert.equal(pauseSeconds(c.settings), 3.5);
    assert.deepEqual(c.warnings, []);
  });

  it('warns about a pause too short to expire the key', () => {
    write('bench.conf', ['fault = pause', 'pause = 1']);
    assert.deepEqual(loadConfig(conf, {}, root).warnings, [
      `pause = 1 (${join(conf, 'bench.conf')}:2): a pause not longer than ttl lets the master keep its key; expect no failover`,
    ]);
  });

  it('rejects overlapping ego_key and master_path', () => {
    write('bench.conf', ['master_path = /bench', 'ego_key = /bench/ego']);
    assert.match(errorOf(() => loadConfig(conf, {}, root)).message, /bench\.conf:2: ego_key and master_path must be separate keys/);
    write('bench.conf', ['# defaults']);
    assert.match(errorOf(() => loadConfig(conf, { masterPath: '/ego_conf' }, root)).message, /^--master-path: ego_key and master_path/);
  });

  it('rejects the etcd-leader fault against an external cluster', () => {
    write('bench.conf', ['endpoints = http://10.0.0.1:2379']);
    assert.match(errorOf(() => loadConfig(conf, { fault: 'etcd-leader' }, root)).message, /^--fault: the etcd-leader fault needs the embedded cluster/);
    assert.equal(loadConfig(conf, { fault: 'etcd-leader', endpoints: 'embedded' }, root).settings.fault, 'etcd-leader');
  });

  it('rejects grpc agents with the v2-ttl backend, and the retired multiplexed mode', () => {
    write('bench.conf', ['backend = v2-ttl', 'agent_mode = grpc']);
    assert.equal(errorOf(() => loadConfig(conf, {}, root)).message, `${conf}/bench.conf:2: grpc agents need a v3 backend (etcd v2 has no gRPC API): agent_mode = grpc, backend = v2-ttl (${conf}/bench.conf:1)`);
    assert.equal(errorOf(() => loadConfig(conf, {}, root)).exitCode, 2);
    assert.equal(loadConfig(conf, { backend: 'v3-election' }, root).settings.agentMode, 'grpc');
    write('bench.conf', ['backend = v2-ttl']);
    assert.match(errorOf(() => loadConfig(conf, { agentMode: 'grpc' }, root)).message, /^--agent-mode: grpc agents need a v3 backend/);
    write('bench.conf', ['agent_mode = multiplexed']);
    assert.match(errorOf(() => loadConfig(conf, {}, root)).message, /bench\.conf:1: agent_mode: expected one of own, grpc \("multiplexed" is now grpc/);
  });

  it('warns that etcd raises a 1 s lease TTL, but not for v2-ttl', () => {
    write('bench.conf', ['ttl = 1', 'refresh = 0.25']);
    const c = loadConfig(conf, {}, root);
    assert.equal(c.settings.ttl, 1);
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /^ttl = 1 \(.*bench\.conf:1\): etcd silently raises lease TTLs/);
    assert.deepEqual(loadConfig(conf, { backend: 'v2-ttl' }, root).warnings, []);
  });
});
