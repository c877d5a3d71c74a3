/**
 * A candidate whose every endpoint refuses connections (members down, not
 * hung: each try fails in a millisecond) backs off with full jitter instead
 * of retrying every 100 ms, and emits the error once for the whole run of
 * failures, not once per retry. In-process candidates of each backend
 * against real closed loopback ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { waitFor } from '../helpers/etcd-cluster.ts';
import { electionTransport } from '../../src/etcd/transport.ts';
import { MemberHealth } from '../../src/etcd/health.ts';
import { EtcdV3 } from '../../src/etcd/v3.ts';
import { EtcdV2 } from '../../src/etcd/v2.ts';
import { V3LeaseMaster } from '../../src/election/v3-lease.ts';
import { V2TtlMaster } from '../../src/election/v2-ttl.ts';
import { V3ElectionMaster } from '../../src/election/v3-election.ts';
import { BACKENDS, type WorkerEventName } from '../../src/events.ts';
import type { ElectionSettings, Master } from '../../src/election/types.ts';
import { now } from '../../src/clock.ts';

/** Loopback ports nobody listens on (bound, then closed). */
async function closedPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    ports.push((srv.address() as { port: number }).port);
    await new Promise((r) => srv.close(r));
  }
  return ports;
}

const CAMPAIGNS = 12;

for (const backend of BACKENDS) {
  test(`${backend}: with every endpoint refusing, campaigns back off and the error is emitted once`, async (t) => {
    const endpoints = (await closedPorts(3)).map((p) => `http://127.0.0.1:${p}`);
    const s: ElectionSettings = { endpoints, backend, ttl: 2, refresh: 0.5, masterPath: '/m', egoKey: '/ego', egoSize: 16, seedKeys: false };
    const events: { ev: WorkerEventName; t: number; message?: unknown }[] = [];
    const emit = (ev: WorkerEventName, f?: Record<string, unknown>) => events.push({ ev, t: now(), message: f?.message });
    const transport = electionTransport(endpoints, s.ttl, { health: new MemberHealth() });
    const master: Master =
      backend === 'v2-ttl'
        ? new V2TtlMaster(new EtcdV2(transport), s, 'c1', emit, null)
        : backend === 'v3-election'
          ? new V3ElectionMaster(new EtcdV3(transport), s, 'c1', emit, null)
          : new V3LeaseMaster(new EtcdV3(transport), s, 'c1', emit, null);
    const ac = new AbortController();
    const running = master.run(ac.signal);
    t.after(async () => {
      ac.abort();
      await running;
    });

    // When it has tried CAMPAIGNS times
    await waitFor(`${CAMPAIGNS} campaigns`, () => events.filter((e) => e.ev === 'campaign').length >= CAMPAIGNS, 60_000);
    const campaigns = events.filter((e) => e.ev === 'campaign');
    const span = campaigns[CAMPAIGNS - 1].t - campaigns[0].t;
    const errors = events.filter((e) => e.ev === 'error');
    // Then one error for the whole run (the next would come after 10 s)
    assert.equal(errors.length, 1, errors.map((e) => e.message).join(' | '));
    assert.match(String(errors[0].message), /no endpoint answered/);
    // ... and the waits grew: fixed 100 ms sleeps would take 1.1 s for 11 gaps; full jitter
    // under ceilings 100, 200, ... 2000 ms takes ~7.5 s on average, under 1.5 s with p < 1e-4
    assert.ok(span > 1500, `${CAMPAIGNS} campaigns in ${span.toFixed(0)} ms`);
    t.diagnostic(`${CAMPAIGNS} campaigns over ${span.toFixed(0)} ms, ${errors.length} error event`);
  });
}
