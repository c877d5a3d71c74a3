/**
 * The partition lab outlives nothing: a `run --fault partition` stopped by
 * SIGINT mid-round removes its network namespaces and links before it exits
 * (130); one killed by SIGKILL leaves them behind, and the next session's
 * start sweeps them (their owner process is gone). Real CLI, real etcd, real
 * namespaces (root).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { loadConfig } from '../../src/config/load.ts';
import { Session } from '../../src/run/session.ts';
import { runShort } from '../../src/lab/owner.ts';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { labLeft } from '../helpers/netns.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');

describe('the partition lab at exit', () => {
  let dir: string;
  const savedState = process.env.ETCD_BENCH_STATE_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eeb-partition-exit-'));
    process.env.ETCD_BENCH_STATE_DIR = join(dir, 'state');
  });
  after(() => {
    if (savedState === undefined) delete process.env.ETCD_BENCH_STATE_DIR;
    else process.env.ETCD_BENCH_STATE_DIR = savedState;
    rmSync(dir, { recursive: true, force: true });
  });

  /** a partition run from the CLI, its stderr collected; resolves once its first round has cut a link */
  async function runUntilCut(t: { after: (fn: () => unknown) => void }, out: string): Promise<{ child: ResultPromise; stderr: () => string; runId: () => string }> {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const child = execa(process.execPath, [bin, 'run', '--fault', 'partition', '--rounds', '50', '--agents', '2', '--masters', '2', '--out', out], {
      reject: false,
      // its cluster's data dir under the test's dir: a SIGKILLed run cannot remove it itself
      env: { CI: 'true', ETCD_BENCH_STATE_DIR: join(dir, 'state'), TMPDIR: tmp },
    });
    t.after(() => child.kill('SIGKILL'));
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor('the first round cut a link', () => /cut off from etcd/.test(err), 60_000);
    const runId = () => readdirSync(out)[0]!;
    return { child, stderr: () => err, runId };
  }

  test('SIGINT mid-round: exit 130, no namespace or link of the run left', async (t) => {
    const out = join(dir, 'sigint');
    const { child, stderr, runId } = await runUntilCut(t, out);
    assert.equal((await labLeft(runId())).length, 4, 'two namespaces and their links while it runs');
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, stderr());
    assert.deepEqual(await labLeft(runId()), []);
  });

  test('SIGKILL mid-round leaves them; the next session start sweeps them', async (t) => {
    const out = join(dir, 'sigkill');
    const { child, runId } = await runUntilCut(t, out);
    child.kill('SIGKILL');
    await child;
    const id = runId();
    const left = await labLeft(id);
    assert.equal(left.length, 4, `a SIGKILL leaves the run's namespaces and links: ${left.join(', ')}`);
    // When another session starts (any fault)
    const etcd: EmbeddedCluster = await startTestCluster();
    t.after(() => etcd.stop());
    const s = Session.create(loadConfig(undefined, { endpoints: etcd.endpoints, out: join(dir, 'next'), fault: 'kill', agents: 0 }));
    t.after(() => s.close());
    await s.start();
    // Then they are gone
    assert.deepEqual(await labLeft(id), [], `eeb-${runShort(id)}-* swept`);
  });
});
