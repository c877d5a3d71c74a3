/**
 * Figures on screen stay true after a round (issue 8 E): the failover panel
 * of a finished round shows where it ended, not "+0.0 ms"; a later election
 * does not rewrite a failed round; watch lines after a round are not timed
 * from its fault; the summary does not mix fault kinds.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { initialState, reduceAll } from '../../src/store/index.ts';
import type { BenchEvent } from '../../src/events.ts';
import { FailoverPanel } from '../../views/FailoverPanel.tsx';
import { MasterWatchPanel } from '../../views/MasterWatchPanel.tsx';
import { SummaryPanel } from '../../views/SummaryPanel.tsx';
import { T0, agentsUp, failover, fault, mastersUp, roundEnd, roundResult, worker } from '../store/fixtures.ts';
import { frame } from './helpers.ts';

afterEach(cleanup);

const tf = T0 + 40_000;
const run = (events: BenchEvent[]) => reduceAll(initialState(), [...mastersUp(), ...agentsUp(10), ...events]);

describe('the failover panel after its round', () => {
  test('a failed round shows "failed" and the time until it ended, and a later election does not change it', () => {
    // Given a kill round that timed out with no new master
    const failed = roundResult(1, 0, { faultAt: tf, ok: false, error: 'no new master was elected', failoverMs: null, newMaster: null });
    let s = run([...fault(tf), roundEnd(failed, tf + 30_000)]);
    let f = frame(render(<FailoverPanel failover={s.failover} now={tf + 99_999} width={100} height={8} />));
    // Then the panel says it failed, timed to its end, not "+0.0 ms"
    assert.match(f, /\+30000 ms · failed/);
    assert.doesNotMatch(f, /\+0\.0 ms/);
    // When a master is elected later, outside any round
    s = reduceAll(s, [worker({ id: 'm2', pid: 102, ev: 'elected', rev: '30' }, tf + 40_000)]);
    f = frame(render(<FailoverPanel failover={s.failover} now={tf + 99_999} width={100} height={8} />));
    // Then the finished round still has no new master
    assert.match(f, /no new master yet/);
    assert.doesNotMatch(f, /m2 elected/);
    assert.equal(s.activeMaster, 'm2', 'the model knows the new master all the same');
  });

  test('a complete round stops its clock at the last agent and says so', () => {
    const s = run([...fault(tf), ...failover(tf, 10), roundEnd(roundResult(1, 1712, { faultAt: tf }), tf + 2500)]);
    const f = frame(render(<FailoverPanel failover={s.failover} now={tf + 99_999} width={100} height={8} />));
    assert.match(f, /\+1721 ms · complete · failover 1712 ms/);
  });
});

describe('watch lines are timed from the fault only within its round', () => {
  test('a PUT after the round ended shows no "+ms"', () => {
    const s = run([
      ...fault(tf),
      ...failover(tf, 10),
      roundEnd(roundResult(1, 1712, { faultAt: tf }), tf + 2500),
      { kind: 'watch', line: { type: 'DELETE', value: null, prev: 'm2', rev: '40', t: tf + 42_000 } },
      { kind: 'watch', line: { type: 'PUT', value: 'm1', rev: '41', t: tf + 42_773 } },
    ]);
    const f = frame(render(<MasterWatchPanel masters={s.masters} activeMaster={s.activeMaster} watch={s.watch} masterPath="/master" faultAt={s.failover!.tf} faultUntil={s.failover!.endedAt} width={80} height={12} />));
    assert.match(f, /PUT\s+m2\s+rev 8\s+\+1713 ms/, 'the round\'s own lines are timed');
    assert.match(f, /PUT\s+m1\s+rev 41\s*│/);
    assert.doesNotMatch(f, /\+42773 ms/);
  });
});

describe('the summary groups distributions by fault', () => {
  test('a kill of 2014 ms and a term of 15.6 ms are two distributions, not a mean of 1015', () => {
    const rounds = [roundResult(1, 2014), roundResult(2, 15.6, { fault: 'term', detectMs: 10, electionMs: 5.6 })];
    const f = frame(render(<SummaryPanel rounds={rounds} summary={null} width={120} height={16} />));
    assert.match(f, /failover ms kill\s+1\s+2014\s+2014/);
    assert.match(f, /failover ms term\s+1\s+15\.6\s+15\.6/);
    assert.doesNotMatch(f, /1015/);
  });

  test('one fault kind: the rows are as before', () => {
    const rounds = [roundResult(1, 2014), roundResult(2, 2100)];
    const f = frame(render(<SummaryPanel rounds={rounds} summary={null} width={120} height={16} />));
    assert.match(f, /failover ms\s+2\s+2014/);
  });
});

describe('where a failover went', () => {
  test("a finished kill round's panel shows its split", () => {
    const split = { leaseRemainingMs: 1698, expiryLagMs: 252, detectionMs: 3, electionMs: 17 };
    const s = run([...fault(tf), ...failover(tf, 10), roundEnd(roundResult(1, 1970, { faultAt: tf, split }), tf + 2500)]);
    const f = frame(render(<FailoverPanel failover={s.failover} now={tf + 99_999} width={120} height={9} />));
    assert.match(f, /where it went: lease left 1698 ms · etcd expiry lag 252 ms · detection 3\.0 ms · election 17\.0 ms/);
  });
});
