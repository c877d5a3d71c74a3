/**
 * `worker master|agents N|clock|signal PID SIG`: what runs on a host (the
 * same code the bundle uploaded over SSH runs; see src/worker/worker.ts).
 * It leaves once its stdout is drained, whatever still listens on stdin.
 */
import { flushOut, runWorker } from '../worker/worker.ts';

export async function main(argv: string[]): Promise<number> {
  const code = await runWorker(argv);
  flushOut();
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
