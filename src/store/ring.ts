/**
 * A bounded, persistent (never mutated) list for the dashboard's event log:
 * appending copies at most one chunk, so a burst of 10,000 lines costs
 * 10,000 small copies, not 10,000 copies of the whole log.
 *
 *   let r = emptyRing<string>(2000);
 *   r = pushRing(r, 'line');       // r.size <= cap; r.total counts every push
 *   ringToArray(r)                 // oldest first
 */

const CHUNK = 64;

export interface Ring<T> {
  readonly cap: number;
  /** full chunks first, the last one may be partial; oldest first */
  readonly chunks: readonly (readonly T[])[];
  /** items held now (<= cap) */
  readonly size: number;
  /** items ever pushed: a stable sequence number for the newest item */
  readonly total: number;
}

export function emptyRing<T>(cap: number): Ring<T> {
  return { cap: Math.max(1, Math.floor(cap)), chunks: [], size: 0, total: 0 };
}

export function pushRing<T>(r: Ring<T>, item: T): Ring<T> {
  const last = r.chunks[r.chunks.length - 1];
  let chunks: (readonly T[])[];
  if (last && last.length < CHUNK) {
    chunks = r.chunks.slice(0, -1);
    chunks.push([...last, item]);
  } else {
    chunks = [...r.chunks, [item]];
  }
  let size = r.size + 1;
  // Drop whole chunks from the front, then trim the first one, to stay <= cap.
  while (size > r.cap && chunks.length > 0) {
    const first = chunks[0];
    const over = size - r.cap;
    if (first.length <= over) {
      chunks.shift();
      size -= first.length;
    } else {
      chunks[0] = first.slice(over);
      size -= over;
    }
  }
  return { cap: r.cap, chunks, size, total: r.total + 1 };
}

export function ringToArray<T>(r: Ring<T>): T[] {
  const out: T[] = [];
  for (const c of r.chunks) for (const x of c) out.push(x);
  return out;
}

/** The newest item, if any. */
export function ringLast<T>(r: Ring<T>): T | undefined {
  const c = r.chunks[r.chunks.length - 1];
  return c ? c[c.length - 1] : undefined;
}

/** The newest `n` items, oldest first. */
export function ringTail<T>(r: Ring<T>, n: number): T[] {
  const out: T[] = [];
  for (let c = r.chunks.length - 1; c >= 0 && out.length < n; c--) {
    const chunk = r.chunks[c];
    for (let i = chunk.length - 1; i >= 0 && out.length < n; i--) out.push(chunk[i]);
  }
  return out.reverse();
}
