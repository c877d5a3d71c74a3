/**
 * Network namespaces for tests, made by the lab itself (src/lab/): owned by
 * the test process (a concurrent sweep leaves them alone) and removed when
 * the test ends, also on failure. Root only, as the lab is.
 *
 *   const lab = await withLab(t, 1);            // lab.spaces[0].hostAddr: '198.18.37.1'
 *   await inNs(lab.spaces[0].name, process.execPath, ['-e', '...']);
 *   await labLeft('20261129-...')              // names of a run's namespaces/links still there
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { NetnsLab } from '../../src/lab/lab.ts';
import { listLab, netnsExec } from '../../src/lab/netns.ts';
import { runShort } from '../../src/lab/owner.ts';

export function testRunId(): string {
  return `test-${randomBytes(6).toString('hex')}`;
}

export async function withLab(t: { after: (fn: () => unknown) => void }, count: number, runId = testRunId()): Promise<NetnsLab> {
  const lab = await NetnsLab.create(runId, count);
  t.after(() => lab.remove());
  return lab;
}

/** Run a command inside namespace `name`; resolves with its result (never rejects on exit codes). */
export function inNs(name: string, cmd: string, args: string[], timeoutMs = 20_000) {
  const c = netnsExec(name, cmd, args);
  return execa(c.file, c.args, { reject: false, timeout: timeoutMs });
}

/** The names (namespaces and links) of run `runId` that exist now. */
export async function labLeft(runId: string): Promise<string[]> {
  const short = runShort(runId);
  const { namespaces, links } = await listLab();
  return [...namespaces, ...links].filter((n) => n.startsWith(`eeb-${short}-`));
}
