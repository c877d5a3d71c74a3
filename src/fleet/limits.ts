/**
 * Process limits of the control node that decide how many agents fit.
 *
 *   openFileLimit()  // 20000: the soft RLIMIT_NOFILE our children inherit (`ulimit -n`); null when unknown or unlimited
 */
import { readFileSync } from 'node:fs';

/** The soft open-file limit, read from /proc/self/limits ("Max open files  20000  20000  files"). */
export function openFileLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m || m[1] === 'unlimited') return null;
  const n = Number(m[1]);
  return Number.isFinite(n) && n > 0 ? n : null;
}
