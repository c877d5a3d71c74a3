/**
 * The console end to end, in a real terminal (tmux, CI unset): `src/bin.mjs`
 * on the embedded default (a local 3-member etcd, local masters and agents)
 * in a throw-away conf dir. It waits for a master and the agents, presses
 * `k` and confirms, sees the new master in the /master watch tail and a
 * summary row whose failover lies in the physical bound for T=2 s, R=0.5 s,
 * quits with `q` + `y`, and checks that no etcd or worker process is left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdPidsUnder } from '../helpers/etcd-cluster.ts';
import { startTmux } from '../helpers/tmux.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const T = 2000;
const R = 500;
const AGENTS = 20;

/** pids whose command line mentions any of the strings (our run's etcd URLs) */
async function pidsMentioning(needles: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (needles.some((n) => cmd.includes(n))) out.push(Number(d));
  }
  return out;
}

test('npm start: k + y fails over, the summary shows it, q + y leaves nothing running', { skip: !existsSync('/usr/bin/tmux') && 'tmux is not installed' }, async (t) => {
  // Given a fresh conf dir and its own temp dir (the embedded cluster's data dir lands there)
  const dir = await mkdtemp(join(tmpdir(), 'eeb-tui-e2e-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(root, 'conf'), join(dir, 'conf'), { recursive: true });
  const term = await startTmux({
    command: process.execPath,
    args: ['src/bin.mjs', '--conf', join(dir, 'conf'), '--out', join(dir, 'results'), '--agents', String(AGENTS), '--ttl', '2', '--refresh', '0.5'],
    cwd: root,
    env: { TMPDIR: dir, NO_COLOR: undefined, FORCE_COLOR: undefined },
    columns: 140,
    rows: 45,
  });
  t.after(() => term.kill());

  // When the console is up with a master and all agents on it
  const up = await term.waitForText(new RegExp(`^(?=[\\s\\S]*● \\S+\\s+master)(?=[\\s\\S]*${AGENTS}/${AGENTS}\\s+${AGENTS}\\b)`), 90_000);
  const endpoints = [...up.matchAll(/http:\/\/127\.0\.0\.1:\d+/g)].map((m) => m[0]);
  assert.ok(endpoints.length >= 3, `the header shows the embedded endpoints:\n${up}`);
  const oldMaster = /master (\S+)\n/.exec(up)?.[1];
  assert.ok(oldMaster && oldMaster !== 'none', `the header names the active master:\n${up}`);
  for (const panel of ['1 Hosts', '2 Masters', '4 Summary', '5 Log', 'q quit']) assert.ok(up.includes(panel), `${panel} is on screen`);

  // And k is pressed and confirmed
  await term.sendKeys('k');
  await term.waitForText('Kill the active master?', 10_000);
  await term.sendKeys('y');

  // Then a new master shows in the watch tail and the round's row has a failover time within the physical bound
  const row = /│\s*1\s+kill\s+(\S+) -> (\S+)\s+(\d+(?:\.\d)?)\s/;
  const done = await term.waitForText(row, 60_000);
  const [, from, to, ms] = row.exec(done)!;
  assert.equal(from, oldMaster);
  assert.notEqual(to, oldMaster);
  const failover = Number(ms);
  assert.ok(failover > T - R - 50 && failover < T + 700, `failover ${failover} ms within (${T - R - 50}, ${T + 700})`);
  assert.match(done, new RegExp(`PUT\\s+${to}\\s+rev \\d+\\s+\\+\\d+`), 'the watch tail shows the new master, timed from the fault');
  assert.match(done, new RegExp(`● ${to}\\s+master`));

  // When q is pressed with workers running, it asks; y stops them and quits
  await term.sendKeys('q');
  await term.waitForText('Quit: stop the workers?', 10_000);
  await term.sendKeys('y');
  assert.equal(await term.waitForExit(60_000), 0);

  // Then no etcd member and no worker of this run is left
  assert.deepEqual(await etcdPidsUnder(dir), [], 'etcd members');
  assert.deepEqual(await pidsMentioning(endpoints), [], 'processes using our cluster (workers, etcd)');
});
