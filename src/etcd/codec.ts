/**
 * Encoding for the v3 JSON gateway: keys and values are base64, int64 fields
 * are decimal strings (a lease ID exceeds 2^53, so it stays a string).
 *
 *   b64('/master') === 'L21hc3Rlcg=='     rangeEnd('/agents/') === '/agents0'
 */

export function b64(s: string | Uint8Array): string {
  return Buffer.from(s).toString('base64');
}

export function unb64(s: string | undefined): string {
  return s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8');
}

/** The range_end that selects every key with this prefix (etcd's GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: string): string {
  const buf = Buffer.from(prefix);
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i] < 0xff) {
      const end = Buffer.from(buf.subarray(0, i + 1));
      end[i] += 1;
      return end.toString('latin1');
    }
  }
  return '\0'; // whole keyspace
}

/** range_end for a prefix, already base64 (binary-safe, unlike prefixRangeEnd + b64). */
export function b64PrefixRangeEnd(prefix: string): string {
  const buf = Buffer.from(prefix);
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i] < 0xff) {
      const end = Buffer.from(buf.subarray(0, i + 1));
      end[i] += 1;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

/** A lease ID (decimal string) as etcd prints it in election keys: lower-case hex. */
export function leaseHex(id: string): string {
  return BigInt(id).toString(16);
}

export interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  lease?: string;
}

export interface Kv {
  key: string;
  value: string;
  createRevision: string;
  modRevision: string;
  lease: string;
}

export function decodeKv(kv: RawKv): Kv {
  return {
    key: unb64(kv.key),
    value: unb64(kv.value),
    createRevision: kv.create_revision ?? '0',
    modRevision: kv.mod_revision ?? '0',
    lease: kv.lease ?? '0',
  };
}

/** below 10^15 a decimal string is an exact double: no BigInt needed (the per-event path of 10,000 agents) */
const SAFE_DIGITS = 15;

/** Revisions are decimal strings; compare them without losing precision. */
export function revCmp(a: string, b: string): number {
  if (a.length <= SAFE_DIGITS && b.length <= SAFE_DIGITS) {
    const d = Number(a) - Number(b);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function revAdd(a: string, n: number): string {
  if (a.length <= SAFE_DIGITS && Number.isSafeInteger(n)) return String(Number(a) + n);
  return (BigInt(a) + BigInt(n)).toString();
}
