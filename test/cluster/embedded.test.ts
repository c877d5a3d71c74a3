/**
 * The embedded cluster against real etcd 3.4 processes: start, health, the
 * v3 JSON gateway and v2 keys, raft leader failover and rejoin, teardown.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { etcdPidsUnder, startCluster } from '../../src/cluster/embedded.ts';
import { startTestCluster, waitFor, withEtcdCluster, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function call(url: string, body: string, contentType = 'application/json', method = 'POST'): Promise<{ status: number; json: any }> {
  const res = await request(url, { method, body, headers: { 'content-type': contentType }, reset: true, headersTimeout: 5000, bodyTimeout: 5000 });
  return { status: res.statusCode, json: await res.body.json() };
}

async function alive(pid: number): Promise<boolean> {
  return stat(`/proc/${pid}`).then(
    () => true,
    () => false,
  );
}

describe('embedded 3-member cluster', () => {
  let etcd: EmbeddedCluster;
  let startMs = 0;

  before(async () => {
    const t0 = performance.now();
    etcd = await startTestCluster();
    startMs = performance.now() - t0;
  });
  after(() => etcd?.stop());

  test('starts 3 healthy members with one raft leader', async (t) => {
    t.diagnostic(`cluster start took ${Math.round(startMs)} ms`);
    assert.equal(etcd.members.length, 3);
    assert.deepEqual(
      etcd.members.map((m) => m.name),
      ['m1', 'm2', 'm3'],
    );
    assert.deepEqual(etcd.endpoints, etcd.members.map((m) => m.clientUrl));
    for (const m of etcd.members) assert.match(m.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(new Set(etcd.members.flatMap((m) => [m.clientUrl, m.peerUrl])).size, 6, 'distinct ports');
    const st = await etcd.status();
    assert.deepEqual(
      st.members.map((m) => m.up),
      [true, true, true],
    );
    assert.ok(st.leader, 'a leader');
    assert.equal(st.members.filter((m) => m.leader).length, 1);
    assert.ok(st.revision);
    const leader = await etcd.leader();
    assert.equal(leader?.name, st.leader);
  });

  test('v3 put on one member, range on another (JSON gateway)', async () => {
    const put = await call(`${etcd.endpoints[0]}/v3/kv/put`, JSON.stringify({ key: b64('/bench/k'), value: b64('v1') }));
    assert.equal(put.status, 200);
    const rev = BigInt(put.json.header.revision);
    const range = await call(`${etcd.endpoints[2]}/v3/kv/range`, JSON.stringify({ key: b64('/bench/k') }));
    assert.equal(range.status, 200);
    assert.equal(Buffer.from(range.json.kvs[0].value, 'base64').toString(), 'v1');
    assert.ok(BigInt((await etcd.status()).revision!) >= rev);
  });

  test('v2 keys are enabled', async () => {
    const put = await call(`${etcd.endpoints[1]}/v2/keys/x`, 'value=1', 'application/x-www-form-urlencoded', 'PUT');
    assert.ok(put.status === 200 || put.status === 201, `status ${put.status}`);
    assert.equal(put.json.node.value, '1');
    const res = await request(`${etcd.endpoints[0]}/v2/keys/x`, { reset: true });
    const got = (await res.body.json()) as { node: { value: string } };
    assert.equal(got.node.value, '1');
  });

  test('killing the raft leader elects another; the restarted member rejoins', async () => {
    const old = await etcd.leader();
    assert.ok(old);
    const oldPid = old.pid;
    await etcd.killMember(old.name);
    assert.equal(await alive(oldPid), false, 'killed member is gone');
    assert.equal((await etcd.status()).members.find((m) => m.name === old.name)?.up, false);

    const next = await waitFor('a new raft leader', async () => {
      const l = await etcd.leader();
      return l && l.name !== old.name ? l : null;
    });
    assert.ok(['m1', 'm2', 'm3'].filter((n) => n !== old.name).includes(next.name));

    await etcd.restartMember(old.name);
    assert.notEqual(old.pid, oldPid, 'new pid recorded');
    const st = await waitFor('3 members up with a leader', async () => {
      const s = await etcd.status();
      return s.members.every((m) => m.up) && s.leader ? s : null;
    });
    assert.equal(st.members.length, 3);
    // the data survived the restart
    const range = await call(`${old.clientUrl}/v3/kv/range`, JSON.stringify({ key: b64('/bench/k') }));
    assert.equal(Buffer.from(range.json.kvs[0].value, 'base64').toString(), 'v1');
  });

  test('stop() leaves no etcd process and no data dir', async () => {
    const pids = etcd.members.map((m) => m.pid);
    assert.deepEqual((await etcdPidsUnder(etcd.dataDir)).sort(), [...pids].sort());
    await etcd.stop();
    assert.deepEqual(await etcdPidsUnder(etcd.dataDir), []);
    for (const pid of pids) assert.equal(await alive(pid), false, `pid ${pid} gone`);
    await assert.rejects(stat(etcd.dataDir), /ENOENT/);
    await etcd.stop(); // idempotent
  });
});

describe('failed starts leave nothing behind', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'etcd-bench-test-'));
  });
  after(async () => {
    // safety net should a test fail half-way
    for (const pid of await etcdPidsUnder(root)) process.kill(pid, 'SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  test('a member that cannot start fails the start with its log tail', async () => {
    const dataDir = join(root, 'bad');
    await assert.rejects(startCluster({ dataDir, extraArgs: ['--no-such-flag'] }), (e: Error) => {
      assert.match(e.message, /exited during start/);
      assert.match(e.message, /m\d\.log/);
      assert.match(e.message, /no-such-flag/);
      return true;
    });
    assert.deepEqual(await etcdPidsUnder(dataDir), []);
  });

  test('aborting the start stops the members', async () => {
    const dataDir = join(root, 'aborted');
    const ac = new AbortController();
    // abort as soon as a member has logged: running, but not yet healthy
    const started = startCluster({ dataDir, signal: ac.signal, onLog: () => ac.abort(new Error('test abort')) });
    await assert.rejects(started, /aborted/);
    assert.deepEqual(await etcdPidsUnder(dataDir), []);
  });
});

describe('test helper withEtcdCluster', () => {
  let dataDir = '';
  test('gives a cluster (here 1 member) for the length of a test', async (t) => {
    const etcd = await withEtcdCluster(t, { members: 1 });
    dataDir = etcd.dataDir;
    assert.equal((await etcd.status()).leader, 'm1');
    assert.equal((await etcdPidsUnder(dataDir)).length, 1);
  });
  test('and stops it when that test ends', async () => {
    assert.ok(dataDir);
    assert.deepEqual(await etcdPidsUnder(dataDir), []);
    await assert.rejects(stat(dataDir), /ENOENT/);
  });
});
