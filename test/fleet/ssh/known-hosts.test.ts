/**
 * known_hosts parsing and lookup, checked against what OpenSSH itself writes
 * (ssh-keygen -H hashes a file; the same entries must still match).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  checkHostKey,
  fingerprint,
  hostFieldMatches,
  hostKeyAlgorithmsPreferring,
  keyTypeOf,
  knownHostsName,
  loadKnownHosts,
  parseKnownHosts,
  recordHostKey,
} from '../../../src/fleet/ssh/known-hosts.ts';
import { generateKey } from '../../helpers/sshd.ts';

const run = promisify(execFile);

describe('known_hosts', () => {
  let dir: string;
  let keyA: Buffer;
  let keyB: Buffer;
  let lineA: string;
  let lineB: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eeb-kh-'));
    lineA = await generateKey(join(dir, 'a'));
    lineB = await generateKey(join(dir, 'b'));
    keyA = Buffer.from(lineA.split(' ')[1], 'base64');
    keyB = Buffer.from(lineB.split(' ')[1], 'base64');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('names a host as OpenSSH does: bare on port 22, [host]:port otherwise', () => {
    assert.equal(knownHostsName('Db.Example.org', 22), 'db.example.org');
    assert.equal(knownHostsName('127.0.0.2', 2222), '[127.0.0.2]:2222');
  });

  test('reads the key type and fingerprint of a wire-format key like ssh-keygen -l', async () => {
    assert.equal(keyTypeOf(keyA), 'ssh-ed25519');
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'a.pub')]);
    assert.equal(stdout.split(' ')[1], fingerprint(keyA));
  });

  test('matches plain, [host]:port, wildcard and negated patterns', () => {
    assert.ok(hostFieldMatches('db1,10.0.0.5', '10.0.0.5'));
    assert.ok(hostFieldMatches('[127.0.0.2]:2222', '[127.0.0.2]:2222'));
    assert.ok(!hostFieldMatches('127.0.0.2', '[127.0.0.2]:2222'), 'a port-22 entry does not cover another port');
    assert.ok(hostFieldMatches('*.lab,!gw.lab', 'db.lab'));
    assert.ok(!hostFieldMatches('*.lab,!gw.lab', 'gw.lab'));
    assert.ok(hostFieldMatches('10.0.0.?', '10.0.0.7'));
    assert.ok(!hostFieldMatches('10.0.0.?', '10.0.0.17'));
  });

  test('matches entries hashed by ssh-keygen -H', async () => {
    const file = join(dir, 'hashed');
    const key = lineA.split(' ').slice(0, 2).join(' ');
    await writeFile(file, `[127.0.0.2]:2222 ${key}\ndb.example.org ${key}\n`);
    await run('ssh-keygen', ['-q', '-H', '-f', file]);
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes('127.0.0.2') && text.includes('|1|'), 'the file is hashed now');
    const entries = parseKnownHosts(text);
    assert.equal(entries.length, 2);
    assert.equal(checkHostKey(entries, '127.0.0.2', 2222, keyA).status, 'known');
    assert.equal(checkHostKey(entries, 'db.example.org', 22, keyA).status, 'known');
    assert.equal(checkHostKey(entries, '127.0.0.3', 2222, keyA).status, 'unknown');
  });

  test('tells known, unknown, changed and revoked apart', () => {
    const a = lineA.split(' ').slice(0, 2).join(' ');
    const b = lineB.split(' ').slice(0, 2).join(' ');
    const entries = parseKnownHosts(
      [
        '# comment',
        `[10.0.0.1]:2222 ${a}`,
        `10.0.0.2 ${a} some comment`,
        `@revoked 10.0.0.3 ${b}`,
        `10.0.0.3 ${b}`,
        `10.0.0.4 ecdsa-sha2-nistp256 ${Buffer.concat([Buffer.from([0, 0, 0, 19]), Buffer.from('ecdsa-sha2-nistp256')]).toString('base64')}`,
        'garbage line',
      ].join('\n'),
      'kh',
    );
    assert.equal(entries.length, 5);
    assert.equal(checkHostKey(entries, '10.0.0.1', 2222, keyA).status, 'known');
    const changed = checkHostKey(entries, '10.0.0.2', 22, keyB);
    assert.equal(changed.status, 'changed');
    assert.equal(changed.status === 'changed' && `${changed.entry.file}:${changed.entry.line}`, 'kh:3');
    assert.equal(checkHostKey(entries, '10.0.0.3', 22, keyB).status, 'revoked');
    const other = checkHostKey(entries, '10.0.0.4', 22, keyA);
    assert.deepEqual(other, { status: 'unknown', knownTypes: ['ecdsa-sha2-nistp256'] });
    assert.equal(checkHostKey(entries, '10.0.0.9', 22, keyA).status, 'unknown');
  });

  test('offers the known key types first', () => {
    assert.deepEqual(hostKeyAlgorithmsPreferring(['ssh-rsa']).slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.equal(hostKeyAlgorithmsPreferring([]).length, 7);
    assert.deepEqual(hostKeyAlgorithmsPreferring(['sk-ssh-ed25519@openssh.com'])[0], 'ssh-ed25519', 'types ssh2 cannot use are dropped');
  });

  test('records a first-seen key in a form ssh-keygen -F finds', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    await Promise.all([recordHostKey(file, '127.0.0.2', 2222, keyA), recordHostKey(file, '127.0.0.3', 2222, keyB)]);
    const entries = await loadKnownHosts([file, join(dir, 'missing')]);
    assert.equal(entries.length, 2);
    assert.equal(checkHostKey(entries, '127.0.0.2', 2222, keyA).status, 'known');
    assert.equal(checkHostKey(entries, '127.0.0.3', 2222, keyB).status, 'known');
    const { stdout } = await run('ssh-keygen', ['-F', '[127.0.0.3]:2222', '-f', file]);
    assert.match(stdout, /\[127\.0\.0\.3\]:2222 ssh-ed25519 /);
  });
});
