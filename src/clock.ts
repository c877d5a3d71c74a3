/** Wall-clock milliseconds with a sub-millisecond fraction (epoch based). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
