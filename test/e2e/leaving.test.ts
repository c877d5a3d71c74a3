/**
 * Leaving or stopping while an action is in flight, in a real terminal
 * (tmux, CI unset), on the embedded default (issue 8 A):
 *  - `k` `y` and at once `q` `y`: the console is gone within 5 s, no master
 *    was restarted, no etcd and no worker is left;
 *  - `r` 99999 Enter, then `x` `y` during round 1: the round is cancelled (not
 *    a failed round), the series stops, nothing is restarted;
 *  - Ctrl-C in the first second, while the cluster starts: no data dir, no etcd left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdPidsUnder, waitFor } from '../helpers/etcd-cluster.ts';
import { startTmux, type Tmux } from '../helpers/tmux.ts';
import { findProcesses } from '../../src/fleet/process-table.ts';
import type { BenchEvent } from '../../src/events.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const AGENTS = 10;
const skip = !existsSync('/usr/bin/tmux') && 'tmux is not installed';

async function console_(t: { after: (fn: () => unknown) => void }, extra: string[] = []): Promise<{ term: Tmux; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'eeb-leave-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(root, 'conf'), join(dir, 'conf'), { recursive: true });
  const term = await startTmux({
    command: process.execPath,
    args: ['src/bin.mjs', '--conf', join(dir, 'conf'), '--out', join(dir, 'results'), '--agents', String(AGENTS), ...extra],
    cwd: root,
    env: { TMPDIR: dir, NO_COLOR: undefined, FORCE_COLOR: undefined },
    columns: 140,
    rows: 45,
  });
  t.after(() => term.kill());
  return { term, dir };
}

const ready = new RegExp(`^(?=[\\s\\S]*● \\S+\\s+master)(?=[\\s\\S]*${AGENTS}/${AGENTS}\\s+${AGENTS}\\b)`);

/** wait (bounded) until nothing of this console is left; fail naming what is */
async function nothingLeft(dir: string): Promise<void> {
  let left: string[] = [];
  await waitFor('nothing of this run left', async () => (left = await leftovers(dir)).length === 0, 10_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${left.join('; ')}`);
  });
}

/** every process of this console (they all inherit its TMPDIR: the console, its workers, etcd): none may be left */
async function leftovers(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of await findProcesses(() => true)) {
    const env = await readFile(`/proc/${p.pid}/environ`, 'utf8').catch(() => '');
    if (env.split('\0').includes(`TMPDIR=${dir}`)) out.push(`${p.pid} ${p.argv.join(' ')}`);
  }
  for (const pid of await etcdPidsUnder(dir)) out.push(`etcd ${pid}`);
  return out;
}

async function events(dir: string): Promise<BenchEvent[]> {
  const runs = await readdir(join(dir, 'results'));
  assert.equal(runs.length, 1);
  const text = await readFile(join(dir, 'results', runs[0], 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BenchEvent);
}

test('k y, then at once q y: gone within 5 s, the killed master not restarted, nothing left', { skip }, async (t) => {
  const { term, dir } = await console_(t);
  await term.waitForText(ready, 90_000);
  await term.sendKeys('k');
  await term.waitForText('Kill the active master?', 10_000);
  await term.sendKeys('y');
  await term.waitForText(/round 1: SIGKILL \S+ \(pid/, 10_000);
  await term.sendKeys('q');
  await term.waitForText('Quit: stop the workers?', 10_000);
  const t0 = performance.now();
  await term.sendKeys('y');
  assert.equal(await term.waitForExit(15_000), 0);
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `q y to the shell prompt took ${ms.toFixed(0)} ms`);
  t.diagnostic(`q y to exit: ${ms.toFixed(0)} ms`);
  await nothingLeft(dir);
  const ev = await events(dir);
  const fault = ev.findIndex((e) => e.kind === 'fault');
  const kinds = ev.filter((e) => e.kind !== 'worker' && e.kind !== 'progress').map((e) => e.kind);
  assert.ok(fault > 0, `a fault event in events.jsonl: ${kinds.join(' ')}`);
  assert.deepEqual(ev.slice(fault).filter((e) => e.kind === 'worker-started'), [], 'nothing started after the kill');
  assert.ok(ev.some((e) => e.kind === 'round-cancelled'), `the round was cancelled: ${kinds.join(' ')}`);
  assert.ok(!ev.some((e) => e.kind === 'round-end'), 'not recorded as a round');
});

test('r 99999 Enter, then x y during round 1: the round is cancelled, the series stops, nothing restarts', { skip }, async (t) => {
  const { term, dir } = await console_(t);
  await term.waitForText(ready, 90_000);
  await term.sendKeys('r');
  await term.waitForText(/Run how many/, 10_000);
  await term.sendKeys('BSpace', 'BSpace', 'BSpace');
  await term.type('99999');
  await term.sendKeys('Enter');
  await term.waitForText(/round 1: SIGKILL \S+ \(pid/, 15_000);
  await term.sendKeys('x');
  await term.waitForText('Stop all workers?', 10_000);
  await term.sendKeys('y');
  const screen = await term.waitForText(/rounds stopped after 0 of 99999/, 20_000);
  assert.match(screen, /round 1 cancelled: stopped by the operator/);
  assert.doesNotMatch(screen, /FAILED/);
  // only the console and its etcd are left (its workers are gone)
  let left: string[] = [];
  await waitFor('no worker of this run', async () => (left = await leftovers(dir)).every((l) => /src\/bin\.mjs|etcd|esbuild/.test(l)), 15_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${left.join('; ')}`);
  });
  const ev = await events(dir).catch(() => [] as BenchEvent[]);
  const fault = ev.findIndex((e) => e.kind === 'fault');
  if (fault > 0) assert.deepEqual(ev.slice(fault).filter((e) => e.kind === 'worker-started'), [], 'nothing started after the kill');
  // no workers run now: q quits at once
  await term.sendKeys('q');
  assert.equal(await term.waitForExit(15_000), 0);
  await nothingLeft(dir);
});

test('Ctrl-C in the first second, while the embedded cluster starts: no data dir and no etcd left', { skip }, async (t) => {
  const { term, dir } = await console_(t);
  // as soon as the cluster's data dir exists
  await waitFor('the embedded cluster to start', async () => (await readdir(dir)).some((n) => n.startsWith('etcd-bench-')), 20_000, 5);
  await term.sendKeys('C-c');
  await term.waitForExit(20_000);
  await waitFor('the data dir to go', async () => !(await readdir(dir)).some((n) => n.startsWith('etcd-bench-')), 10_000);
  await nothingLeft(dir);
});

for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
  test(`${sig} to the console behaves like quit: the terminal comes back, nothing is left`, { skip }, async (t) => {
    const { term, dir } = await console_(t);
    await term.waitForText(ready, 90_000);
    const pid = await term.pid();
    const t0 = performance.now();
    process.kill(pid, sig);
    await term.waitForExit(15_000);
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `${sig} to exit took ${ms.toFixed(0)} ms`);
    await nothingLeft(dir);
    // the alternate screen was left: the shell's screen is back (the dashboard's key bar is gone)
    assert.doesNotMatch(await term.capture(), /q quit/);
  });
}
