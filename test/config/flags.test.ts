import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../src/errors.ts';
import { commonFlagOptions, commonFlagsHelp, configFromFlags, settingsFromFlags } from '../../src/config/flags.ts';
import { settingFlags } from '../../src/config/settings.ts';

/** parseArgs exactly as the CLI would: the common flags plus a command's own */
function parse(args: string[]) {
  return parseArgs({ args, options: { ...commonFlagOptions, json: { type: 'string' } }, allowPositionals: true, strict: true }).values;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eeb-flags-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('commonFlagOptions', () => {
  it('has --conf plus one flag per setting, booleans only where the setting is one', () => {
    const fromTable = Object.fromEntries(settingFlags().map((f) => [f.flag, f.boolean ? 'boolean' : 'string']));
    const { conf, ...rest } = commonFlagOptions;
    assert.deepEqual(conf, { type: 'string' });
    assert.deepEqual(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.type])), fromTable);
  });

  it('covers the DESIGN §6 flags and the brief extras', () => {
    for (const f of ['conf', 'endpoints', 'backend', 'ttl', 'refresh', 'masters', 'agents', 'rounds', 'fault', 'out', 'pause', 'ego-size', 'seed-keys', 'master-path', 'round-timeout', 'agent-mode', 'identity']) {
      assert.ok(f in commonFlagOptions, f);
    }
  });

  it('renders help lines for every flag', () => {
    const help = commonFlagsHelp();
    assert.match(help, /^ {2}--conf DIR +conf directory/m);
    assert.match(help, /^ {2}--ttl S +master key \/ lease TTL in whole seconds$/m);
    assert.match(help, /^ {2}--seed-keys +also write/m);
    assert.equal(help.split('\n').length, Object.keys(commonFlagOptions).length);
  });
});

describe('settingsFromFlags', () => {
  it('Given parseArgs values, Then it returns typed settings for the flags given only', () => {
    const values = parse([
      'run',
      '--endpoints',
      'http://127.0.0.1:2379,http://127.0.0.1:22379',
      '--backend=v3-election',
      '--ttl',
      '3',
      '--refresh',
      '0.5',
      '--masters',
      '2',
      '--agents',
      '0',
      '--rounds',
      '7',
      '--fault',
      'term',
      '--out',
      'res',
      '--pause',
      '2.5',
      '--ego-size',
      '4096',
      '--seed-keys',
      '--master-path',
      '/m',
      '--round-timeout',
      '12',
      '--agent-mode',
      'own',
      '--json',
      '-',
    ]);
    assert.deepEqual(settingsFromFlags(values, root), {
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
      backend: 'v3-election',
      ttl: 3,
      refresh: 0.5,
      masters: 2,
      agents: 0,
      rounds: 7,
      fault: 'term',
      out: join(root, 'res'),
      pause: 2.5,
      egoSize: 4096,
      seedKeys: true,
      masterPath: '/m',
      roundTimeout: 12,
      agentMode: 'own',
    });
  });

  it('returns nothing when no setting flag is given (ignores --conf and foreign flags)', () => {
    assert.deepEqual(settingsFromFlags(parse(['--conf', 'x', '--json', 'out.json'])), {});
    assert.deepEqual(settingsFromFlags({ help: true, verbose: 'yes' }), {});
  });

  it('names the flag, the value and what is allowed', () => {
    assert.equal(errorOf(() => settingsFromFlags(parse(['--ttl', 'abc']))), '--ttl: expected a whole number of seconds >= 1 (etcd TTLs are whole seconds), got "abc"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--refresh=-1']))), '--refresh: expected a number of seconds > 0, got "-1"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--fault', 'nuke']))), '--fault: expected one of kill, term, pause, resign, etcd-leader, partition, got "nuke"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--agents', '20001']))), '--agents: expected a whole number from 0 to 20000 (agents per agent host), got "20001"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--master-path', 'master']))), '--master-path: expected an etcd key starting with "/", e.g. /master (no spaces, no trailing "/"), got "master"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--agent-mode', 'pooled']))), '--agent-mode: expected one of own, grpc, got "pooled"');
    assert.equal(errorOf(() => settingsFromFlags(parse(['--ego-size', '1MB']))), '--ego-size: expected a whole number of bytes from 0 to 1048576, got "1MB"');
    assert.match(errorOf(() => settingsFromFlags(parse(['--identity', join(root, 'missing')]))), /^--identity: expected the path of an SSH private key file; .*missing does not exist/);
    assert.match(errorOf(() => settingsFromFlags(parse(['--endpoints', 'localhost:2379']))), /^--endpoints: .*lacks http:\/\/ or https:\/\//);
  });

  it('takes a --known-hosts file that does not exist yet, in a directory that does (accept-new creates it)', () => {
    const file = join(root, 'bench_known_hosts');
    assert.deepEqual(settingsFromFlags(parse(['--known-hosts', file])), { knownHosts: file });
    const nowhere = join(root, 'no-such-dir', 'known_hosts');
    assert.equal(
      errorOf(() => settingsFromFlags(parse(['--known-hosts', nowhere]))),
      `--known-hosts: expected the path of a known_hosts file; ${nowhere} does not exist, nor does its directory ${join(root, 'no-such-dir')}, got "${nowhere}"`,
    );
    mkdirSync(join(root, 'a-dir'));
    assert.match(errorOf(() => settingsFromFlags(parse(['--known-hosts', join(root, 'a-dir')]))), /a-dir is not a file/);
  });

  it('rejects a value flag given without a value (non-strict parseArgs)', () => {
    assert.equal(errorOf(() => settingsFromFlags({ ttl: true })), '--ttl: expected a value after the flag');
  });

  it('accepts the boolean words for --seed-keys given as text', () => {
    assert.deepEqual(settingsFromFlags({ 'seed-keys': 'no' }), { seedKeys: false });
    assert.deepEqual(settingsFromFlags({ 'seed-keys': false }), { seedKeys: false });
  });

  it('resolves --identity against cwd and keeps it absolute', () => {
    writeFileSync(join(root, 'id_ed25519'), 'key\n');
    assert.deepEqual(settingsFromFlags(parse(['--identity', 'id_ed25519']), root), { identity: join(root, 'id_ed25519') });
  });
});

describe('configFromFlags', () => {
  it('Given bench.conf and flags, Then flags win and the rest comes from the file', () => {
    mkdirSync(join(root, 'conf'));
    writeFileSync(join(root, 'conf', 'bench.conf'), 'ttl = 5\nrounds = 9\nfault = term\n');
    writeFileSync(join(root, 'conf', 'master-ips.conf'), 'localhost\nroot@127.0.0.2:2222\n');
    const c = configFromFlags(parse(['run', '--conf', 'conf', '--ttl', '3', '--masters', '1']), root);
    assert.equal(c.settings.ttl, 3);
    assert.equal(c.sources.ttl, '--ttl');
    assert.equal(c.settings.masters, 1);
    assert.equal(c.settings.rounds, 9);
    assert.equal(c.sources.rounds, 'conf/bench.conf:2');
    assert.equal(c.settings.fault, 'term');
    assert.equal(c.masters.length, 2);
  });

  it('checks flags against the file together, blaming the flag', () => {
    mkdirSync(join(root, 'conf'));
    writeFileSync(join(root, 'conf', 'bench.conf'), '\nrefresh = 1.5\n');
    assert.equal(
      errorOf(() => configFromFlags(parse(['--conf', 'conf', '--ttl', '1']), root)),
      '--ttl: refresh must be shorter than ttl, or the key expires between keep-alives: refresh = 1.5 (conf/bench.conf:2), ttl = 1',
    );
  });

  it('rejects a --conf that does not exist', () => {
    assert.equal(errorOf(() => configFromFlags(parse(['--conf', 'nowhere']), root)), 'nowhere: conf directory does not exist');
    assert.equal(errorOf(() => configFromFlags({ conf: '' }, root)), '--conf: expected a directory after the flag');
  });
});
