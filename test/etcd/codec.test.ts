import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64, b64PrefixRangeEnd, decodeKv, leaseHex, prefixRangeEnd, revAdd, revCmp, unb64 } from '../../src/etcd/codec.ts';

test('keys and values travel as base64', () => {
  assert.equal(b64('/master'), 'L21hc3Rlcg==');
  assert.equal(unb64('L21hc3Rlcg=='), '/master');
  assert.equal(unb64(undefined), '');
});

test('a prefix range ends at the prefix with its last byte + 1', () => {
  assert.equal(prefixRangeEnd('/agents/'), '/agents0');
  assert.equal(Buffer.from(b64PrefixRangeEnd('/master/'), 'base64').toString(), '/master0');
  assert.equal(Buffer.from(b64PrefixRangeEnd('/x\x7f'), 'base64').toString('latin1'), '/x\x80');
});

test('int64 fields stay exact strings: lease ids above 2^53, revisions', () => {
  assert.equal(leaseHex('7587866312981571852'), '694d84359c6b690c');
  assert.equal(revCmp('9007199254740993', '9007199254740992'), 1);
  assert.equal(revCmp('5', '5'), 0);
  assert.equal(revAdd('9007199254740993', 1), '9007199254740994');
  // the short fast path agrees with BigInt around its edge (15 digits)
  assert.equal(revAdd('999999999999999', 1), '1000000000000000');
  assert.equal(revAdd('41', 1), '42');
  assert.equal(revCmp('999999999999999', '1000000000000000'), -1);
  assert.equal(revCmp('10', '9'), 1);
  assert.equal(revCmp('0', '0'), 0);
});

test('a gateway kv decodes with defaults for the fields etcd leaves out', () => {
  assert.deepEqual(decodeKv({ key: b64('/master'), value: b64('h1-m1'), mod_revision: '7' }), {
    key: '/master',
    value: 'h1-m1',
    createRevision: '0',
    modRevision: '7',
    lease: '0',
  });
});
