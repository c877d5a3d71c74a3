/**
 * Issue 8 A3: cleanup is registered before the resource it cleans exists.
 * Aborting startCluster's signal at any moment, or the process exiting in
 * the middle of a start (process.exit, an uncaught exception, Ctrl-C with or
 * without a handler of its own) or with the cluster still running, leaves no
 * etcd-bench-* data dir and no etcd process.
 * Each case gets its own TMPDIR, so "no data dir of that run" is exact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { execa } from 'execa';
import { startCluster } from '../../src/cluster/embedded.ts';
import { etcdPidsUnder } from '../../src/cluster/members.ts';
import { AbortError } from '../../src/errors.ts';
import { alive } from '../../src/fleet/process-table.ts';

const realTmp = tmpdir();

/** A private TMPDIR for this test (restored and removed after it, also on failure). */
function privateTmp(t: TestContext): string {
  const dir = mkdtempSync(join(realTmp, 'etcd-bench-abort-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  t.after(async () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    for (const pid of await etcdPidsUnder(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function assertNothingLeft(tmp: string, pids: number[]): Promise<void> {
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('etcd-bench-')), [], 'no data dir left');
  assert.deepEqual(await etcdPidsUnder(tmp), [], 'no etcd with a data dir there');
  for (const pid of pids) assert.equal(alive(pid), false, `member pid ${pid} gone`);
}

const isAbort = (e: unknown) => {
  assert.ok(e instanceof AbortError, `an AbortError, got ${String(e)}`);
  assert.equal(e.name, 'AbortError');
  assert.match(e.message, /embedded etcd cluster start aborted/);
  return true;
};

/** Start with `abortWhen` deciding, per log line, when to abort; resolves to the pids that were spawned. */
async function abortedStart(abortWhen: (line: string, spawned: number) => boolean, after?: number): Promise<number[]> {
  const ac = new AbortController();
  const pids: number[] = [];
  const onLog = (line: string) => {
    const m = /^m\d: spawned etcd pid (\d+)$/.exec(line);
    if (m) pids.push(Number(m[1]));
    if (abortWhen(line, pids.length)) ac.abort(new Error('test abort'));
  };
  const started = startCluster({ signal: ac.signal, onLog, timeoutMs: 30_000 });
  if (after !== undefined) setTimeout(() => ac.abort(new Error('test abort')), after);
  await assert.rejects(started, isAbort);
  return pids;
}

describe('aborting startCluster leaves nothing behind', () => {
  test('a signal aborted before the call: rejects at once', async (t) => {
    const tmp = privateTmp(t);
    await assert.rejects(startCluster({ signal: AbortSignal.abort(new Error('already')) }), isAbort);
    await assertNothingLeft(tmp, []);
  });

  test('aborted right after the call (the data dir just made, no member yet)', async (t) => {
    const tmp = privateTmp(t);
    const ac = new AbortController();
    const started = startCluster({ signal: ac.signal });
    ac.abort(new Error('test abort'));
    await assert.rejects(started, isAbort);
    await assertNothingLeft(tmp, []);
  });

  test('aborted at the first "spawned" line (between spawns): no further member starts', async (t) => {
    const tmp = privateTmp(t);
    const pids = await abortedStart((line) => /spawned/.test(line));
    assert.equal(pids.length, 1, 'only m1 was spawned');
    await assertNothingLeft(tmp, pids);
  });

  test('aborted at the first etcd log line (waiting for health)', async (t) => {
    const tmp = privateTmp(t);
    const pids = await abortedStart((line) => line.includes('{'));
    assert.equal(pids.length, 3);
    await assertNothingLeft(tmp, pids);
  });

  for (const ms of [2, 20, 150]) {
    test(`aborted ${ms} ms into the start`, async (t) => {
      const tmp = privateTmp(t);
      const pids = await abortedStart(() => false, ms);
      await assertNothingLeft(tmp, pids);
    });
  }
});

describe('a process that exits with a cluster of its own leaves nothing behind', () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'exit-mid-start.ts');
  const run = (mode: string, tmp: string) =>
    execa(process.execPath, ['--import', 'tsx', fixture, mode], { env: { ...process.env, TMPDIR: tmp }, reject: false, timeout: 60_000 });
  const pidsOf = (stdout: string) => stdout.split('\n').flatMap((l) => (l.startsWith('{"pid"') ? [(JSON.parse(l) as { pid: number }).pid] : []));

  test('process.exit(130) between member spawns', async (t) => {
    const tmp = privateTmp(t);
    const r = await run('exit-on-spawn', tmp);
    assert.equal(r.exitCode, 130, r.stderr);
    const pids = pidsOf(r.stdout);
    assert.equal(pids.length, 2);
    await assertNothingLeft(tmp, pids);
  });

  test('an uncaught exception while waiting for health', async (t) => {
    const tmp = privateTmp(t);
    const r = await run('throw-on-log', tmp);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /boom in the middle of the start/);
    const pids = pidsOf(r.stdout);
    assert.equal(pids.length, 3);
    await assertNothingLeft(tmp, pids);
  });

  /** Run `mode`, SIGINT it once `when(pids seen so far, line)` holds; its result and the pids. */
  async function interrupted(mode: string, tmp: string, when: (pids: number[], line: string) => boolean) {
    const child = run(mode, tmp);
    const pids: number[] = [];
    let sent = false;
    child.stdout!.setEncoding('utf8');
    let buf = '';
    child.stdout!.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        pids.push(...pidsOf(line));
        if (!sent && when(pids, line)) {
          sent = true;
          child.kill('SIGINT');
        }
      }
    });
    const r = await child;
    assert.ok(sent, `the child never reached the point to interrupt: ${r.stderr}`);
    return { r, pids };
  }

  test('Ctrl-C (SIGINT, no handler of its own) between member spawns: dies by SIGINT, nothing left', async (t) => {
    const tmp = privateTmp(t);
    const { r, pids } = await interrupted('wait', tmp, (p) => p.length === 2);
    assert.equal(r.signal, 'SIGINT', `exit ${r.exitCode}: ${r.stderr}`);
    await assertNothingLeft(tmp, pids);
  });

  test('Ctrl-C (SIGINT, no handler) with the started cluster running', async (t) => {
    const tmp = privateTmp(t);
    const { r, pids } = await interrupted('wait', tmp, (_p, line) => line.includes('"started"'));
    assert.equal(r.signal, 'SIGINT', `exit ${r.exitCode}: ${r.stderr}`);
    assert.equal(pids.length, 3);
    await assertNothingLeft(tmp, pids);
  });

  test('Ctrl-C with a handler of its own that exits: the handler decides, the exit cleans up', async (t) => {
    const tmp = privateTmp(t);
    const { r, pids } = await interrupted('own-handler', tmp, (p) => p.length === 1);
    assert.equal(r.exitCode, 130, r.stderr);
    await assertNothingLeft(tmp, pids);
  });

  test('process.exit(130) with the started cluster never stopped', async (t) => {
    const tmp = privateTmp(t);
    const r = await run('exit-after-start', tmp);
    assert.equal(r.exitCode, 130, r.stderr);
    assert.match(r.stdout, /"started":".*etcd-bench-/);
    await assertNothingLeft(tmp, pidsOf(r.stdout));
  });
});
