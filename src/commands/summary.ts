/**
 * `summary DIR`: the summary of a results directory. It reads summary.json;
 * when the run died before writing it (or it is older than the events),
 * the run model is folded again from events.jsonl, which keeps every
 * completed round and the summary the last round-end carried.
 *
 *   results/20261125-153012-4f2a: 5 round(s), 5 ok
 *   round fault       old -> new master              failover    detect  election    notified  ntfy p99
 *       1 kill        local-m1 -> local-m2               2142      2119      23.1     200/200      2236
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../errors.ts';
import type { Distribution, RoundResult, RunSummary } from '../events.ts';
import { RunModel } from '../model/run-model.ts';
import { runSummary } from '../model/select.ts';
import { readEvents } from '../run/results.ts';
import { outputFlag, parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

const f = (n: number | null | undefined) => (n == null ? '—' : n < 100 ? n.toFixed(1) : n.toFixed(0));

export function formatDistributionRow(name: string, d: Distribution): string {
  return `${name.padEnd(16)} ${String(d.n).padStart(6)} ${[d.min, d.mean, d.p50, d.p95, d.p99, d.max].map((x) => f(x).padStart(8)).join(' ')}`;
}

export function formatRoundRow(r: RoundResult): string {
  return [
    String(r.round).padStart(5),
    r.fault.padEnd(11),
    (r.outcome === 'none' ? `${r.oldMaster ?? '—'} kept its lease` : `${r.oldMaster ?? '—'} -> ${r.newMaster ?? '—'}`).padEnd(28),
    f(r.failoverMs).padStart(9),
    f(r.detectMs).padStart(9),
    f(r.electionMs).padStart(9),
    `${r.agents.notified}/${r.agents.count}`.padStart(11),
    f(r.agents.notifyMs.p99).padStart(9),
    r.ok ? 'ok' : `FAILED: ${r.error ?? ''}`,
  ].join(' ');
}

export interface ResultsRead {
  rounds: RoundResult[];
  summary: RunSummary;
  warnings: string[];
  /** rebuilt from events.jsonl (summary.json missing) */
  rebuilt: boolean;
}

/** A results dir's rounds and summary: summary.json, or the run model folded from events.jsonl. */
export function readResults(dir: string): ResultsRead {
  if (!existsSync(dir)) throw new ConfigError(`no such results directory: ${dir}`);
  const summaryFile = join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const report = JSON.parse(readFileSync(summaryFile, 'utf8')) as { rounds?: RoundResult[]; summary?: RunSummary; warnings?: string[] };
    const rounds = report.rounds ?? [];
    if (report.summary) return { rounds, summary: report.summary, warnings: report.warnings ?? [], rebuilt: false };
  }
  if (!existsSync(join(dir, 'events.jsonl'))) throw new ConfigError(`${dir}: neither summary.json nor events.jsonl is there`);
  const m = new RunModel();
  for (const e of readEvents(dir)) m.apply(e);
  return { rounds: m.rounds, summary: runSummary(m), warnings: m.warnings, rebuilt: true };
}

export function formatSummary(dir: string, r: ResultsRead): string {
  const { rounds, summary } = r;
  const out: string[] = [];
  out.push(`${dir}: ${rounds.length} round(s), ${rounds.filter((x) => x.ok).length} ok${r.rebuilt ? ' (rebuilt from events.jsonl)' : ''}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(`${'round'.padStart(5)} ${'fault'.padEnd(11)} ${'old -> new master'.padEnd(28)} ${'failover'.padStart(9)} ${'detect'.padStart(9)} ${'election'.padStart(9)} ${'notified'.padStart(11)} ${'ntfy p99'.padStart(9)}`);
  for (const x of rounds) out.push(formatRoundRow(x));
  out.push('');
  out.push(`${'ms'.padEnd(16)} ${'n'.padStart(6)} ${['min', 'mean', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join(' ')}`);
  const rows: [string, Distribution | undefined][] = [
    ['failover', summary.failoverMs],
    ['detect', summary.detectMs],
    ['election', summary.electionMs],
    ['dual leader', summary.dualLeaderMs],
    ['stale leader', summary.staleLeaderMs],
    ['agent notify', summary.agentNotifyMs],
    ['agent re-get', summary.agentRegetMs],
    ['agent get', summary.agentGetMs],
  ];
  for (const [n, d] of rows) if (d && d.n > 0) out.push(formatDistributionRow(n, d));
  return out.join('\n') + '\n';
}

export const USAGE = 'usage: etcd-election-bench summary DIR [--json FILE|-]';

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'summary');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const dir = positionals[0];
  if (!dir) throw new UsageError('summary: expected a results directory, e.g. results/20261125-153012-4f2a');
  const json = outputFlag(values.json, '--json');
  const r = readResults(dir);
  if (json !== undefined) {
    const text = JSON.stringify({ rounds: r.rounds, summary: r.summary, warnings: r.warnings }, null, 2) + '\n';
    if (json === '-') process.stdout.write(text);
    else writeFileSync(json, text);
    return 0;
  }
  process.stdout.write(formatSummary(dir, r));
  return 0;
}
