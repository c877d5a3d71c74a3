/**
 * The worker as one self-contained file (esbuild), so that a host needs only
 * `node`: LocalHost runs it directly, SshHost uploads it once per hash.
 *
 *   const b = await workerBundle();  // { path: '.../worker-3f2a9c1b.mjs', hash: '3f2a9c1b...', code }
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerBundle {
  path: string;
  hash: string;
  code: Uint8Array;
}

const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = join(here, '..', '..');
const cacheDir = join(projectRoot, 'node_modules', '.cache', 'etcd-election-bench');

let cached: Promise<WorkerBundle> | null = null;

/** Build (once per process) the worker bundle and return where it is. */
export function workerBundle(): Promise<WorkerBundle> {
  cached ??= buildBundle(join(projectRoot, 'src', 'worker', 'main.ts'), 'worker').catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

/**
 * Bundle `entry` into node_modules/.cache/etcd-election-bench/<name>-<hash>.mjs
 * (written only when absent, via a temp file and a rename).
 */
export async function buildBundle(entry: string, name: string): Promise<WorkerBundle> {
  const esbuild = await import('esbuild');
  const res = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    logLevel: 'silent',
    // some bundled CJS deps call require(); give ESM output a real one
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const code = res.outputFiles[0].contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const path = join(cacheDir, `${name}-${hash}.mjs`);
  if (!existsSync(path) || (await readFile(path)).length !== code.length) {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, path);
  }
  return { path, hash, code };
}
