/**
 * A real etcd cluster for integration tests: 3 members on 127.0.0.1, free
 * ports, its own temp data dir, torn down after the test (also when it fails).
 *
 * Usage, one cluster per test file:
 *
 *   import { after, before, test } from 'node:test';
 *   import { startTestCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
 *
 *   let etcd: EmbeddedCluster;
 *   before(async () => { etcd = await startTestCluster(); });
 *   after(() => etcd?.stop());
 *   test('...', async () => { ... etcd.endpoints ... });
 *
 * or inside one test (stopped by the test context when it ends):
 *
 *   test('...', async (t) => {
 *     const etcd = await withEtcdCluster(t);
 *   });
 *
 * `etcd.endpoints` are the client URLs ("http://127.0.0.1:PORT"); also
 * `leader()`, `status()`, `killMember(name)`, `restartMember(name)` (see
 * src/cluster/embedded.ts). Member logs go to <dataDir>/mN.log; set
 * ETCD_BENCH_TEST_LOG=1 to also see them on stderr. `waitFor` polls a
 * condition with a deadline (no fixed sleeps in tests).
 */
import { startCluster, type EmbeddedCluster, type StartOptions } from '../../src/cluster/embedded.ts';

export type { EmbeddedCluster, Member, ClusterStatus } from '../../src/cluster/embedded.ts';
export { etcdPidsUnder } from '../../src/cluster/embedded.ts';

export function startTestCluster(opts: StartOptions = {}): Promise<EmbeddedCluster> {
  const log = process.env.ETCD_BENCH_TEST_LOG ? (line: string) => process.stderr.write(line + '\n') : undefined;
  // a loaded 2-core machine running other clusters starts slower than the usual ~0.3-4 s
  return startCluster({ timeoutMs: 30_000, onLog: log, ...opts, detached: false });
}

/** Start a cluster and stop it when the test (or suite) `t` ends. */
export async function withEtcdCluster(t: { after: (fn: () => unknown) => void }, opts: StartOptions = {}): Promise<EmbeddedCluster> {
  const cluster = await startTestCluster(opts);
  t.after(() => cluster.stop());
  return cluster;
}

/**
 * Poll `fn` until it returns a value other than undefined/null/false, or
 * throw after `timeoutMs` naming `what` (and the last error fn threw).
 */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, lastError ? { cause: lastError } : undefined);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
