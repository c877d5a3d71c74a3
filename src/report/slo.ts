/**
 * The SLO gate of `run --assert EXPR`: an expression names a figure of the
 * run's summary (a distribution and one of its statistics) or a round count,
 * an operator and a number. Pure: parse (a bad expression is a UsageError,
 * exit 2, naming it), then evaluate against the run's rounds and summary.
 *
 *   parseAssertion('failover.p99<2600')   // {expr, metric: 'failover', stat: 'p99', op: '<', limit: 2600}
 *   evaluate([a], {rounds, summary})        // [{expr: 'failover.p99<2600', value: 2711.3, ok: false}]
 *   brokenLine(v)                           // "assert failed: failover.p99 = 2711.3 ms, wanted < 2600"
 *
 * Distributions, named after the summary's fields: failover (failoverMs),
 * detect, election, dualLeader, staleLeader, notify (agentNotifyMs), reget
 * (agentRegetMs), get (agentGetMs), each with .p50 .p95 .p99 .max .mean
 * .min .n (ms, n a count). Counts: `rounds` (rounds run), `failed` (rounds
 * not ok), `lost` (agents lost over the run: the most any round counted,
 * since an agent gone stays counted in every later round). A figure with no
 * sample (a dual-leader window in a kill run) has no value, and an
 * assertion on it is broken: a gate must not pass on nothing.
 */
import { UsageError } from '../errors.ts';
import type { Distribution, RoundResult, RunSummary } from '../events.ts';

export const DISTRIBUTIONS = {
  failover: 'failoverMs',
  detect: 'detectMs',
  election: 'electionMs',
  dualLeader: 'dualLeaderMs',
  staleLeader: 'staleLeaderMs',
  notify: 'agentNotifyMs',
  reget: 'agentRegetMs',
  get: 'agentGetMs',
} as const satisfies Record<string, keyof RunSummary>;

export const STATS = ['p50', 'p95', 'p99', 'max', 'mean', 'min', 'n'] as const;
export const COUNTS = ['rounds', 'failed', 'lost'] as const;
export const OPERATORS = ['<=', '>=', '!=', '<', '>', '='] as const;

type DistributionName = keyof typeof DISTRIBUTIONS;
type Stat = (typeof STATS)[number];
type Count = (typeof COUNTS)[number];
type Op = (typeof OPERATORS)[number];

export interface Assertion {
  /** as given, trimmed */
  expr: string;
  metric: DistributionName | Count;
  /** null for a count */
  stat: Stat | null;
  op: Op;
  limit: number;
}

export interface Verdict {
  expr: string;
  /** the figure's value (ms, or a count); null when it has no sample */
  value: number | null;
  ok: boolean;
}

const SHAPE = /^([A-Za-z]+)(?:\.([A-Za-z0-9]+))?\s*(<=|>=|!=|==|<|>|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:ms)?$/;

function usage(expr: string, why: string): UsageError {
  return new UsageError(`--assert ${JSON.stringify(expr)}: ${why}`);
}

/** Parse one --assert expression; UsageError (exit 2) naming it when it is not one. */
export function parseAssertion(text: string): Assertion {
  const expr = text.trim();
  const m = SHAPE.exec(expr);
  if (!m) throw usage(text, 'expected METRIC OP NUMBER, e.g. failover.p99<2600, notify.max<5000 or lost=0 (operators < <= > >= = !=)');
  const [, name, stat, rawOp, num] = m;
  const op = (rawOp === '==' ? '=' : rawOp) as Op;
  const limit = Number(num);
  if (name in DISTRIBUTIONS) {
    if (stat === undefined) throw usage(text, `name a statistic of ${name}: ${STATS.map((s) => `${name}.${s}`).join(', ')}`);
    if (!(STATS as readonly string[]).includes(stat)) throw usage(text, `unknown statistic "${stat}" (one of ${STATS.join(', ')})`);
    return { expr, metric: name as DistributionName, stat: stat as Stat, op, limit };
  }
  if ((COUNTS as readonly string[]).includes(name)) {
    if (stat !== undefined) throw usage(text, `${name} is a count: no statistic (e.g. ${name}=0)`);
    return { expr, metric: name as Count, stat: null, op, limit };
  }
  throw usage(text, `unknown metric "${name}" (one of ${[...Object.keys(DISTRIBUTIONS), ...COUNTS].join(', ')})`);
}

/** Every expression parsed; the first bad one throws. */
export function parseAssertions(texts: readonly string[]): Assertion[] {
  return texts.map(parseAssertion);
}

function compare(v: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
    case '>':
      return v > limit;
    case '>=':
      return v >= limit;
    case '=':
      return v === limit;
    case '!=':
      return v !== limit;
  }
}

/** The figure an assertion is about, from the run's rounds and summary; null when it has no sample. */
export function figure(a: Assertion, run: { rounds: readonly RoundResult[]; summary: RunSummary }): number | null {
  if (a.metric === 'rounds') return run.rounds.length;
  if (a.metric === 'failed') return run.rounds.filter((r) => !r.ok).length;
  if (a.metric === 'lost') return run.rounds.reduce((most, r) => Math.max(most, r.agents.lost ?? 0), 0);
  const d: Distribution | undefined = run.summary[DISTRIBUTIONS[a.metric]];
  if (!d) return a.stat === 'n' ? 0 : null;
  return d[a.stat as Stat] ?? null;
}

/** Each assertion with its value and whether it holds. */
export function evaluate(asserts: readonly Assertion[], run: { rounds: readonly RoundResult[]; summary: RunSummary }): Verdict[] {
  return asserts.map((a) => {
    const value = figure(a, run);
    return { expr: a.expr, value, ok: value !== null && compare(value, a.op, a.limit) };
  });
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** "assert failed: failover.p99 = 2711.3 ms, wanted < 2600" (no unit for counts and n). */
export function brokenLine(a: Assertion, v: Verdict): string {
  const name = a.stat ? `${a.metric}.${a.stat}` : a.metric;
  const unit = a.stat && a.stat !== 'n' ? ' ms' : '';
  const value = v.value === null ? 'none (no sample)' : `${fmt(v.value)}${unit}`;
  return `assert failed: ${name} = ${value}, wanted ${a.op} ${fmt(a.limit)}`;
}
