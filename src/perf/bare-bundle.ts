/**
 * The bare-watcher floor (bare-watchers.ts) as one self-contained file, built
 * with esbuild exactly as the worker is (src/fleet/bundle.ts): both run as
 * `node <file>`, with no loader in between, so their latency and memory
 * compare like for like.
 *
 *   const path = await bareWatchersBundle();  // node_modules/.cache/etcd-election-bench/bare-watchers-3f2a9c1b.mjs
 */
import { join } from 'node:path';
import { buildBundle, projectRoot } from '../fleet/bundle.ts';

let cached: Promise<string> | null = null;

/** Build (once per process) the bare-watchers bundle; resolves to its path. */
export function bareWatchersBundle(): Promise<string> {
  cached ??= buildBundle(join(projectRoot, 'src', 'perf', 'bare-watchers.ts'), 'bare-watchers').then(
    (b) => b.path,
    (e) => {
      cached = null;
      throw e;
    },
  );
  return cached;
}
