/**
 * `summary DIR`: the summary of a results directory. It reads summary.json,
 * or, when a run died before writing it, rebuilds the rounds from the
 * round-end events in events.jsonl.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Distribution, RoundResult } from '../events.ts';
import { summarize } from '../stats/distribution.ts';
import { readEvents } from './results.ts';

const f = (n: number | null | undefined) => (n == null ? '—' : n < 100 ? n.toFixed(1) : n.toFixed(0));

export function formatDistributionRow(name: string, d: Distribution): string {
  return `${name.padEnd(16)} ${String(d.n).padStart(6)} ${[d.min, d.mean, d.p50, d.p95, d.p99, d.max].map((x) => f(x).padStart(8)).join(' ')}`;
}

export function formatRoundRow(r: RoundResult): string {
  return [
    String(r.round).padStart(5),
    r.fault.padEnd(11),
    `${r.oldMaster ?? '—'} -> ${r.newMaster ?? '—'}`.padEnd(28),
    f(r.failoverMs).padStart(9),
    f(r.detectMs).padStart(9),
    f(r.electionMs).padStart(9),
    `${r.agents.notified}/${r.agents.count}`.padStart(11),
    f(r.agents.notifyMs.p99).padStart(9),
    r.ok ? 'ok' : `FAILED: ${r.error ?? ''}`,
  ].join(' ');
}

export function summaryCommand(dir: string, opts: { json?: string } = {}): number {
  if (!existsSync(dir)) throw new ConfigError(`no such results directory: ${dir}`);
  let rounds: RoundResult[];
  let report: { summary?: ReturnType<typeof summarize>; ok?: boolean } = {};
  const summaryFile = join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    report = JSON.parse(readFileSync(summaryFile, 'utf8'));
    rounds = (report as { rounds?: RoundResult[] }).rounds ?? [];
  } else if (existsSync(join(dir, 'events.jsonl'))) {
    rounds = readEvents(dir).flatMap((e) => (e.kind === 'round-end' ? [e.result] : []));
  } else throw new ConfigError(`${dir}: neither summary.json nor events.jsonl is there`);
  // without summary.json only the rounds' own figures are there: no per-agent samples
  const summary = report.summary ?? summarize(rounds, [], [], []);
  if (opts.json !== undefined) {
    const json = JSON.stringify({ rounds, summary }, null, 2) + '\n';
    if (opts.json === '-' || opts.json === '') process.stdout.write(json);
    else writeFileSync(opts.json, json);
    return 0;
  }
  const out: string[] = [];
  out.push(`${dir}: ${rounds.length} round(s), ${rounds.filter((r) => r.ok).length} ok`);
  out.push(`${'round'.padStart(5)} ${'fault'.padEnd(11)} ${'old -> new master'.padEnd(28)} ${'failover'.padStart(9)} ${'detect'.padStart(9)} ${'election'.padStart(9)} ${'notified'.padStart(11)} ${'ntfy p99'.padStart(9)}`);
  for (const r of rounds) out.push(formatRoundRow(r));
  out.push('');
  out.push(`${'ms'.padEnd(16)} ${'n'.padStart(6)} ${['min', 'mean', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join(' ')}`);
  const rows: [string, Distribution][] = [
    ['failover', summary.failoverMs],
    ['detect', summary.detectMs],
    ['election', summary.electionMs],
    ['dual leader', summary.dualLeaderMs],
    ['agent notify', summary.agentNotifyMs],
    ['agent re-get', summary.agentRegetMs],
    ['agent get', summary.agentGetMs],
  ];
  for (const [n, d] of rows) if (d && d.n > 0) out.push(formatDistributionRow(n, d));
  if (!report.summary) out.push(`(rebuilt from events.jsonl: agent distributions per round only: ${rounds.map((r) => `p99 ${f(r.agents.notifyMs.p99)}`).join(', ')})`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
