/**
 * A bench Session on local hosts against a test etcd cluster, with its
 * results in a temp dir; closed (workers stopped) when the test ends.
 *
 *   const s = await openTestSession(t, etcd, { backend: 'v2-ttl', agents: 20 });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Settings } from '../../src/config/load.ts';
import { Session } from '../../src/run/session.ts';
import type { EmbeddedCluster } from './etcd-cluster.ts';

export async function openTestSession(
  t: { after: (fn: () => unknown) => void },
  etcd: EmbeddedCluster,
  overrides: Partial<Settings> = {},
): Promise<Session> {
  const out = mkdtempSync(join(tmpdir(), 'eeb-results-'));
  const config = loadConfig(undefined, { endpoints: etcd.endpoints, out, masters: 3, agents: 10, ...overrides });
  const session = await Session.open(config);
  t.after(async () => {
    await session.close();
    rmSync(out, { recursive: true, force: true });
  });
  return session;
}
