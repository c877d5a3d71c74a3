/**
 * The lab against the real kernel (root, iproute2): a namespace reaches the
 * host over its veth link and nothing else, a cut link carries nothing until
 * it is healed, remove() leaves no namespace or link, the sweep removes what
 * a dead run left and keeps a live run's; without root the lab refuses in
 * one line. Pure parts (address picking) are checked without the kernel.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab } from '../../src/lab/lab.ts';
import { createVethNs, freeBlocks, labName, listLab, netnsUnavailable, sweepStale } from '../../src/lab/netns.ts';
import { ipv4ToInt, overlaps, parseNet, pickBlocks, usedNets } from '../../src/lab/addresses.ts';
import { ownerFile, runShort, writeOwner } from '../../src/lab/owner.ts';
import { existsSync } from 'node:fs';
import { inNs, labLeft, testRunId, withLab } from '../helpers/netns.ts';

/** a node one-liner run inside the namespace: connect to addr:port, print ok / timeout / the error code */
function connectScript(addr: string, port: number, timeoutMs: number): string[] {
  return [
    '-e',
    `const s=require('net').connect(${port},'${addr}',()=>{process.stdout.write('ok');s.destroy()});` +
      `s.setTimeout(${timeoutMs},()=>{process.stdout.write('timeout');process.exit(3)});` +
      `s.on('error',(e)=>{process.stdout.write(e.code||'error');process.exit(4)})`,
  ];
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer((c) => c.destroy());
    srv.once('error', reject);
    srv.listen(0, host, () => resolve(srv));
  });
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('network namespaces (real kernel)', () => {
  test('a namespace reaches the host side of its link, not the host loopback; a cut link carries nothing until healed', async (t) => {
    const lab = await withLab(t, 2);
    const [a, b] = lab.spaces;
    assert.match(a!.name, /^eeb-[0-9a-f]{8}-1$/);
    assert.ok(a!.name.length <= 15, 'a link name fits IFNAMSIZ');
    assert.notEqual(a!.hostAddr, b!.hostAddr);
    const srv = await listen(a!.hostAddr);
    const lo = await listen('127.0.0.1');
    t.after(() => {
      srv.close();
      lo.close();
    });
    // Given the link up, the namespace reaches the host side
    assert.equal((await inNs(a!.name, process.execPath, connectScript(a!.hostAddr, portOf(srv), 3000))).stdout, 'ok');
    // but not the host's loopback (its own 127.0.0.1 is another one)
    assert.notEqual((await inNs(a!.name, process.execPath, connectScript('127.0.0.1', portOf(lo), 1000))).stdout, 'ok');
    // When the link is cut
    const tCut = await lab.cut(a!.name);
    assert.ok(Math.abs(tCut - Date.now()) < 1000, 'cut returns the control time right after');
    // Then nothing gets through
    const cut = (await inNs(a!.name, process.execPath, connectScript(a!.hostAddr, portOf(srv), 1500))).stdout;
    assert.notEqual(cut, 'ok');
    t.diagnostic(`a connect over the cut link: ${cut}`);
    // the other namespace is not affected
    assert.equal((await inNs(b!.name, process.execPath, connectScript(a!.hostAddr, portOf(srv), 3000))).stdout, 'ENETUNREACH', "b has no route to a's /30");
    // When healed, it gets through again
    await lab.heal(a!.name);
    assert.equal((await inNs(a!.name, process.execPath, connectScript(a!.hostAddr, portOf(srv), 3000))).stdout, 'ok');
    // And remove() leaves nothing
    await lab.remove();
    assert.deepEqual(await labLeft(lab.runId), []);
    assert.equal(existsSync(ownerFile('/run/etcd-election-bench/netns', lab.short)), false, 'owner file removed');
  });

  test('the sweep removes what a dead run left (namespace and link) and keeps a live run\'s', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eeb-lab-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // a run that "crashed": its owner pid is a process that has exited
    const deadRun = testRunId();
    const dead = spawnSync('true');
    writeOwner(dir, runShort(deadRun), deadRun, dead.pid!);
    const deadName = labName(runShort(deadRun), 1);
    t.after(() => spawnSync('ip', ['-batch', '-', '-force'], { input: `link del ${deadName}\nnetns del ${deadName}\n` }));
    const [block] = await freeBlocks(1);
    await createVethNs(deadName, block!);
    // a run with no owner file at all (it died before writing one is impossible; a foreign leftover)
    const orphanRun = testRunId();
    const orphanName = labName(runShort(orphanRun), 1);
    t.after(() => spawnSync('ip', ['-batch', '-', '-force'], { input: `link del ${orphanName}\nnetns del ${orphanName}\n` }));
    const [block2] = await freeBlocks(1);
    await createVethNs(orphanName, block2!);
    // a live run: this process
    const live = await NetnsLab.create(testRunId(), 1, { dir });
    t.after(() => live.remove());
    // When the sweep runs
    const removed = await sweepStale(dir);
    // Then the dead and the orphan are gone, the live one is there
    assert.ok(removed.includes(deadName) && removed.includes(orphanName), `removed ${removed.join(', ')}`);
    const { namespaces, links } = await listLab();
    for (const n of [deadName, orphanName]) {
      assert.ok(!namespaces.includes(n), `namespace ${n} gone`);
      assert.ok(!links.includes(n), `link ${n} gone`);
    }
    assert.ok(namespaces.includes(live.spaces[0]!.name), 'the live run keeps its namespace');
    assert.equal(existsSync(ownerFile(dir, runShort(deadRun))), false, "the dead run's owner file is gone");
  });

  test('without root the lab refuses, in one line naming what is missing', async () => {
    const why = netnsUnavailable({ uid: () => 1000, ip: () => '/usr/sbin/ip' });
    assert.equal(why, 'network namespaces need root (running as uid 1000)');
    assert.match(netnsUnavailable({ uid: () => 0, ip: () => null })!, /need iproute2 \(`ip` is not on PATH/);
    assert.equal(netnsUnavailable(), null, 'the test machine (CI) runs as root with iproute2');
  });
});

describe('lab addresses (pure)', () => {
  test('blocks are /30s inside 198.18.0.0/15, distinct, never overlapping what the machine has', () => {
    const used = [parseNet('198.18.0.0/16')!, parseNet('192.0.2.0/24')!];
    const blocks = pickBlocks(50, used);
    assert.equal(new Set(blocks.map((b) => b.cidr)).size, 50);
    for (const b of blocks) {
      const net = parseNet(b.cidr)!;
      assert.equal(net.bits, 30);
      assert.ok(overlaps(net, parseNet('198.18.0.0/15')!));
      assert.ok(!used.some((u) => overlaps(u, net)), b.cidr);
      assert.equal(ipv4ToInt(b.host), net.base + 1);
      assert.equal(ipv4ToInt(b.ns), net.base + 2);
    }
  });

  test('used networks come from ip -j addr and route output; non-IPv4 and default are ignored', () => {
    const addr = '[{"ifname":"eth0","addr_info":[{"local":"192.0.2.2","prefixlen":24}]}]';
    const route = '[{"dst":"default"},{"dst":"198.19.0.0/16"},{"dst":"fe80::/64"},{"dst":"127.0.0.1"}]';
    assert.deepEqual(usedNets(addr, route), [parseNet('192.0.2.0/24'), parseNet('198.19.0.0/16'), parseNet('127.0.0.1/32')]);
    assert.deepEqual(usedNets('', ''), []);
    // the whole bench block taken: an error, not a loop
    assert.throws(() => pickBlocks(1, [parseNet('198.18.0.0/15')!]), /no free \/30/);
  });
});
