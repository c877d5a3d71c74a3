/**
 * The process table: /proc read for a real worker this test starts itself
 * (`node <bundle> clock`, found by `stop`'s localWorkers and by a predicate),
 * `alive` through its life and after, and the one `ps -eo pid=,args=` parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { workerBundle } from '../../src/fleet/bundle.ts';
import { alive, cmdline, findProcesses, findProcessesSync, parseCmdline, parsePs, rssKiB, statState } from '../../src/fleet/process-table.ts';
import { localWorkers } from '../../src/fleet/stop-workers.ts';
import { waitFor } from '../helpers/etcd-cluster.ts';

test('a worker started here is in the table with its argv, counted by localWorkers, and not alive once it ended', async (t) => {
  const bundle = await workerBundle();
  const child = spawn(process.execPath, [bundle.path, 'clock', '--host', 'process-table-test'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const pid = child.pid!;
  // the clock worker answers a ping once it runs
  child.stdin.write(JSON.stringify({ cmd: 'ping', seq: 1 }) + '\n');
  await once(child.stdout, 'data');

  assert.equal(alive(pid), true);
  assert.deepEqual((await cmdline(pid)).slice(1, 3), [bundle.path, 'clock']);
  assert.ok(((await rssKiB(pid)) ?? 0) > 1000, 'a node process has more than 1 MiB resident');
  const mine = (argv: string[]) => argv.includes('process-table-test');
  assert.deepEqual((await findProcesses(mine)).map((p) => p.pid), [pid]);
  assert.deepEqual(findProcessesSync(mine).map((p) => p.pid), [pid]);
  assert.deepEqual(localWorkers().filter((w) => w.pid === pid), [{ pid, kind: 'clock' }]);

  child.stdin.end(); // a worker leaves when its stdin closes
  await once(child, 'exit');
  await waitFor('the worker gone from /proc', () => !alive(pid));
  assert.deepEqual(await cmdline(pid), []);
  assert.equal(await rssKiB(pid), null);
  assert.equal(localWorkers().some((w) => w.pid === pid), false);
});

test('alive: a zombie (exited, not yet reaped) is not alive', async (t) => {
  // sh exits at once; its parent (a sleeping sh) never reaps it while it sleeps
  const parent = spawn('/bin/sh', ['-c', 'sh -c "exit 0" & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => parent.kill('SIGKILL'));
  const [line] = (await once(parent.stdout, 'data')) as [Buffer];
  const zombie = Number(line.toString().trim());
  await waitFor('the child to become a zombie', async () => {
    try {
      const { readFile } = await import('node:fs/promises');
      return statState(await readFile(`/proc/${zombie}/stat`, 'utf8')) === 'Z';
    } catch {
      return false;
    }
  });
  assert.equal(alive(zombie), false);
  assert.deepEqual(await cmdline(zombie), []);
});

test('parseCmdline and statState read the /proc formats', () => {
  assert.deepEqual(parseCmdline('/usr/bin/etcd\0--name=m1\0\0--x\0'), ['/usr/bin/etcd', '--name=m1', '', '--x']);
  assert.deepEqual(parseCmdline(''), []);
  assert.equal(statState('4242 (etcd) S 1 4242 4242 0 -1'), 'S');
  assert.equal(statState('77 (a) b (c)) Z 1 2'), 'Z');
});

test('parsePs: one row per `PID ARGS` line, padding and blank lines ignored', () => {
  const text = [
    '    1 /sbin/init',
    '  4242 node /root/.cache/etcd-election-bench/worker-3f2a9c1b.mjs agents 100 --id h2',
    '',
    ' 99999 [kworker/0:1-events]',
    'garbage',
  ].join('\n');
  assert.deepEqual(parsePs(text), [
    { pid: 1, args: '/sbin/init', argv: ['/sbin/init'] },
    {
      pid: 4242,
      args: 'node /root/.cache/etcd-election-bench/worker-3f2a9c1b.mjs agents 100 --id h2',
      argv: ['node', '/root/.cache/etcd-election-bench/worker-3f2a9c1b.mjs', 'agents', '100', '--id', 'h2'],
    },
    { pid: 99999, args: '[kworker/0:1-events]', argv: ['[kworker/0:1-events]'] },
  ]);
});
