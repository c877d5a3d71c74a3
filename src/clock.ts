/** Wall-clock milliseconds with a sub-millisecond fraction (epoch based). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms`, or early when `signal` aborts (a pause between polls, never in place of a condition). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
