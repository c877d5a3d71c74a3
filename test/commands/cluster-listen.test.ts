/**
 * `cluster start --embedded-listen ADDR`: the members' client ports also
 * listen on ADDR (recorded in the state file, shown by status); a run that
 * reuses the cluster with --embedded-listen on an address it does not listen
 * on is refused in one line (a running etcd cannot add one), as is a second
 * `cluster start` asking for another address. ADDR is a loopback alias
 * (127.0.0.2): nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../../src/cli.ts';
import { etcdPidsUnder } from '../../src/cluster/embedded.ts';
import { readState } from '../../src/cluster/state.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Transport } from '../../src/etcd/transport.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { Session } from '../../src/run/session.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand('cluster', argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, '');
  return { code, out, err };
}

describe('cluster start --embedded-listen', () => {
  let stateDir: string;
  const savedEnv = process.env.ETCD_BENCH_STATE_DIR;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'etcd-bench-state-'));
    process.env.ETCD_BENCH_STATE_DIR = stateDir;
  });

  after(async () => {
    const state = await readState().catch(() => null);
    await run('stop').catch(() => {});
    if (state) {
      for (const pid of await etcdPidsUnder(state.dataDir)) process.kill(pid, 'SIGKILL');
      await rm(state.dataDir, { recursive: true, force: true });
    }
    await rm(stateDir, { recursive: true, force: true });
    if (savedEnv === undefined) delete process.env.ETCD_BENCH_STATE_DIR;
    else process.env.ETCD_BENCH_STATE_DIR = savedEnv;
  });

  test('the members answer on ADDR too; the state file and status say so', async () => {
    const r = await run('start', '--embedded-listen', '127.0.0.2');
    assert.equal(r.code, 0, r.err.join('\n'));
    const state = (await readState())!;
    assert.deepEqual(state.listen, ['127.0.0.2']);
    const there = state.endpoints.map((e) => e.replace('127.0.0.1', '127.0.0.2'));
    const st = await new EtcdV3(new Transport(there)).status();
    assert.ok(st.leader, 'a member answers on 127.0.0.2');
    const status = await run('status');
    assert.match(status.out.join('\n'), /client ports also listen on 127\.0\.0\.2/);
  });

  test('cluster start asking for another address while it runs: refused, one line', async () => {
    const r = await run('start', '--embedded-listen', '127.0.0.3');
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0]!, /does not listen on 127\.0\.0\.3, and a running etcd cannot add an address: `cluster stop` first$/);
  });

  test('a run reusing it with --embedded-listen it lacks: refused (exit 2) naming the flag; with the address it has: it starts', async (t) => {
    const out = await mkdtemp(join(tmpdir(), 'eeb-listen-results-'));
    const other = Session.create(loadConfig(undefined, { endpoints: 'embedded', embeddedListen: '127.0.0.3', out, agents: 0 }));
    await assert.rejects(other.start(), (e: Error & { exitCode?: number }) => {
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, '--embedded-listen: the cluster `cluster start` left running does not listen on 127.0.0.3: `cluster stop` it, or `cluster start --embedded-listen 127.0.0.3`');
      return true;
    });
    const same = Session.create(loadConfig(undefined, { endpoints: 'embedded', embeddedListen: '127.0.0.2', out, agents: 0 }));
    t.after(async () => {
      await same.close();
      await rm(out, { recursive: true, force: true });
    });
    await same.start();
    assert.deepEqual(same.endpoints, (await readState())!.endpoints);
  });
});
