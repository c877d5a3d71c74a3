import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/errors.ts';
import { parseBenchConf } from '../../src/config/bench-conf.ts';
import { CONF_KEYS, DEFAULT_SETTINGS } from '../../src/config/settings.ts';

const FILE = 'conf/bench.conf';

function errorOf(text: string, baseDir = '/'): string {
  try {
    parseBenchConf(text, FILE, baseDir);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseBenchConf', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eeb-benchconf-'));
    writeFileSync(join(dir, 'id_test'), 'not really a key\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Given every key set, Then it returns typed values and their lines', () => {
    const text = [
      '# full example',
      '[bench]',
      'endpoints = http://127.0.0.1:2379/, https://10.0.0.2:2379',
      'backend = v2-ttl',
      'ttl = 3',
      'refresh = .75   # seconds',
      'master_path = /bench/master',
      'ego_key = /bench/ego_conf',
      'ego_size = 0',
      'masters = 2',
      'agents = 20000',
      'rounds = 10',
      'fault = pause',
      'pause = 4.5',
      'round_timeout = 60',
      'seed_keys = yes',
      'agent_mode = grpc',
      'identity = id_test',
      'known_hosts = "id_test"',
      "out = '/var/tmp/eeb results'",
      'embedded_listen = 10.0.0.9',
    ].join('\n');
    const { values, sources } = parseBenchConf(text, FILE, dir);
    assert.deepEqual(values, {
      endpoints: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'],
      backend: 'v2-ttl',
      ttl: 3,
      refresh: 0.75,
      masterPath: '/bench/master',
      egoKey: '/bench/ego_conf',
      egoSize: 0,
      masters: 2,
      agents: 20000,
      rounds: 10,
      fault: 'pause',
      pause: 4.5,
      roundTimeout: 60,
      seedKeys: true,
      agentMode: 'grpc',
      identity: join(dir, 'id_test'),
      knownHosts: join(dir, 'id_test'),
      out: '/var/tmp/eeb results',
      embeddedListen: '10.0.0.9',
    });
    assert.equal(sources.endpoints, `${FILE}:3`);
    assert.equal(sources.out, `${FILE}:20`);
    assert.equal(Object.keys(values).length, CONF_KEYS.length);
  });

  it('sets nothing for an empty or all-comment file', () => {
    assert.deepEqual(parseBenchConf('', FILE), { values: {}, sources: {} });
    assert.deepEqual(parseBenchConf('# a\n; b\n\n   \n[bench]\n', FILE), { values: {}, sources: {} });
  });

  it('forgives key case, dashes, CRLF, a BOM and spacing around "="', () => {
    const { values, sources } = parseBenchConf('\uFEFFMaster-Path=/m\r\n  TTL   =   5  \r\n\r\nSeed-Keys = TRUE\r\n', FILE);
    assert.deepEqual(values, { masterPath: '/m', ttl: 5, seedKeys: true });
    assert.deepEqual(sources, { masterPath: `${FILE}:1`, ttl: `${FILE}:2`, seedKeys: `${FILE}:4` });
  });

  it('keeps a "#" inside a value, drops one after whitespace', () => {
    const { values } = parseBenchConf('out = /tmp/run#1 # where results go', FILE, '/');
    assert.equal(values.out, '/tmp/run#1');
  });

  it('reads the booleans and an empty identity', () => {
    for (const [raw, want] of [
      ['true', true],
      ['YES', true],
      ['1', true],
      ['false', false],
      ['no', false],
      ['0', false],
    ] as const) {
      assert.equal(parseBenchConf(`seed_keys = ${raw}`, FILE).values.seedKeys, want, raw);
    }
    assert.equal(parseBenchConf('identity =', FILE).values.identity, null);
    assert.equal(parseBenchConf('known_hosts = ""', FILE).values.knownHosts, null);
  });

  it('resolves ~ and relative paths (against the conf dir)', () => {
    const { values } = parseBenchConf('out = results\n', FILE, '/etc/eeb');
    assert.equal(values.out, '/etc/eeb/results');
    assert.match(parseBenchConf('out = ~/runs', FILE, '/').values.out ?? '', /\/runs$/);
    assert.doesNotMatch(parseBenchConf('out = ~/runs', FILE, '/').values.out ?? '', /~/);
  });

  it('names file:line, the key, the value and what is allowed for a bad value', () => {
    const cases: Array<[string, string]> = [
      ['ttl = abc', 'ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "abc"'],
      ['ttl = 1.5', 'ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "1.5"'],
      ['ttl = 0', 'ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "0"'],
      ['refresh = 0', 'refresh: expected a number of seconds > 0, got "0"'],
      ['refresh = 1e-1', 'refresh: expected a number of seconds > 0, got "1e-1"'],
      ['backend = etcd2', 'backend: expected one of v3-lease, v2-ttl, v3-election, got "etcd2"'],
      ['fault = nuke', 'fault: expected one of kill, term, pause, resign, etcd-leader, partition, got "nuke"'],
      ['agent_mode = shared', 'agent_mode: expected one of own, grpc, got "shared"'],
      ['agent_mode = multiplexed', 'agent_mode: expected one of own, grpc ("multiplexed" is now grpc: one gRPC watch stream per etcd member), got "multiplexed"'],
      ['master_path = master', 'master_path: expected an etcd key starting with "/", e.g. /master (no spaces, no trailing "/"), got "master"'],
      ['master_path = /', 'master_path: expected an etcd key starting with "/", e.g. /master (no spaces, no trailing "/"), got "/"'],
      ['ego_key = /a//b', 'ego_key: expected an etcd key starting with "/", e.g. /ego_conf (no spaces, no trailing "/"), got "/a//b"'],
      ['ego_size = 1048577', 'ego_size: expected a whole number of bytes from 0 to 1048576, got "1048577"'],
      ['masters = 0', 'masters: expected a whole number >= 1 (masters per master host), got "0"'],
      ['agents = 20001', 'agents: expected a whole number from 0 to 20000 (agents per agent host), got "20001"'],
      ['agents = -1', 'agents: expected a whole number from 0 to 20000 (agents per agent host), got "-1"'],
      ['rounds = 2.5', 'rounds: expected a whole number >= 1, got "2.5"'],
      ['pause = -1', 'pause: expected a number of seconds >= 0 (0 means ttl + 1.5), got "-1"'],
      ['round_timeout = soon', 'round_timeout: expected a number of seconds > 0, got "soon"'],
      ['seed_keys = maybe', 'seed_keys: expected true or false (also yes/no, 1/0), got "maybe"'],
      ['endpoints = 127.0.0.1:2379', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "127.0.0.1:2379" lacks http:// or https://, got "127.0.0.1:2379"'],
      ['endpoints = localhost:2379', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "localhost:2379" lacks http:// or https://, got "localhost:2379"'],
      ['endpoints = http://exa mple:2379', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "http://exa mple:2379" is not a URL, got "http://exa mple:2379"'],
      ['endpoints = http://a:2379,', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs, with no empty item, got "http://a:2379,"'],
      ['endpoints = grpc://a:2379', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "grpc://a:2379" is grpc, got "grpc://a:2379"'],
      ['endpoints = http://a:2379/v2/keys', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "http://a:2379/v2/keys" has more than scheme, host and port, got "http://a:2379/v2/keys"'],
      ['endpoints = http://a:2379,http://a:2379/', 'endpoints: expected "embedded" or comma-separated http(s)://host:port URLs; "http://a:2379/" is listed twice, got "http://a:2379,http://a:2379/"'],
      ['identity = /nonexistent/id_rsa', 'identity: expected the path of an SSH private key file; /nonexistent/id_rsa does not exist, got "/nonexistent/id_rsa"'],
      ['known_hosts = /', 'known_hosts: expected the path of a known_hosts file; / is not a file, got "/"'],
      ['ttl =', 'ttl: empty value; expected a whole number of seconds >= 1 (etcd TTLs are whole seconds)'],
    ];
    for (const [line, message] of cases) {
      assert.equal(errorOf(`# settings\n\n${line}\n`), `${FILE}:3: ${message}`, line);
    }
  });

  it('rejects an unknown key, suggesting the near one and listing the valid keys', () => {
    const msg = errorOf('ttl = 2\ntll = 3\n');
    assert.equal(msg, `${FILE}:2: unknown key "tll" (did you mean ttl?); valid keys: ${CONF_KEYS.join(', ')}`);
    assert.match(errorOf('colour = blue'), /^conf\/bench\.conf:1: unknown key "colour"; valid keys: endpoints, backend, ttl, /);
  });

  it('rejects a line that is not key = value, another section, and a repeated key', () => {
    assert.equal(errorOf('ttl 2'), `${FILE}:1: expected "key = value", got "ttl 2"`);
    assert.equal(errorOf('= 2'), `${FILE}:1: expected "key = value", got "= 2"`);
    assert.equal(errorOf('[bench]\n[etcd]\n'), `${FILE}:2: unknown section [etcd]; only [bench] is allowed (or none)`);
    assert.equal(errorOf('ttl = 2\n\nTTL = 3\n'), `${FILE}:3: ttl is already set on line 1`);
  });

  it('keeps conf/bench.conf in step with the defaults: every commented "# key = value" parses to its default', () => {
    const shipped = readFileSync(fileURLToPath(new URL('../../conf/bench.conf', import.meta.url)), 'utf8');
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const l of shipped.split('\n')) {
      const m = /^# ([a-z_]+) = (.*)$/.exec(l);
      // examples, not defaults (which are unset)
      if (!m || seen.has(m[1]) || m[1] === 'identity' || m[1] === 'known_hosts' || m[1] === 'embedded_listen') continue;
      seen.add(m[1]);
      lines.push(`${m[1]} = ${m[2]}`);
    }
    assert.deepEqual([...seen].sort(), CONF_KEYS.filter((k) => k !== 'identity' && k !== 'known_hosts' && k !== 'embedded_listen').sort());
    const { values } = parseBenchConf(lines.join('\n'), 'bench.conf', '/x');
    const { identity: _i, knownHosts: _k, embeddedListen: _e, ...expected } = { ...DEFAULT_SETTINGS, out: '/x/results' };
    assert.deepEqual(values, expected);
  });
});
