/**
 * etcd's gRPC messages, as the gRPC agents send and receive them: the two
 * calls they make (KV.Range, Watch.Watch) with their encoders, loaded by
 * @grpc/proto-loader from proto/descriptor.json (made from the .proto files
 * beside it by proto/generate.ts; JSON so the bundled worker needs no files).
 *
 * Decoded as etcd's field names (keepCase), int64 as decimal strings (a lease
 * ID exceeds 2^53), bytes as Buffers, enums as numbers, absent fields left
 * out (proto3 zero values are not on the wire):
 *
 *   {"header":{"revision":"42"},"watch_id":"7","events":[{"type":1,"kv":{"key":<Buffer 2f 6d ...>,"mod_revision":"42"}}]}
 */
import { fromJSON, type MethodDefinition } from '@grpc/proto-loader';
import type { INamespace } from 'protobufjs';
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

export function eventOf(raw: RawEvent): WatchEvent {
  return { type: raw.type === EVENT_DELETE ? 'DELETE' : 'PUT', kv: kvOf(raw.kv ?? {}) };
}
