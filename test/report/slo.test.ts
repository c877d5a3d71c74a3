/**
 * The --assert gate, pure: expressions parsed (bad ones are a UsageError
 * naming them), figures read from a run's rounds and summary, verdicts and
 * the one line per broken assertion.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokenLine, evaluate, parseAssertion, parseAssertions } from '../../src/report/slo.ts';
import { summarize } from '../../src/stats/distribution.ts';
import type { RoundResult } from '../../src/events.ts';

function round(n: number, failoverMs: number, ok = true, lost = 0): RoundResult {
  const empty = { n: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
  return {
    round: n,
    fault: 'kill',
    faultAt: 1,
    oldMaster: 'm1',
    newMaster: 'm2',
    failoverMs,
    detectMs: failoverMs - 10,
    electionMs: 10,
    dualLeaderMs: null,
    staleLeaderMs: null,
    agents: { count: 3, notified: 3, lost, notifyMs: empty, regetMs: empty },
    outcome: 'failover',
    ok,
    ...(ok ? {} : { error: 'no new master was elected' }),
  };
}

const rounds = [round(1, 1900), round(2, 2711.3, true, 2), round(3, 2100, false, 1)];
const run = { rounds, summary: summarize(rounds, [100, 200, 4000], [3, 4], []) };

describe('parseAssertion', () => {
  it('reads metric, statistic, operator and number, with or without spaces and a trailing ms', () => {
    assert.deepEqual(parseAssertion('failover.p99<2600'), { expr: 'failover.p99<2600', metric: 'failover', stat: 'p99', op: '<', limit: 2600 });
    assert.deepEqual(parseAssertion(' notify.max <= 5000 ms '), { expr: 'notify.max <= 5000 ms', metric: 'notify', stat: 'max', op: '<=', limit: 5000 });
    assert.deepEqual(parseAssertion('lost=0'), { expr: 'lost=0', metric: 'lost', stat: null, op: '=', limit: 0 });
    assert.equal(parseAssertion('failed==0').op, '=');
    assert.equal(parseAssertion('rounds>=3').op, '>=');
    assert.equal(parseAssertion('reget.n!=0').op, '!=');
    assert.equal(parseAssertion('dualLeader.mean>1.5e2').limit, 150);
  });

  it('a bad expression is a UsageError (exit 2) that names it and says what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['failover.p99<<2600', /--assert "failover\.p99<<2600": expected METRIC OP NUMBER/],
      ['failover<2600', /name a statistic of failover: failover\.p50, failover\.p95/],
      ['failover.p42<2600', /unknown statistic "p42"/],
      ['latency.p99<2600', /unknown metric "latency" \(one of failover, detect, election, dualLeader, staleLeader, notify, reget, get, rounds, failed, lost\)/],
      ['lost.max=0', /lost is a count: no statistic/],
      ['failover.p99<fast', /expected METRIC OP NUMBER/],
      ['', /expected METRIC OP NUMBER/],
    ];
    for (const [expr, re] of bad) {
      assert.throws(() => parseAssertion(expr), (e: Error & { exitCode?: number }) => e.name === 'UsageError' && e.exitCode === 2 && re.test(e.message), expr);
    }
    assert.throws(() => parseAssertions(['lost=0', 'nope<1']), /unknown metric "nope"/);
  });
});

describe('evaluate', () => {
  it('reads distributions from the summary and counts from the rounds', () => {
    const v = evaluate(parseAssertions(['failover.p99<2600', 'failover.min<2000', 'notify.max<5000', 'notify.n=3', 'rounds=3', 'failed=0', 'lost=0', 'lost<=2']), run);
    assert.deepEqual(
      v.map((x) => [x.expr, x.value, x.ok]),
      [
        ['failover.p99<2600', 2711.3, false],
        ['failover.min<2000', 1900, true],
        ['notify.max<5000', 4000, true],
        ['notify.n=3', 3, true],
        ['rounds=3', 3, true],
        ['failed=0', 1, false],
        ['lost=0', 2, false],
        ['lost<=2', 2, true],
      ],
    );
  });

  it('a figure with no sample has no value and breaks the assertion (a gate does not pass on nothing)', () => {
    const [dual, n] = evaluate(parseAssertions(['dualLeader.max<100', 'dualLeader.n=0']), run);
    assert.deepEqual(dual, { expr: 'dualLeader.max<100', value: null, ok: false });
    assert.deepEqual(n, { expr: 'dualLeader.n=0', value: 0, ok: true });
  });

  it('one line per broken assertion, value and wanted bound, ms only for times', () => {
    const as = parseAssertions(['failover.p99<2600', 'lost=0', 'dualLeader.max<100', 'notify.n>10']);
    const lines = evaluate(as, run).map((v, i) => (v.ok ? null : brokenLine(as[i], v)));
    assert.deepEqual(lines, [
      'assert failed: failover.p99 = 2711.3 ms, wanted < 2600',
      'assert failed: lost = 2, wanted = 0',
      'assert failed: dualLeader.max = none (no sample), wanted < 100',
      'assert failed: notify.n = 3, wanted > 10',
    ]);
  });
});
