/**
 * The end of a member's log, for error messages: zap JSON lines shortened to
 * "level msg: error", and the line that says why when it scrolled away.
 *
 *   <dataDir>/m1.log   {"level":"info","ts":"2026-11-25T15:24:31.305Z","caller":"embed/etcd.go:566","msg":"stopping serving peer traffic"}
 *   -> 'info stopping serving peer traffic'
 */
import { open } from 'node:fs/promises';

/** last `n` lines of a member log, zap JSON shortened to "level msg error" */
export async function logTail(file: string, n = 8): Promise<string[]> {
  let text = '';
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const tail = lines.slice(-n);
  // the line that says why (a flag error ends in pages of usage text)
  const why = lines
    .slice(0, -n)
    .filter((l) => /"level":"(fatal|panic|error)"|flag provided but not defined|^(panic|Error|error):/.test(l))
    .slice(-3);
  return [...why, ...(why.length ? ['...'] : []), ...tail].map((l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      const extra = o.error ?? o.err ?? '';
      return `${String(o.level ?? '')} ${String(o.msg ?? l)}${extra ? `: ${String(extra)}` : ''}`.slice(0, 400);
    } catch {
      return l.slice(0, 400);
    }
  });
}
