/**
 * etcd's gRPC messages, as the gRPC agents send and receive them: the calls
 * they make (KV.Range, KV.Txn, Watch.Watch) with their encoders, loaded by
 * @grpc/proto-loader from proto/descriptor.json (made from the .proto files
 * beside it by proto/generate.ts; JSON so the bundled worker needs no files).
 *
 * Decoded as etcd's field names (keepCase), int64 as decimal strings (a lease
 * ID exceeds 2^53), bytes as Buffers, enums as numbers, absent fields left
 * out (proto3 zero values are not on the wire). Watch replies, the hot path
 * (10,000 agents: 10,000 replies per change), have their own decoder that
 * fills only the fields we read and turns int64 into strings without long.js
 * division unless the value exceeds 2^53:
 *
 *   {"header":{"revision":"42"},"watch_id":"7","events":[{"type":1,"kv":{"key":<Buffer 2f 6d ...>,"mod_revision":"42"}}]}
 */
import { fromJSON, type MethodDefinition } from '@grpc/proto-loader';
import protobuf, { type INamespace } from 'protobufjs';
import type { Kv } from '../codec.ts';
import type { WatchEvent } from '../v3.ts';
import descriptor from './proto/descriptor.json' with { type: 'json' };

/** mvccpb.KeyValue */
export interface RawKeyValue {
  key?: Buffer;
  value?: Buffer;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  lease?: string;
}

/** mvccpb.Event; type 0 (PUT) is absent on the wire */
export interface RawEvent {
  type?: number;
  kv?: RawKeyValue;
}

export const EVENT_DELETE = 1;

export interface ResponseHeader {
  member_id?: string;
  revision?: string;
  raft_term?: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
}

export interface RangeResponse {
  header?: ResponseHeader;
  kvs?: RawKeyValue[];
  count?: string;
}

/** a Txn without compares: its `success` ops run, all at one revision */
export interface TxnRequest {
  success: { request_range: RangeRequest }[];
}

export interface TxnResponse {
  header?: ResponseHeader;
  succeeded?: boolean;
  responses?: { response_range?: RangeResponse }[];
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: string;
  /** chosen by the client (etcd >= 3.4): no need to match creates to replies by order */
  watch_id: number;
}

export type WatchRequest =
  | { create_request: WatchCreateRequest }
  | { cancel_request: { watch_id: number } }
  /** etcd >= 3.4: answered at once with watch_id -1 and the stream's revision */
  | { progress_request: Record<string, never> };

export interface WatchResponse {
  header?: ResponseHeader;
  watch_id?: string;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: string;
  cancel_reason?: string;
  events?: RawEvent[];
}

/** watch_id of a progress reply: it belongs to no watcher */
export const PROGRESS_WATCH_ID = '-1';

const definition = fromJSON(descriptor as INamespace, { keepCase: true, longs: String, defaults: false, oneofs: false });

function method<Req, Res>(service: string, name: string): MethodDefinition<Req, Res> {
  // a service's entry is its methods by name (proto-loader's ServiceDefinition)
  const svc = definition[`etcdserverpb.${service}`] as unknown as Record<string, MethodDefinition<Req, Res>> | undefined;
  const m = svc?.[name];
  if (!m) throw new Error(`descriptor.json lacks etcdserverpb.${service}.${name}`);
  return m;
}

export const RANGE = method<RangeRequest, RangeResponse>('KV', 'Range');
export const TXN = method<TxnRequest, TxnResponse>('KV', 'Txn');
export const WATCH = method<WatchRequest, WatchResponse>('Watch', 'Watch');

/** A decoded KeyValue in the form the JSON gateway's decoder gives (codec.ts). */
export function kvOf(raw: RawKeyValue): Kv {
  return {
    key: raw.key ? raw.key.toString('utf8') : '',
    value: raw.value ? raw.value.toString('utf8') : '',
    createRevision: raw.create_revision ?? '0',
    modRevision: raw.mod_revision ?? '0',
    lease: raw.lease ?? '0',
  };
}

const watchResponseType = protobuf.Root.fromJSON(descriptor as INamespace).lookupType('etcdserverpb.WatchResponse');

/** an int64 as protobufjs decodes it (a long.js Long, or a number without long.js) */
type Int64 = number | { low: number; high: number; toString(): string };

/** decimal string of an int64: exact, and cheap below 2^53 (revisions, watch ids) */
export function int64String(v: Int64): string {
  if (typeof v === 'number') return String(v);
  if (v.high === 0) return String(v.low >>> 0);
  if (v.high > 0 && v.high < 0x200000) return String(v.high * 4294967296 + (v.low >>> 0));
  return v.toString();
}

interface DecodedKv {
  key: Buffer;
  value: Buffer;
  create_revision: Int64;
  mod_revision: Int64;
  lease: Int64;
}

interface DecodedWatchResponse {
  header?: { revision: Int64 };
  watch_id: Int64;
  created: boolean;
  canceled: boolean;
  compact_revision: Int64;
  cancel_reason: string;
  events: { type: number; kv?: DecodedKv }[];
}

const ZERO = '0';

function rawKv(kv: DecodedKv): RawKeyValue {
  return {
    key: kv.key,
    value: kv.value,
    create_revision: int64String(kv.create_revision),
    mod_revision: int64String(kv.mod_revision),
    lease: kv.lease === 0 || (typeof kv.lease === 'object' && kv.lease.low === 0 && kv.lease.high === 0) ? ZERO : int64String(kv.lease),
  };
}

/** Watch.Watch replies: the fields WatchResponse names (header: revision only), as the generic decoder would give them. */
export function decodeWatchResponse(buf: Buffer): WatchResponse {
  const m = watchResponseType.decode(buf) as unknown as DecodedWatchResponse;
  const r: WatchResponse = { watch_id: int64String(m.watch_id) };
  if (m.header) r.header = { revision: int64String(m.header.revision) };
  if (m.created) r.created = true;
  if (m.canceled) r.canceled = true;
  const compact = int64String(m.compact_revision);
  if (compact !== ZERO) r.compact_revision = compact;
  if (m.cancel_reason) r.cancel_reason = m.cancel_reason;
  if (m.events.length) r.events = m.events.map((e) => (e.kv ? { type: e.type, kv: rawKv(e.kv) } : { type: e.type }));
  return r;
}

export function eventOf(raw: RawEvent): WatchEvent {
  return { type: raw.type === EVENT_DELETE ? 'DELETE' : 'PUT', kv: kvOf(raw.kv ?? {}) };
}
