/**
 * The pure half of the report: events -> timelines -> chart data -> HTML
 * text, on synthetic events (the real runs are in report.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldEvents } from '../../src/report/timeline.ts';
import { buildReportData, MAX_POINTS, timelineChart, type ReportData } from '../../src/report/model.ts';
import { renderReport, jsonForScript } from '../../src/report/html.ts';
import { valueHtml, distributionTable } from '../../src/report/tables.ts';
import { comparisonRows, ratio } from '../../src/report/compare.ts';
import { summarize } from '../../src/stats/distribution.ts';
import type { RunData } from '../../src/report/load.ts';
import type { ChartSpec } from '../../src/report/chart-spec.ts';
import { agents, configEvent, roundEvents, T0 } from './fixtures.ts';

function runFrom(events: ReturnType<typeof roundEvents>, config: Record<string, unknown> = { ttl: 2, refresh: 0.5, runId: 'synthetic-run' }): RunData {
  const f = foldEvents(events);
  const rounds = f.timelines.flatMap((t) => (t.result ? [t.result] : []));
  return {
    dir: '/nowhere',
    runId: 'synthetic-run',
    config,
    hosts: [],
    rounds,
    timelines: f.timelines,
    summary: summarize(rounds, f.timelines.flatMap((t) => t.notifyMs), f.timelines.flatMap((t) => t.regetMs), f.agentGetMs),
    summarySource: 'events',
    ok: null,
    errors: [],
    warnings: [],
    etcd: null,
    agentGetMs: f.agentGetMs,
    notes: [],
  };
}

const timelineOf = (c: ChartSpec) => {
  assert.equal(c.kind, 'timeline');
  return c as Extract<ChartSpec, { kind: 'timeline' }>;
};

describe('timeline fold', () => {
  it('Given a kill round, Then marks and per-agent samples are ms since the fault', () => {
    const ags = agents(4, ['h1', 'h2'], 1890);
    const f = foldEvents([configEvent(), ...roundEvents({ round: 1, tf: T0, old: 'm3', winner: 'm2', detect: 1914, elected: 1924, agents: ags })]);
    assert.equal(f.timelines.length, 1);
    const t = f.timelines[0];
    assert.equal(t.detectMs, 1914);
    assert.equal(t.electedMs, 1924);
    assert.equal(t.newMaster, 'm2');
    assert.deepEqual(t.notifyMs, ags.map((a) => a.notify));
    assert.deepEqual(t.regetMs, ags.map((a) => a.reget));
    assert.deepEqual(t.gotMs, ags.map((a) => a.notify + a.reget));
    assert.deepEqual(Object.keys(t.notifyByHost).sort(), ['h1', 'h2']);
    assert.equal(t.notifyByHost.h1.length, 2);
    assert.equal(f.config?.ttl, 2);
  });

  it("the old master's stepdown is the faulted process's, not its restarted standby's", () => {
    const ev = roundEvents({ round: 1, tf: T0, old: 'm3', winner: 'm2', detect: 1900, elected: 1910, agents: agents(2, ['h'], 1890) });
    // restored under the same id with a new pid, stopped at the end of the run
    // (before the round-end: the run model closes the round there)
    ev.splice(ev.length - 1, 0, { kind: 'worker', event: { t: T0 + 2600, tc: T0 + 2600, host: 'ctl', pid: 2, role: 'master', id: 'm3', ev: 'stepdown', reason: 'term' } });
    assert.equal(foldEvents(ev).timelines[0].stepdownMs, null);
    ev.splice(ev.length - 1, 0, { kind: 'worker', event: { t: T0 + 2700, tc: T0 + 2700, host: 'ctl', pid: 1, role: 'master', id: 'm3', ev: 'stepdown', reason: 'deadline' } });
    assert.equal(foldEvents(ev).timelines[0].stepdownMs, 2700);
  });

  it('a round cut off before its round-end keeps its marks from the events, with result null', () => {
    const ev = [
      ...roundEvents({ round: 1, tf: T0, old: 'm3', winner: 'm2', detect: 1900, elected: 1910, agents: agents(3, ['h'], 1890) }),
      ...roundEvents({ round: 2, tf: T0 + 5000, old: 'm2', winner: 'm1', detect: 2000, elected: 2012, agents: agents(3, ['h'], 1995), unfinished: true }),
    ];
    const f = foldEvents(ev);
    assert.equal(f.timelines.length, 2);
    assert.ok(f.timelines[0].result);
    assert.equal(f.timelines[1].result, null);
    assert.equal(f.timelines[1].detectMs, 2000);
    assert.equal(f.timelines[1].electedMs, 2012);
    assert.equal(f.timelines[1].notifyMs.length, 3);
  });
});

describe('report data', () => {
  it('draws the SIGKILL bound (T - R, T + 0.5 s + election] from the config (DESIGN §4)', () => {
    const run = runFrom(roundEvents({ round: 1, tf: T0, old: 'm3', winner: 'm2', detect: 1914, elected: 1924, agents: agents(5, ['h'], 1890) }), { ttl: 3, refresh: 1 });
    const c = timelineOf(timelineChart(run.timelines[0], run.config));
    assert.deepEqual(c.bands, [{ name: 'SIGKILL bound', x1: 2000, x2: 3510, lane: 0 }]);
    assert.deepEqual(c.rules.map((r) => [r.name, r.x]), [['fault', 0], ['expiry detected', 1914], ['new master elected', 1924]]);
    assert.ok(c.xDomain[0] <= 0 && c.xDomain[1] >= 3510);
  });

  it('pause: the dual-leader window and, from staleLeaderMs, the stale-leader window', () => {
    const ev = roundEvents({ round: 1, tf: T0, old: 'm3', winner: 'm2', detect: 1700, elected: 1710, stepdown: 3504, fault: 'pause', agents: agents(2, ['h'], 1690) });
    const end = ev[ev.length - 1] as Extract<(typeof ev)[number], { kind: 'round-end' }>;
    (end.result as unknown as { staleLeaderMs: number }).staleLeaderMs = 4;
    const run = runFrom(ev, { ttl: 2, refresh: 0.5, pauseMs: 3500 });
    const c = timelineOf(timelineChart(run.timelines[0], run.config));
    const byName = Object.fromEntries(c.bands.map((b) => [b.name, [b.x1, b.x2]]));
    assert.deepEqual(byName['dual-leader window'], [1710, 3504]);
    assert.deepEqual(byName['stale-leader window'], [3500, 3504]);
    assert.ok(c.rules.some((r) => r.name === 'old master stepdown' && r.x === 3504));
    assert.match(c.caption, /stale leader 4\.0 ms/);
  });

  it('Given 10,000 agents × 20 rounds, Then every CDF series has at most 500 points and the page data stays under 1 MB', () => {
    const ev = [configEvent()];
    for (let r = 1; r <= 20; r++) ev.push(...roundEvents({ round: r, tf: T0 + r * 10_000, old: 'm1', winner: 'm2', detect: 1900, elected: 1910, agents: agents(10_000, ['h1', 'h2', 'h3'], 1890) }));
    const data = buildReportData(runFrom(ev));
    const charts = data.sections.flatMap((s) => s.charts);
    assert.equal(charts.filter((c) => c.kind === 'timeline').length, 20);
    for (const c of charts) if (c.kind !== 'histogram' && c.kind !== 'bars') for (const s of c.series) assert.ok(s.x.length <= MAX_POINTS, `${c.id} ${s.name}: ${s.x.length} points`);
    const html = renderReport(data, '/* no script in this test */');
    assert.ok(html.length < 1_000_000, `${html.length} bytes without the script`);
  });

  it('escapes what it embeds: no run id or message can end the script or inject markup', () => {
    assert.equal(jsonForScript({ m: '</script><b>' }), '{"m":"\\u003c/script>\\u003cb>"}');
    const run = runFrom(roundEvents({ round: 1, tf: T0, old: '<m3>', winner: 'm2', detect: 1, elected: 2, agents: agents(1, ['h'], 1) }));
    const data: ReportData = { ...buildReportData(run), runId: '<img src=x>', errors: ['round 1: </script>'] };
    const html = renderReport(data, 'void 0');
    assert.ok(!html.includes('<img src=x>'));
    assert.equal(html.split('</script>').length - 1, 2, 'only the two script elements close');
    assert.match(html, /&#60;m3&#62;/);
  });
});

describe('tables', () => {
  it('renders any etcd object generically, distributions as distribution tables', () => {
    const etcd = { version: '3.4.23', members: [{ name: 'm1', leader: true }, { name: 'm2', leader: false }], metrics: { leaderChanges: { before: 1, after: 3 }, applyMs: { n: 2, min: 1, mean: 1.5, p50: 1, p95: 2, p99: 2, max: 2 } } };
    const html = valueHtml(etcd);
    for (const s of ['3.4.23', '<th>name</th>', '<th>leader</th>', 'leaderChanges', 'applyMs', '<th>p99</th>', '2.0 ms']) assert.ok(html.includes(s), s);
  });

  it('a summary table has one row per distribution', () => {
    const html = distributionTable({ failoverMs: { n: 2, min: 1900, mean: 1950, p50: 1900, p95: 2000, p99: 2000, max: 2000 }, note: 'x' });
    assert.equal(html.split('<tr>').length - 1, 2);
    assert.match(html, /failoverMs<\/td><td class="num">2<\/td><td class="num">1900 ms/);
  });
});

describe('compare rows', () => {
  it('each figure as value and ratio to the first run', () => {
    const a = runFrom(roundEvents({ round: 1, tf: T0, old: 'm1', winner: 'm2', detect: 1900, elected: 2000, agents: agents(3, ['h'], 1890) }));
    const b = runFrom(roundEvents({ round: 1, tf: T0, old: 'm1', winner: 'm2', detect: 2900, elected: 3000, agents: agents(3, ['h'], 2890) }));
    const rows = comparisonRows([a.summary, b.summary]);
    const p50 = rows.find((r) => r.figure === 'failover p50');
    assert.deepEqual(p50, { figure: 'failover p50', values: [2000, 3000], ratios: [null, 1.5] });
    assert.ok(!rows.some((r) => r.figure.startsWith('dual leader')), 'a figure no run has is left out');
    assert.equal(ratio(0, 5), null);
    assert.equal(ratio(null, 5), null);
  });
});
