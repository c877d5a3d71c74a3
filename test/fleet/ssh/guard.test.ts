/**
 * The orphan guard (src/fleet/ssh/guard.ts) on its own, as SshHost runs it on
 * a host: it SIGKILLs tracked worker pids when its stdin closes or goes
 * silent, SIGCONTs on request, and never touches a pid that is not running
 * the bundle (pids get reused).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GUARD_SOURCE, guardFile } from '../../../src/fleet/ssh/guard.ts';
import { waitFor } from '../../helpers/etcd-cluster.ts';
import { processAlive, processesMatching } from '../../helpers/sshd.ts';

describe('ssh guard', () => {
  let dir: string;
  let guardPath: string;
  let bundle: string;
  const children: ChildProcess[] = [];

  /** a process whose command line names `path`, as a worker's names the bundle */
  function fakeWorker(path: string): ChildProcess {
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', path], { stdio: 'ignore' });
    children.push(c);
    return c;
  }

  function guard(silenceMs: number): ChildProcess {
    const g = spawn(process.execPath, [guardPath, bundle, String(silenceMs)], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(g);
    return g;
  }

  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eeb-guard-'));
    guardPath = join(dir, guardFile().name);
    await writeFile(guardPath, GUARD_SOURCE);
    bundle = join(dir, 'worker-0123456789abcdef.mjs');
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await rm(dir, { recursive: true, force: true });
  });

  test('stdin EOF kills tracked workers, paused ones too, and nothing else', async () => {
    const w1 = fakeWorker(bundle);
    const w2 = fakeWorker(bundle);
    const forgotten = fakeWorker(bundle);
    const stranger = fakeWorker(join(dir, 'something-else.js'));
    const g = guard(0);
    process.kill(w2.pid!, 'SIGSTOP');
    g.stdin!.write(`+${w1.pid}\n+${w2.pid}\n+${forgotten.pid}\n+${stranger.pid}\n-${forgotten.pid}\n`);
    // the guard names the bundle too
    await waitFor('fake workers up', async () => (await processesMatching(bundle)).filter((p) => p.pid !== g.pid).length === 3);
    g.stdin!.end();
    await Promise.all([exited(w1), exited(w2), exited(g)]);
    assert.equal(w1.signalCode, 'SIGKILL');
    assert.equal(w2.signalCode, 'SIGKILL');
    assert.equal(await processAlive(forgotten.pid!), true, 'an untracked pid is left alone');
    assert.equal(await processAlive(stranger.pid!), true, 'a pid not running the bundle is left alone');
  });

  test('silence beyond the limit kills tracked workers; heartbeats keep them', async () => {
    const w = fakeWorker(bundle);
    const g = guard(600);
    g.stdin!.write(`+${w.pid}\n`);
    // heartbeats for ~1.5 s: longer than the limit, so they are what keeps w alive
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 200));
      g.stdin!.write('h\n');
      assert.equal(w.exitCode === null && w.signalCode === null, true, `alive after heartbeat ${i}`);
    }
    const t0 = performance.now();
    await Promise.all([exited(w), exited(g)]);
    assert.equal(w.signalCode, 'SIGKILL');
    assert.ok(performance.now() - t0 < 3000);
  });

  test('c PID continues a paused worker, k PID kills it', async () => {
    const w = fakeWorker(bundle);
    const g = guard(0);
    g.stdin!.write(`+${w.pid}\n`);
    process.kill(w.pid!, 'SIGSTOP');
    await waitFor('stopped', async () => (await processesMatching(bundle)).find((p) => p.pid === w.pid)?.stat.startsWith('T'));
    g.stdin!.write(`c ${w.pid}\n`);
    await waitFor('continued', async () => !(await processesMatching(bundle)).find((p) => p.pid === w.pid)?.stat.startsWith('T'));
    g.stdin!.write(`k ${w.pid}\n`);
    await exited(w);
    assert.equal(w.signalCode, 'SIGKILL');
    g.stdin!.end();
    await exited(g);
  });
});
