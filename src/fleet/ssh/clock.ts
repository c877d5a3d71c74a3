/**
 * A remote host's clock offset: Cristian ping-pong with `worker clock` over
 * its own exec channel (best of >= 8 round trips, see worker-stream.ts).
 *
 *   stdin  {"cmd":"ping","seq":3}
 *   stdout {"t":1764083012349.04,"ev":"pong","seq":3,...}
 *   -> { offsetMs: 3.91, uncertaintyMs: 0.21 }
 */
import type { ClientChannel } from 'ssh2';
import { SshError, oneLine } from '../../errors.ts';
import type { ClockOffset } from '../host.ts';
import { PongWaiter, measureOffset, readEvents, writeCommand } from '../worker-stream.ts';

/**
 * Measure over `ch` (a `worker clock` channel, ended here). A clock worker
 * that dies (bad args, no node) fails the measurement at once, with its last
 * words; SshError naming `host`.
 */
export async function measureClockOver(ch: ClientChannel, host: string, clock: () => ClockOffset, samples = 8): Promise<ClockOffset> {
  const pongs = new PongWaiter();
  const tail: string[] = [];
  const done = readEvents(ch.stdout, clock, (e) => pongs.handle(e), (l) => tail.push(l));
  const stderrDone = readEvents(ch.stderr, clock, () => undefined, (l) => tail.push(l));
  const ended = new Promise<never>((_, reject) =>
    ch.once('close', () => void stderrDone.then(() => reject(new Error(`clock worker ended${tail.length ? `: ${tail.slice(-2).join(' | ')}` : ''}`)))),
  );
  ended.catch(() => undefined);
  try {
    const r = await measureOffset((seq) => {
      writeCommand(ch, { cmd: 'ping', seq });
      return Promise.race([pongs.wait(seq, 10_000), ended]);
    }, Math.max(8, samples));
    return { offsetMs: r.offsetMs, uncertaintyMs: r.uncertaintyMs };
  } catch (e) {
    throw new SshError(`clock measurement failed: ${oneLine(e)}`, host, { cause: e });
  } finally {
    ch.end();
    const t = setTimeout(() => ch.close(), 2000);
    await Promise.race([done, ended.catch(() => undefined)]);
    clearTimeout(t);
  }
}
