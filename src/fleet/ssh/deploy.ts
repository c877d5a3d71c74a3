/**
 * Put the worker bundle (and the guard) on a host over SFTP, once per version: the file name
 * carries the bundle hash, so a file of that name and size is this version and
 * is left alone. A new one is written under a temp name and renamed into
 * place (posix-rename), so a worker never starts from a half-written file and
 * two control nodes (or two "hosts" sharing one home) can deploy at once.
 *
 *   ~/.cache/etcd-election-bench/worker-3f2a9c1b0e4d5a67.mjs   the worker (src/fleet/bundle.ts)
 *   ~/.cache/etcd-election-bench/guard-9c0d1e2f3a4b5c6d.cjs    SshHost's orphan guard (src/fleet/ssh/guard.ts)
 */
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import type { WorkerBundle } from '../bundle.ts';

/** Where bundles go, relative to the remote home unless absolute. */
export const REMOTE_CACHE_DIR = '.cache/etcd-election-bench';

export interface DeployResult {
  /** absolute path of the bundle on the host */
  remotePath: string;
  hash: string;
  /** false when the host already had this version */
  uploaded: boolean;
  bytes: number;
  ms: number;
}

export interface DeployOptions {
  /** remote directory; relative = under the remote home (default REMOTE_CACHE_DIR) */
  dir?: string;
}

function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** Promisify one SFTP call of the callback style. */
function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/** SFTP status 2 = no such file. */
function isMissing(e: unknown): boolean {
  return (e as { code?: unknown })?.code === 2;
}

async function statOrNull(sftp: SFTPWrapper, path: string): Promise<Stats | null> {
  try {
    return await call<Stats>((cb) => sftp.stat(path, cb));
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

/** mkdir -p over SFTP (0700 for what we create: only this user runs workers). */
async function mkdirs(sftp: SFTPWrapper, absDir: string): Promise<void> {
  const parts = absDir.split('/').filter(Boolean);
  let cur = '';
  for (const p of parts) {
    cur += '/' + p;
    const st = await statOrNull(sftp, cur);
    if (st?.isDirectory()) continue;
    if (st) throw new Error(`${cur} exists and is not a directory`);
    try {
      await call<void>((cb) => sftp.mkdir(cur, { mode: 0o700 }, (err) => cb(err, undefined)));
    } catch (e) {
      // another deploy may have made it meanwhile
      if (!(await statOrNull(sftp, cur))?.isDirectory()) throw e;
    }
  }
}

/** A file to put in the remote dir; its name must change whenever its content does. */
export interface DeployFile {
  name: string;
  code: Uint8Array;
}

/** Upload each file unless a file of that name and size is already there (one SFTP session). */
export async function deployFiles(client: Client, files: DeployFile[], opts: DeployOptions = {}): Promise<DeployResult[]> {
  const sftp = await openSftp(client);
  try {
    const home = await call<string>((cb) => sftp.realpath('.', cb));
    const rel = opts.dir ?? REMOTE_CACHE_DIR;
    const dir = (rel.startsWith('/') ? rel : `${home.replace(/\/$/, '')}/${rel}`).replace(/\/+$/, '');
    let madeDir = false;
    const out: DeployResult[] = [];
    for (const file of files) {
      const t0 = performance.now();
      const remotePath = `${dir}/${file.name}`;
      const bytes = file.code.length;
      const hash = /-([0-9a-f]+)\.[a-z]+$/.exec(file.name)?.[1] ?? '';
      const done = (uploaded: boolean): DeployResult => ({ remotePath, hash, uploaded, bytes, ms: performance.now() - t0 });
      const existing = await statOrNull(sftp, remotePath);
      if (existing?.isFile() && existing.size === bytes) {
        out.push(done(false));
        continue;
      }
      if (!madeDir) await mkdirs(sftp, dir);
      madeDir = true;
      out.push(done(await upload(sftp, remotePath, file.code)));
    }
    return out;
  } finally {
    sftp.end();
  }
}

/** Write under a temp name, then rename into place; false if a concurrent deploy placed it first. */
async function upload(sftp: SFTPWrapper, remotePath: string, code: Uint8Array): Promise<boolean> {
  const bytes = code.length;
  const tmp = `${remotePath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await call<void>((cb) => sftp.writeFile(tmp, Buffer.from(code), { mode: 0o644 }, (err) => cb(err, undefined)));
    const written = await statOrNull(sftp, tmp);
    if (written?.size !== bytes) throw new Error(`upload of ${tmp} is ${written?.size ?? 0} bytes, expected ${bytes}`);
    try {
      // replaces atomically; plain SFTP rename refuses an existing target
      await call<void>((cb) => sftp.ext_openssh_rename(tmp, remotePath, (err) => cb(err, undefined)));
    } catch {
      await call<void>((cb) => sftp.rename(tmp, remotePath, (err) => cb(err, undefined)));
    }
    return true;
  } catch (e) {
    await call<void>((cb) => sftp.unlink(tmp, () => cb(null, undefined)));
    // a concurrent deploy of the same version may have won the race
    const now = await statOrNull(sftp, remotePath);
    if (now?.isFile() && now.size === bytes) return false;
    throw e;
  }
}

/** Upload the worker bundle as `worker-<hash>.mjs` unless that version is already there. */
export async function deployBundle(client: Client, bundle: WorkerBundle, opts: DeployOptions = {}): Promise<DeployResult> {
  const [r] = await deployFiles(client, [{ name: `worker-${bundle.hash}.mjs`, code: bundle.code }], opts);
  return r;
}
