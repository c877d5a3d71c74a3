/**
 * Every panel on its own, fed plain props (ink-testing-library), Given / When / Then.
 */
import './no-ci.ts';
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { hostRows, initialState, reduceAll, ringToArray, type LogLine } from '../../src/store/index.ts';
import { Header } from '../../views/Header.tsx';
import { HostsPanel } from '../../views/HostsPanel.tsx';
import { MasterWatchPanel } from '../../views/MasterWatchPanel.tsx';
import { FailoverPanel } from '../../views/FailoverPanel.tsx';
import { SummaryPanel } from '../../views/SummaryPanel.tsx';
import { EventLogPanel, logWindow, scrollLog } from '../../views/EventLogPanel.tsx';
import { KeyBar, keyBarText } from '../../views/KeyBar.tsx';
import { HelpOverlay } from '../../views/HelpOverlay.tsx';
import { StatusLine } from '../../views/StatusLine.tsx';
import { ProgressLines } from '../../views/ProgressLines.tsx';
import { KEYS } from '../../views/keys.ts';
import { ThemeContext } from '../../views/theme.ts';
import { T0, agentsUp, clusterUp, config, failover, fault, mastersUp, roundEnd, roundResult } from '../store/fixtures.ts';
import { frame } from './helpers.ts';

afterEach(cleanup);

const tf = T0 + 40000;
const BASE = [config(), ...clusterUp(), ...mastersUp(), ...agentsUp(200), ...agentsUp(100, T0 + 30, 'agent-2', 300)];
const base = reduceAll(initialState(), BASE);
/** the base run, then `more` (each test its own run model: a state is folded forward, not branched) */
const fromBase = (more: Parameters<typeof reduceAll>[1]) => reduceAll(initialState(), [...BASE, ...more]);

describe('Header', () => {
  test('shows run, backend, T/R, master path, active master, etcd state, leader, revision and endpoints', () => {
    const app = render(<Header config={base.config} cluster={base.cluster} activeMaster="m1" width={100} />);
    const f = frame(app);
    for (const s of ['run run-1', 'backend v3-lease', 'T=2s R=0.5s', '/master', 'master m1', 'etcd up', 'leader m1', 'rev 6', 'http://127.0.0.1:2379']) assert.ok(f.includes(s), `missing ${s}:\n${f}`);
  });
  test('before anything is known it says so', () => {
    const s = initialState();
    const f = frame(render(<Header config={s.config} cluster={s.cluster} activeMaster={null} width={100} />));
    assert.match(f, /run —/);
    assert.match(f, /master none/);
    assert.match(f, /etcd unknown/);
  });
});

describe('HostsPanel', () => {
  test('one row per host: roles, transport, state, pids, agents up/total, clock', () => {
    const app = render(<HostsPanel hosts={hostRows(base)} width={100} height={8} />);
    const f = frame(app);
    assert.match(f, /1 Hosts \(3\)/);
    assert.match(f, /localhost\s+master\s+local\s+up\s+101,102/);
    assert.match(f, /agent-1\s+agent\s+ssh\s+up\s+200\s+200\/200\s+200\s+\+3\.2±0\.4/);
    assert.match(f, /agent-2\s+agent\s+ssh\s+up\s+300\s+100\/100/);
  });
  test('an unreachable host is counted in the title and shown red', () => {
    const s = fromBase([{ kind: 'host', host: 'root@10.0.0.9', roles: ['agent'], transport: 'ssh', state: 'unreachable', message: 'ETIMEDOUT', t: T0 }]);
    const app = render(<HostsPanel hosts={hostRows(s)} width={100} height={9} />);
    assert.match(frame(app), /4, 1 unreachable/);
    assert.match(app.lastFrame()!, /\u001B\[31munreachable/);
  });
  test('a narrow panel leaves columns out instead of wrapping', () => {
    const f = frame(render(<HostsPanel hosts={hostRows(base)} width={40} height={8} />));
    for (const line of f.split('\n')) assert.ok(line.length <= 40, line);
    assert.match(f, /agent-1/);
    assert.ok(!f.includes('via'), 'the transport column leaves first');
  });
  test('scrolls when there are more hosts than lines', () => {
    const f = frame(render(<HostsPanel hosts={hostRows(base)} width={100} height={4} scroll={2} />));
    assert.match(f, /agent-2/);
    assert.ok(!f.includes('localhost'));
    assert.match(f, /3-3/);
  });
  test('no hosts yet', () => {
    assert.match(frame(render(<HostsPanel hosts={[]} width={60} height={4} />)), /no hosts yet/);
  });
});

describe('MasterWatchPanel', () => {
  test('masters with their state, and the watch tail with time since the fault', () => {
    const s = fromBase([...fault(tf), ...failover(tf, 0)]);
    const app = render(
      <MasterWatchPanel masters={s.masters} activeMaster={s.activeMaster} watch={s.watch} masterPath="/master" faultAt={tf} width={70} height={10} />,
    );
    const f = frame(app);
    assert.match(f, /● m2\s+master\s+pid 102\s+localhost/);
    assert.match(f, /✕ m1\s+dead\s+pid 101/);
    assert.match(f, /DELETE\s+rev 7\s+\+1689 ms/);
    assert.match(f, /PUT\s+m2\s+rev 8\s+\+1713 ms/);
    assert.match(app.lastFrame()!, /\u001B\[32m● m2/, 'the master is green');
    assert.match(app.lastFrame()!, /\u001B\[31m✕ m1/, 'the dead one red');
  });
  test('a candidate is yellow; with no masters it says how to start them', () => {
    const app = render(<MasterWatchPanel masters={base.masters} activeMaster="m1" watch={[]} masterPath="/master" faultAt={null} width={70} height={8} />);
    assert.match(app.lastFrame()!, /\u001B\[33m○ m2/);
    assert.match(frame(render(<MasterWatchPanel masters={[]} activeMaster={null} watch={[]} masterPath="/master" faultAt={null} width={60} height={6} />)), /no masters yet: press s/);
  });
});

describe('FailoverPanel (live re-detection)', () => {
  test('fills per agent host as agents learn the new master, with elapsed ms since the fault', () => {
    // Given 200 + 100 agents and a SIGKILL
    const s0 = fromBase(fault(tf));
    const f0 = frame(render(<FailoverPanel failover={s0.failover} now={tf + 800} width={100} height={9} />));
    assert.match(f0, /SIGKILL m1 \(pid 101 on localhost\) · \+800 ms · detecting/);
    assert.match(f0, /agent-1 .*0\/200 know new master/);
    // When m2 is elected and 150 of agent-1's agents re-got it
    const s1 = reduceAll(s0, failover(tf, 200, 150));
    const f1 = frame(render(<FailoverPanel failover={s1.failover} now={tf + 1800} width={100} height={9} />));
    // Then
    assert.match(f1, /\+1800 ms · re-detecting/);
    assert.match(f1, /detect \+1690 ms · m2 elected \+1712 ms · election 22\.0 ms/);
    assert.match(f1, /agent-1 █+[▏▎▍▌▋▊▉]?░+ 150\/200 know m2 · 200 notified/);
    assert.match(f1, /agent-2 ░+ +0\/100 know m2/);
    assert.match(f1, /all .* 150\/300 know m2/);
  });
  test('complete: the elapsed time stops at the last agent', () => {
    const s = fromBase([...fault(tf), ...failover(tf, 200), ...failover(tf, 100, 100, 'agent-2', 300).slice(4)]);
    const f = frame(render(<FailoverPanel failover={s.failover} now={tf + 99999} width={100} height={9} />));
    assert.match(f, /\+1721 ms · complete/);
    assert.match(f, /all .*300\/300 know m2/);
  });
  test('no failover yet', () => {
    assert.match(frame(render(<FailoverPanel failover={null} now={0} width={80} height={3} />)), /no failover yet/);
  });
});

describe('SummaryPanel', () => {
  const rounds = [roundResult(1, 1597.3), roundResult(2, 1695.1), roundResult(3, 1792.8)];
  test('a row per round: fault, old -> new, failover, detect, election, notify p50/p99/max, re-get p99, agents', () => {
    const f = frame(render(<SummaryPanel rounds={rounds} width={100} height={16} />));
    assert.match(f, /4 Summary \(3 rounds\)/);
    assert.match(f, /#\s+fault\s+old -> new\s+failover\s+detect\s+election\s+notify p50\s+p99\s+max\s+re-get p99\s+agents/);
    assert.match(f, /1\s+kill\s+m1 -> m2\s+1597\s+1575\s+22\.0\s+1587\s+1615\s+1620\s+4\.1\s+200\/200/);
    assert.match(f, /3\s+kill\s+m1 -> m2\s+1793/);
  });
  test('distributions over rounds with a sparkline, and a histogram when there is room', () => {
    const many = Array.from({ length: 12 }, (_, i) => roundResult(i + 1, 1500 + ((i * 37) % 300)));
    const f = frame(render(<SummaryPanel rounds={many} width={100} height={40} />));
    assert.match(f, /over 12 rounds\s+n\s+min\s+mean\s+p50\s+p95\s+p99\s+max/);
    assert.match(f, /failover ms\s+12\s+1500/);
    assert.match(f, /[▁▂▃▄▅▆▇█]{12}/);
    assert.match(f, /failover histogram/);
    assert.match(f, /1500-\d+ █+/);
  });
  test('a failed round is shown as failed', () => {
    const f = frame(render(<SummaryPanel rounds={[...rounds, roundResult(4, 0, { ok: false, failoverMs: null, error: 'no new master' })]} width={120} height={16} />));
    assert.match(f, /1 failed/);
    assert.match(f, /FAILED: no new master/);
  });
  test('no rounds yet', () => {
    assert.match(frame(render(<SummaryPanel rounds={[]} width={80} height={4} />)), /no rounds yet/);
  });
  test("with the session's summary: every agent of every round, not the rounds' own percentiles", () => {
    const d = (n: number, min: number, p50: number, p99: number, max: number) => ({ n, min, mean: p50, p50, p95: p99, p99, max });
    const summary = {
      failoverMs: d(3, 1597.3, 1695.1, 1792.8, 1792.8),
      detectMs: d(3, 1575, 1673, 1770, 1770),
      electionMs: d(3, 22, 22, 22, 22),
      dualLeaderMs: d(0, 0, 0, 0, 0),
      staleLeaderMs: d(0, 0, 0, 0, 0),
      agentNotifyMs: d(600, 1500, 1688, 1811, 1816),
      agentRegetMs: d(600, 1.2, 3.3, 9.9, 12.5),
      agentGetMs: d(200, 80, 120, 300, 310),
    };
    const f = frame(render(<SummaryPanel rounds={rounds} summary={summary} width={100} height={20} />));
    assert.match(f, /agent notify ms\s+600\s+1500\s+1688\s+1688\s+1811\s+1811\s+1816/);
    assert.match(f, /agent re-get ms\s+600\s+1\.2\s+3\.3\s+3\.3\s+9\.9\s+9\.9\s+12\.5/);
    assert.doesNotMatch(f, /notify p99 ms/);
  });
});

describe('EventLogPanel', () => {
  const lines: LogLine[] = ringToArray(fromBase([...fault(tf), ...failover(tf, 10)]).log);
  test('shows the newest lines, coloured by level', () => {
    const app = render(<EventLogPanel lines={lines} filter="" view={{ follow: true, anchor: null }} width={100} height={6} />);
    const f = frame(app);
    assert.match(f, /follow/);
    assert.match(f, /PUT \/master = m2 rev 8/);
    assert.ok(!f.includes('run run-1'), 'old lines are above');
  });
  test('a filter narrows the lines', () => {
    const f = frame(render(<EventLogPanel lines={lines} filter="elected" view={{ follow: true, anchor: null }} width={100} height={10} />));
    assert.match(f, /filter "elected": 2\//);
    assert.match(f, /m1\s+elected master at rev 6/);
    assert.match(f, /m2\s+elected master at rev 8/);
    assert.ok(!f.includes('SIGKILL'));
  });
  test('editing shows the filter prompt', () => {
    assert.match(frame(render(<EventLogPanel lines={lines} filter="sig" editing view={{ follow: true, anchor: null }} width={100} height={10} />)), /\/ sig .*Enter keeps · Esc clears/);
  });
  test('scrolling up pauses at an anchor; scrolling back down follows again', () => {
    const v1 = scrollLog(lines, { follow: true, anchor: null }, 3, 4);
    assert.equal(v1.follow, false);
    const w = logWindow(lines, v1, 4);
    assert.equal(w.below, 3);
    assert.equal(w.rows[3].seq, lines[lines.length - 4].seq);
    assert.deepEqual(scrollLog(lines, v1, -3, 4), { follow: true, anchor: null });
    const f = frame(render(<EventLogPanel lines={lines} filter="" view={v1} width={100} height={6} />));
    assert.match(f, /paused, 3 newer below/);
  });
});

describe('KeyBar, HelpOverlay, StatusLine, ProgressLines', () => {
  test('the key bar lists the keys with labels when there is room', () => {
    const items = keyBarText('normal', 200);
    assert.deepEqual(items, KEYS.filter((k) => k.bar).map((k) => [k.key, k.bar]));
    const f = frame(render(<KeyBar width={100} />));
    assert.match(f, /^s masters {2}a agents {2}k kill {2}t term/);
    assert.ok(f.length <= 100);
  });
  test('a narrow key bar keeps every key and the labels of help and quit', () => {
    const f = frame(render(<KeyBar width={60} />));
    assert.match(f, /\? help/);
    assert.match(f, /q quit/);
    for (const k of ['s', 'a', 'k', 't', 'p', 'r', 'x', 'c', 'e', 'f', '/']) assert.ok(f.includes(k));
  });
  test('in a dialog the key bar says how to answer', () => {
    assert.match(frame(render(<KeyBar mode="dialog" width={80} />)), /y confirm\s+any other key cancel/);
  });
  test('the help explains every key', () => {
    const f = frame(render(<HelpOverlay width={160} height={30} />));
    for (const k of KEYS) assert.ok(f.includes(k.key) && f.includes(k.help.slice(0, 40)), k.key);
  });
  test('the status line shows running actions and the last outcome', () => {
    const f = frame(render(<StatusLine busy={['kill']} message={{ level: 'error', text: 'export failed: EACCES' }} errors={2} />));
    assert.match(f, /kill…/);
    assert.match(f, /✕ export failed: EACCES/);
    assert.match(f, /2 errors in the log/);
  });
  test('long steps show a bar with N/M and the time so far', () => {
    const f = frame(render(<ProgressLines items={[{ step: 'agents up', done: 150, total: 200, startedAt: T0, t: T0, finished: false }]} now={T0 + 1234} width={80} />));
    assert.match(f, /agents up .*█+.* 150\/200 {2}1\.2 s/);
  });
});

describe('NO_COLOR', () => {
  test('with color=false no colour escape is written', () => {
    const s = fromBase([...fault(tf), ...failover(tf, 200, 150), roundEnd(roundResult(1, 1712))]);
    const tree = (color: boolean) => (
      <ThemeContext.Provider value={{ color }}>
        <Header config={s.config} cluster={s.cluster} activeMaster={s.activeMaster} width={100} />
        <HostsPanel hosts={hostRows(s)} width={100} height={8} focused />
        <MasterWatchPanel masters={s.masters} activeMaster={s.activeMaster} watch={s.watch} masterPath="/master" faultAt={tf} width={70} height={10} />
        <FailoverPanel failover={s.failover} now={tf + 1800} width={100} height={9} />
        <KeyBar width={100} />
      </ThemeContext.Provider>
    );
    // eslint-disable-next-line no-control-regex -- looking for SGR colour codes (30-37, 90-97, 38;x)
    const colour = /\u001B\[(3[0-8]|9[0-7])[;m]/;
    assert.match(render(tree(true)).lastFrame()!, colour, 'colours are there normally');
    assert.doesNotMatch(render(tree(false)).lastFrame()!, colour);
  });
});
