/**
 * One gRPC channel (one HTTP/2 connection) to one etcd member: etcd 3.4
 * serves gRPC on its plain client port, so `http://127.0.0.1:2379` is dialled
 * as `127.0.0.1:2379` without TLS (`https://` endpoints use TLS).
 *
 *   const m = new GrpcMember('http://127.0.0.1:2379');
 *   const { kvs, revision } = await m.range('/master');   // kvs: Kv[], revision: "42"
 *   const { ranges, revision } = await m.rangeAll([{ key: '/master' }, { key: '/ego_conf' }]);  // one Txn
 *   const call = m.watch();                               // Watch.Watch, bidi
 *
 * Liveness: HTTP/2 keepalive pings every KEEPALIVE_TIME_MS; an unanswered
 * one closes the connection after KEEPALIVE_TIMEOUT_MS, failing every call on
 * it (UNAVAILABLE), so a member that accepts but never answers (SIGSTOP, a
 * hung disk) costs at most KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS = 1.5 s.
 * etcd allows pings only every 5 s (--grpc-keepalive-min-time) unless it sent
 * data in between; the watch hub asks for a progress reply every
 * PROGRESS_EVERY_MS to supply that data (without it etcd closes the
 * connection with GOAWAY "too_many_pings" after three pings).
 */
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { EtcdError } from '../../errors.ts';
import { b64PrefixRangeEnd } from '../codec.ts';
import type { Kv } from '../codec.ts';
import { decodeWatchResponse, kvOf, RANGE, TXN, WATCH, type RangeRequest, type WatchRequest, type WatchResponse } from './protos.ts';

export const KEEPALIVE_TIME_MS = 500;
export const KEEPALIVE_TIMEOUT_MS = 1000;
/** one progress request per stream this often keeps etcd's ping policy satisfied (see above) */
export const PROGRESS_EVERY_MS = 200;
/**
 * HTTP/2 flow-control window of the stream and the connection, bytes etcd may
 * send ahead of our reading (64 KiB by default). etcd queues at most 128
 * replies per watch stream and parks the watchers behind them as "victims",
 * which wait for its 100 ms resync once the revision has moved on (the new
 * master's PUT follows the DELETE within ms): with 64 KiB the last of 3,300
 * watchers on a stream got the DELETE ~1 s late. 1 MiB holds the DELETE and
 * the PUT for ~4,000 watchers (~90 + ~150 B each); ego_conf (1 KiB each) is
 * paced. Not wider: a keepalive ping's answer queues behind this much data,
 * and with 16 MiB a busy agents process timed it out during a fan-out.
 */
export const FLOW_CONTROL_WINDOW = 1024 * 1024;
/** a unary call (Range) that takes longer fails with DEADLINE_EXCEEDED */
export const UNARY_TIMEOUT_MS = 2000;

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  // a restarted member is dialled again within a second, not after grpc's 1..120 s backoff
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  // one channel per member and process: never share a connection with another GrpcMember
  'grpc.use_local_subchannel_pool': 1,
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
};

function rangeRequest(r: { key: string; prefix?: boolean }): RangeRequest {
  return { key: Buffer.from(r.key), range_end: r.prefix ? Buffer.from(b64PrefixRangeEnd(r.key), 'base64') : undefined };
}

/** `http://host:port` -> grpc-js target and credentials */
function target(endpoint: string): { address: string; creds: grpc.ChannelCredentials } {
  const u = new URL(endpoint);
  return { address: u.host, creds: u.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure() };
}

export class GrpcMember {
  private readonly client: grpc.Client;

  constructor(readonly endpoint: string) {
    const t = target(endpoint);
    this.client = new grpc.Client(t.address, t.creds, CHANNEL_OPTIONS);
  }

  /**
   * KV.Range of one key or a prefix, linearizable. Rejects with EtcdError
   * (body: {code} = the gRPC status code) on any failure, DEADLINE_EXCEEDED
   * after `timeoutMs`.
   */
  async range(key: string, opts: { prefix?: boolean; timeoutMs?: number } = {}): Promise<{ kvs: Kv[]; revision: string }> {
    const res = await this.unary(RANGE, rangeRequest({ key, prefix: opts.prefix }), opts.timeoutMs);
    return { kvs: (res.kvs ?? []).map(kvOf), revision: res.header?.revision ?? '0' };
  }

  /**
   * Several ranges read at one revision (one KV.Txn without compares): one
   * call instead of one per range, and a consistent snapshot. Errors as range().
   */
  async rangeAll(ranges: { key: string; prefix?: boolean }[], timeoutMs?: number): Promise<{ ranges: Kv[][]; revision: string }> {
    const res = await this.unary(TXN, { success: ranges.map((r) => ({ request_range: rangeRequest(r) })) }, timeoutMs);
    const out = ranges.map((_, i) => (res.responses?.[i]?.response_range?.kvs ?? []).map(kvOf));
    return { ranges: out, revision: res.header?.revision ?? '0' };
  }

  private unary<Req, Res>(m: MethodDefinition<Req, Res>, req: Req, timeoutMs = UNARY_TIMEOUT_MS): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, req, { deadline }, (err, res) => {
        if (err || !res) reject(new EtcdError(err?.details || err?.message || 'no reply', this.endpoint, m.path, undefined, { code: err?.code }, { cause: err }));
        else resolve(res);
      });
    });
  }

  /** A new Watch.Watch stream (it carries any number of watchers). */
  watch(): grpc.ClientDuplexStream<WatchRequest, WatchResponse> {
    return this.client.makeBidiStreamRequest(WATCH.path, WATCH.requestSerialize, decodeWatchResponse);
  }

  close(): void {
    this.client.close();
  }
}
