/**
 * Reading a results dir back: summary.json when it covers every round, else
 * the last round-end's summary, else rebuilt from events; torn lines skipped.
 * Files are written by the test from synthetic events (real runs: report.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../../src/report/load.ts';
import { summarize } from '../../src/stats/distribution.ts';
import type { BenchEvent, RoundResult } from '../../src/events.ts';
import { agents, configEvent, roundEvents, T0 } from './fixtures.ts';

function resultsDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'eeb-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** two rounds; each round-end carries the summary so far, as the session sends it */
function twoRounds(): { events: BenchEvent[]; rounds: RoundResult[] } {
  const events: BenchEvent[] = [configEvent()];
  const rounds: RoundResult[] = [];
  for (const r of [1, 2]) {
    const ev = roundEvents({ round: r, tf: T0 + r * 10_000, old: 'm1', winner: 'm2', detect: 1900 + r, elected: 1910 + r, agents: agents(5, ['h'], 1890) });
    const end = ev[ev.length - 1] as Extract<BenchEvent, { kind: 'round-end' }>;
    rounds.push(end.result);
    end.summary = summarize(rounds, [], [], []);
    events.push(...ev);
  }
  return { events, rounds };
}

const jsonl = (events: BenchEvent[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('loadRun', () => {
  it('Given a current summary.json, Then its figures, ok and etcd object are used as they are', async (t) => {
    const dir = resultsDir(t);
    const { events, rounds } = twoRounds();
    writeFileSync(join(dir, 'events.jsonl'), jsonl(events));
    const summary = summarize(rounds, [1, 2, 3], [], []);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ config: { runId: 'r1', ttl: 2 }, hosts: [], rounds, summary, ok: true, errors: [], warnings: ['w1'], etcd: { version: '3.4.23' } }));
    const run = await loadRun(dir);
    assert.equal(run.summarySource, 'summary.json');
    assert.deepEqual(run.summary, summary);
    assert.equal(run.ok, true);
    assert.deepEqual(run.warnings, ['w1']);
    assert.deepEqual(run.etcd, { version: '3.4.23' });
    assert.equal(run.runId, 'r1');
    assert.deepEqual(run.notes, []);
  });

  it('Given a stale summary.json (1 of 2 rounds), Then the last round-end summary, and a note saying so', async (t) => {
    const dir = resultsDir(t);
    const { events, rounds } = twoRounds();
    writeFileSync(join(dir, 'events.jsonl'), jsonl(events));
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ config: { runId: 'r1' }, rounds: rounds.slice(0, 1), summary: summarize(rounds.slice(0, 1), [], [], []), ok: true, errors: [] }));
    const run = await loadRun(dir);
    assert.equal(run.rounds.length, 2);
    assert.equal(run.summarySource, 'round-end');
    assert.equal(run.summary.failoverMs.n, 2);
    assert.equal(run.ok, null);
    assert.ok(run.notes.some((n) => /covers 1 of 2 rounds/.test(n)), run.notes.join('; '));
  });

  it('Given events.jsonl alone with a torn last line and round-ends without summaries, Then figures are rebuilt from the samples', async (t) => {
    const dir = resultsDir(t);
    const { events } = twoRounds();
    for (const e of events) if (e.kind === 'round-end') delete e.summary;
    const text = jsonl(events);
    writeFileSync(join(dir, 'events.jsonl'), text + text.split('\n')[3].slice(0, 20));
    const run = await loadRun(dir);
    assert.equal(run.summarySource, 'events');
    assert.equal(run.summary.agentNotifyMs.n, 10);
    assert.equal(run.summary.failoverMs.n, 2);
    assert.equal(run.config.backend, 'v3-lease', 'from the config event');
    assert.ok(run.notes.some((n) => /1 torn line/.test(n)));
  });

  it('a dir with neither file: a ConfigError naming the dir', async (t) => {
    const dir = resultsDir(t);
    await assert.rejects(loadRun(dir), (e: Error) => e.name === 'ConfigError' && e.message.startsWith(dir));
  });
});
