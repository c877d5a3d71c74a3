/**
 * How a real `run` ends (real etcd, the real CLI): the summary table on
 * stderr, report.html, summary.json with what determined the numbers (etcd
 * version per member, metric deltas, the raft leader per round) and where
 * the HdrHistograms are; `--assert` gates (exit 1 with one line per broken
 * assertion, exit 2 for a bad expression before anything starts);
 * `--progress ndjson`; and a SIGINT mid-run that keeps round 1 (exit 130).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, waitFor, type EmbeddedCluster } from '../helpers/etcd-cluster.ts';
import { decodeHistogram } from '../../src/stats/hdr.ts';

const bin = join(import.meta.dirname, '..', '..', 'src', 'bin.mjs');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, timeout: 120_000, env: { CI: 'true' } });

describe('run: the end of a run', () => {
  let etcd: EmbeddedCluster;
  let dir: string;
  before(async () => {
    etcd = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'eeb-cli-end-'));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = (out: string) => ['run', '--endpoints', etcd.endpoints.join(','), '--out', join(dir, out), '--rounds', '1', '--agents', '3'];

  test('Given assertions that hold, Then exit 0, the summary table, report.html and summary.json with etcd facts and the histograms', async () => {
    const json = join(dir, 'ok.json');
    const r = await cli([...base('ok'), '--json', json, '--assert', 'failover.p99<60000', '--assert', 'notify.max < 60000', '--assert', 'lost=0', '--assert', 'rounds=1']);
    assert.equal(r.exitCode, 0, r.stderr);
    const o = JSON.parse(readFileSync(json, 'utf8'));
    const runDir = join(dir, 'ok', o.config.runId);
    // the table: what happened, and where to look
    const lines = r.stderr.trim().split('\n');
    const table = lines.slice(-5);
    assert.match(table[0], /^rounds {4}1 ok, 0 failed$/);
    assert.match(table[1], /^failover {2}p50 \d+ ms {3}p99 \d+ ms$/);
    assert.match(table[2], /^notify {4}p99 \d+(\.\d)? ms$/);
    assert.equal(table[3], `results   ${runDir}`);
    assert.equal(table[4], `report    ${join(runDir, 'report.html')}`);
    assert.ok(existsSync(join(runDir, 'report.html')));
    // the JSON and summary.json carry the verdicts
    assert.deepEqual(o.asserts.map((a: { expr: string; ok: boolean }) => [a.expr, a.ok]), [['failover.p99<60000', true], ['notify.max < 60000', true], ['lost=0', true], ['rounds=1', true]]);
    assert.equal(o.asserts[0].value, o.summary.failoverMs.p99);
    assert.ok(!('etcd' in o), 'the --json contract is unchanged: etcd facts are in summary.json');
    const s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.deepEqual(s.asserts, o.asserts);
    // what determined the numbers: every member's version, the run's metric deltas, the raft leader of the round
    assert.equal(s.etcd.version, '3.4.23');
    assert.deepEqual(s.etcd.members.map((m: { clientUrl: string; version: string }) => [m.clientUrl, m.version]), etcd.endpoints.map((e) => [e, '3.4.23']));
    assert.equal(s.etcd.raft.heartbeatMs, null, 'external endpoints: raft settings unknown');
    const expired = s.etcd.metrics.etcd_debugging_server_lease_expired_total;
    assert.ok(expired.delta >= 1, `the killed master's lease expired: ${JSON.stringify(expired)}`);
    assert.equal(s.etcd.metrics.etcd_server_leader_changes_seen_total.delta, 0, 'no raft leader change in a master kill');
    assert.equal(s.etcd.members.filter((m: { leaderAtStart: boolean }) => m.leaderAtStart).length, 1);
    assert.equal(typeof s.rounds[0].raftLeader, 'string');
    assert.ok(s.rounds[0].raftLeader.length > 0);
    // the HdrHistograms: named in summary.json, beside it, the same samples as the summary
    assert.equal(s.histograms.file, 'histograms.json');
    assert.equal(s.histograms.unit, 'us');
    const h = JSON.parse(readFileSync(join(runDir, s.histograms.file), 'utf8'));
    assert.equal(decodeHistogram(h.histograms['all/agentNotifyMs']).totalCount, s.summary.agentNotifyMs.n);
    assert.equal(decodeHistogram(h.histograms['all/failoverMs']).totalCount, 1);
  });

  test('Given an assertion that cannot hold, Then exit 1 with one line for it; the results and the JSON are still written', async () => {
    const json = join(dir, 'broken.json');
    const r = await cli([...base('broken'), '--json', json, '--assert', 'failover.p99<1', '--assert', 'lost=0']);
    assert.equal(r.exitCode, 1, r.stderr);
    const o = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(o.ok, true, 'the benchmark itself was fine');
    const p99 = o.summary.failoverMs.p99 as number;
    const broken = r.stderr.split('\n').filter((l) => l.startsWith('assert failed'));
    assert.deepEqual(broken, [`assert failed: failover.p99 = ${p99.toFixed(1)} ms, wanted < 1`]);
    assert.deepEqual(o.asserts, [{ expr: 'failover.p99<1', value: p99, ok: false }, { expr: 'lost=0', value: 0, ok: true }]);
    const s = JSON.parse(readFileSync(join(dir, 'broken', o.config.runId, 'summary.json'), 'utf8'));
    assert.equal(s.asserts[0].ok, false);
  });

  test('Given a bad --assert expression, Then exit 2 naming it, before anything starts', async () => {
    const t0 = performance.now();
    const r = await cli([...base('bad'), '--assert', 'lost=0', '--assert', 'failover.p99<<2600']);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^etcd-election-bench: --assert "failover\.p99<<2600": expected METRIC OP NUMBER/);
    assert.ok(!existsSync(join(dir, 'bad')), 'nothing was started or written');
    assert.ok(performance.now() - t0 < 10_000);
  });

  test('Given --progress ndjson and SIGINT after round 1 of 50, Then JSON lines on stderr, exit 130, and round 1 in the JSON and summary.json', async () => {
    const json = join(dir, 'int.json');
    const args = ['run', '--endpoints', etcd.endpoints.join(','), '--out', join(dir, 'int'), '--rounds', '50', '--agents', '3', '--progress', 'ndjson', '--json', json];
    const p = execa(process.execPath, [bin, ...args], { reject: false, timeout: 120_000, env: { CI: 'true' } });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const parsed = () => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    await waitFor('round 1 to end', () => parsed().some((l) => l.type === 'round-end'), 90_000);
    p.kill('SIGINT');
    const r = await p;
    assert.equal(r.exitCode, 130, stderr);
    // every line is JSON: round 1's story, then the end
    const lines = stderr.trim().split('\n');
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), l);
    const types = parsed().map((l) => l.type);
    for (const t of ['elected', 'round-start', 'fault', 'round-end', 'end']) assert.ok(types.includes(t), `${t} in ${types.join(',')}`);
    assert.ok(types.indexOf('round-start') < types.indexOf('fault') && types.indexOf('fault') < types.indexOf('round-end'));
    const roundEnd = parsed().find((l) => l.type === 'round-end') as unknown as { result: { round: number; failoverMs: number } };
    assert.equal(roundEnd.result.round, 1);
    const end = parsed().at(-1) as { type: string; stopped: string; rounds: number; report: string };
    assert.equal(end.type, 'end');
    assert.equal(end.stopped, 'stopped by SIGINT');
    assert.ok(existsSync(end.report), 'the report of the completed rounds');
    // the completed rounds are kept
    const o = JSON.parse(readFileSync(json, 'utf8'));
    const ended = o.rounds.filter((x: { ok: boolean }) => x.ok);
    assert.ok(ended.length >= 1 && o.rounds[0].round === 1 && o.rounds[0].failoverMs === roundEnd.result.failoverMs);
    const runDir = join(dir, 'int', o.config.runId);
    const s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.equal(s.rounds[0].round, 1);
    assert.equal(s.summary.failoverMs.n, o.rounds.filter((x: { failoverMs: number | null }) => x.failoverMs !== null).length);
    assert.deepEqual(readdirSync(join(dir, 'int')), [o.config.runId]);
  });
});
