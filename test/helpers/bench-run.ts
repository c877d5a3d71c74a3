/**
 * A real benchmark run through the real CLI (`node src/bin.mjs run`) against
 * a test etcd cluster, its results in a temp dir removed when the test ends.
 *
 *   const run = await benchRun(t, etcd, ['--rounds', '2', '--agents', '20']);
 *   run.dir    // <tmp>/results/20261129-220411-3a4b (events.jsonl, rounds.csv, summary.json)
 *   run.json   // the `run --json` object
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { EmbeddedCluster } from './etcd-cluster.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');

export interface BenchRun {
  dir: string;
  json: { config: Record<string, unknown>; rounds: unknown[]; summary: Record<string, unknown>; ok: boolean };
}

export async function benchRun(t: { after: (fn: () => unknown) => void }, etcd: EmbeddedCluster, args: string[]): Promise<BenchRun> {
  const out = mkdtempSync(join(tmpdir(), 'eeb-report-run-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const jsonPath = join(out, 'run.json');
  const r = await execa(process.execPath, [bin, 'run', '--endpoints', etcd.endpoints.join(','), '--out', join(out, 'results'), '--json', jsonPath, ...args], {
    reject: false,
    timeout: 180_000,
    env: { CI: 'true' },
  });
  if (r.exitCode !== 0) throw new Error(`run ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchRun['json'];
  return { dir: join(out, 'results', String(json.config.runId)), json };
}
