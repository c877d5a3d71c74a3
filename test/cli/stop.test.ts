/**
 * `stop` finds the benchmark's workers by their command line and stops
 * them, whoever started them: agents only, then with --masters the masters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { join } from 'node:path';
import { LocalHost } from '../../src/fleet/local-host.ts';
import type { WorkerHandle } from '../../src/fleet/host.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');

test('stop stops agents; stop --masters stops masters too', async (t) => {
  const host = new LocalHost();
  t.after(() => host.close());
  // no etcd behind this endpoint: the workers keep retrying, alive until stopped
  const common = ['--endpoints', 'http://127.0.0.1:9', '--ttl', '2', '--refresh', '0.5'];
  let exited = 0;
  const started = (h: WorkerHandle) => (void h.exited.then(() => exited++), h);
  const agents = started(await host.startWorker({ role: 'agent', id: 'stop-test', args: ['agents', '2', ...common, '--id', 'stop-test'] }, () => {}));
  const master = started(await host.startWorker({ role: 'master', id: 'stop-test-m1', args: ['master', ...common, '--id', 'stop-test-m1'] }, () => {}));

  const r1 = await execa(process.execPath, [bin, 'stop'], { reject: false, timeout: 60_000 });
  assert.equal(r1.exitCode, 0, r1.stderr);
  assert.match(r1.stdout, /localhost: stopped \d+ worker\(s\)/);
  await agents.exited;
  assert.equal(exited, 1, 'only the agents stopped');

  const r2 = await execa(process.execPath, [bin, 'stop', '--masters'], { reject: false, timeout: 60_000 });
  assert.equal(r2.exitCode, 0, r2.stderr);
  await master.exited;
  assert.equal(exited, 2);
});
