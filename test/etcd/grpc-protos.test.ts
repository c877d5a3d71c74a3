/**
 * The gRPC messages the agents use: descriptor.json is what the .proto files
 * say, and a watch reply etcd would send decodes to our WatchEvent form
 * (int64 exact as strings, PUT absent on the wire, DELETE = 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { DESCRIPTOR_PATH, descriptorText } from '../../src/etcd/grpc/proto/generate.ts';
import { decodeWatchResponse, eventOf, int64String, RANGE, TXN, WATCH, type WatchResponse } from '../../src/etcd/grpc/protos.ts';

test('descriptor.json matches the .proto files (regenerate: npx tsx src/etcd/grpc/proto/generate.ts)', () => {
  assert.equal(readFileSync(DESCRIPTOR_PATH, 'utf8'), descriptorText());
});

test('the calls have etcd gRPC paths', () => {
  assert.equal(RANGE.path, '/etcdserverpb.KV/Range');
  assert.equal(TXN.path, '/etcdserverpb.KV/Txn');
  assert.equal(WATCH.path, '/etcdserverpb.Watch/Watch');
  assert.equal(WATCH.requestStream && WATCH.responseStream, true);
});

test('a watch reply decodes with exact int64 strings and PUT/DELETE events, by both decoders', () => {
  // encode with protobufjs directly, as a server would put it on the wire
  const root = protobuf.Root.fromJSON(JSON.parse(descriptorText()));
  const T = root.lookupType('etcdserverpb.WatchResponse');
  const wire = Buffer.from(
    T.encode(
      T.fromObject({
        header: { revision: '9007199254740993', member_id: '13668033151171901709' },
        watch_id: '7',
        events: [
          { kv: { key: Buffer.from('/master'), value: Buffer.from('h1-m2'), create_revision: '41', mod_revision: '41', lease: '7587866312981571852' } },
          { type: 1, kv: { key: Buffer.from('/master'), mod_revision: '42' } },
        ],
      }),
    ).finish(),
  );
  for (const r of [WATCH.responseDeserialize(wire) as WatchResponse, decodeWatchResponse(wire)]) {
    assert.equal(r.header?.revision, '9007199254740993');
    assert.equal(r.watch_id, '7');
    assert.equal(r.created, undefined);
    assert.equal(r.compact_revision, undefined);
    assert.deepEqual(r.events?.map(eventOf), [
      { type: 'PUT', kv: { key: '/master', value: 'h1-m2', createRevision: '41', modRevision: '41', lease: '7587866312981571852' } },
      { type: 'DELETE', kv: { key: '/master', value: '', createRevision: '0', modRevision: '42', lease: '0' } },
    ]);
  }
  const progress = Buffer.from(T.encode(T.fromObject({ header: { revision: '5' }, watch_id: '-1' })).finish());
  assert.deepEqual(decodeWatchResponse(progress), { watch_id: '-1', header: { revision: '5' } });
  const compacted = Buffer.from(T.encode(T.fromObject({ watch_id: '3', canceled: true, compact_revision: '17' })).finish());
  assert.deepEqual(decodeWatchResponse(compacted), { watch_id: '3', canceled: true, compact_revision: '17' });
});

test('int64 strings are exact on both sides of 2^32 and 2^53', () => {
  for (const v of ['0', '1', '4294967295', '4294967296', '9007199254740991', '9007199254740993', '18446744073709551615', '-1']) {
    // long.js, as protobufjs decodes int64 with it
    const Long = protobuf.util.Long as unknown as { fromString(s: string, unsigned: boolean): { low: number; high: number; toString(): string } };
    const l = Long.fromString(v, v.length > 19);
    assert.equal(int64String(l), v);
  }
  assert.equal(int64String(42), '42');
});

test('a create request carries its watch_id and start revision', () => {
  const wire = WATCH.requestSerialize({ create_request: { key: Buffer.from('/ego_conf'), start_revision: '43', watch_id: 12 } });
  const root = protobuf.Root.fromJSON(JSON.parse(descriptorText()));
  const back = root.lookupType('etcdserverpb.WatchRequest').toObject(root.lookupType('etcdserverpb.WatchRequest').decode(wire), { longs: String });
  assert.equal(Buffer.from(back.create_request.key).toString(), '/ego_conf');
  assert.equal(back.create_request.start_revision, '43');
  assert.equal(back.create_request.watch_id, '12');
});
