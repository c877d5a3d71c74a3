/**
 * What LocalHost and SshHost share about a running worker: splitting its
 * stdout into JSON-lines events (stamped with control-clock `tc`), writing
 * commands to its stdin, and the Cristian ping-pong that measures a host's
 * clock offset over that same channel.
 *
 *   worker stdout: {"t":1764083012345.127,"host":"h1","pid":7,"role":"master","id":"h1-m1","ev":"elected"}
 *   worker stdin:  {"cmd":"ping","seq":3}
 */
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { WorkerCommand, WorkerEvent } from '../events.ts';
import type { ClockOffset } from './host.ts';
import { now } from '../clock.ts';

/** Parse one stdout line; null for anything that is not an event. */
export function parseEventLine(line: string): WorkerEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const e = JSON.parse(line) as WorkerEvent;
    return typeof e.t === 'number' && typeof e.ev === 'string' ? e : null;
  } catch {
    return null;
  }
}

/** Feed each event of `stream` (offset-corrected) to onEvent; other lines to onOther. */
export function readEvents(
  stream: Readable,
  clock: () => ClockOffset,
  onEvent: (e: WorkerEvent) => void,
  onOther?: (line: string) => void,
): Promise<void> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => {
    const e = parseEventLine(line);
    if (e) {
      e.tc = e.t - clock().offsetMs;
      onEvent(e);
    } else if (line.trim()) onOther?.(line);
  });
  return new Promise((resolve) => rl.once('close', resolve));
}

export function writeCommand(stdin: Writable, cmd: WorkerCommand): void {
  if (!stdin.destroyed && stdin.writable) stdin.write(JSON.stringify(cmd) + '\n');
}

export interface ClockSample {
  offsetMs: number;
  rttMs: number;
}

/**
 * Cristian's algorithm: ping, the host answers with its time, offset =
 * host time - midpoint of the round trip; keep the sample with the smallest
 * round trip. `exchange(seq)` sends a ping and resolves to the host's `t`.
 */
export async function measureOffset(exchange: (seq: number) => Promise<number>, samples = 8): Promise<ClockOffset & { samples: ClockSample[] }> {
  const all: ClockSample[] = [];
  for (let seq = 0; seq < Math.max(samples, 1); seq++) {
    const t0 = now();
    const th = await exchange(seq);
    const t1 = now();
    all.push({ offsetMs: th - (t0 + t1) / 2, rttMs: t1 - t0 });
  }
  const best = all.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
  return { offsetMs: best.offsetMs, uncertaintyMs: best.rttMs / 2, samples: all };
}

/** Route `pong` events to waiting pings; use as (part of) a worker's onEvent. */
export class PongWaiter {
  private waiting = new Map<number, (t: number) => void>();
  handle(e: WorkerEvent): boolean {
    if (e.ev !== 'pong' || typeof e.seq !== 'number') return false;
    this.waiting.get(e.seq)?.(e.t);
    this.waiting.delete(e.seq);
    return true;
  }
  wait(seq: number, timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`no pong for ping ${seq} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}
