/**
 * The bare-watcher floor (bare-watchers.ts) as one self-contained file, built
 * with esbuild exactly as the worker is (src/fleet/bundle.ts): both run as
 * `node <file>`, with no loader in between, so their latency and memory
 * compare like for like.
 *
 *   const path = await bareWatchersBundle();  // node_modules/.cache/etcd-election-bench/bare-watchers-3f2a9c1b.mjs
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../fleet/bundle.ts';

const cacheDir = join(projectRoot, 'node_modules', '.cache', 'etcd-election-bench');

let cached: Promise<string> | null = null;

/** Build (once per process) the bare-watchers bundle; resolves to its path. */
export function bareWatchersBundle(): Promise<string> {
  cached ??= build().catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

async function build(): Promise<string> {
  const esbuild = await import('esbuild');
  const res = await esbuild.build({
    entryPoints: [join(projectRoot, 'src', 'bench', 'bare-watchers.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    logLevel: 'silent',
    // same banner as the worker bundle: bundled CJS deps call require()
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const code = res.outputFiles[0].contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const path = join(cacheDir, `bare-watchers-${hash}.mjs`);
  if (!existsSync(path)) {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, path);
  }
  return path;
}
