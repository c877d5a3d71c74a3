/**
 * The report's tables as HTML strings: the summary's distributions, the
 * rounds, and any object (config, hosts, the `etcd` object) rendered
 * generically, whatever fields it has. Pure; every text is escaped.
 *
 *   distributionTable({failoverMs: {n: 3, min: 1924.3, ...}})
 *   // <table class="dist"><tr><th>figure</th><th>n</th>...<tr><td>failoverMs</td><td>3</td><td>1924 ms</td>...
 */
import type { Distribution, RoundResult } from '../events.ts';
import { fmtMs } from '../stats/format.ts';

/** Escape text for HTML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATS = ['min', 'mean', 'p50', 'p95', 'p99', 'max'] as const;

function isDistribution(v: unknown): v is Distribution {
  return typeof v === 'object' && v !== null && 'n' in v && 'p50' in v && 'max' in v;
}

/** name -> distribution rows (n, min, mean, p50, p95, p99, max in ms); fields that are no distribution are left out. */
export function distributionTable(dists: Record<string, unknown>): string {
  const head = `<tr><th>figure</th><th>n</th>${STATS.map((s) => `<th>${s}</th>`).join('')}</tr>`;
  const rows = Object.entries(dists)
    .filter((e): e is [string, Distribution] => isDistribution(e[1]))
    .map(([name, d]) => `<tr><td>${esc(name)}</td><td class="num">${d.n}</td>${STATS.map((s) => `<td class="num">${esc(fmtMs(d[s]))}</td>`).join('')}</tr>`);
  return `<table class="dist">${head}${rows.join('')}</table>`;
}

/** One line per round: who lost and won, the round's figures, its agents, ok. */
export function roundsTable(rounds: readonly RoundResult[]): string {
  const cols = ['round', 'fault', 'old → new master', 'failover', 'detect', 'election', 'dual leader', 'stale leader', 'agents notified', 'lost', 'notify p50', 'notify p99', 're-get p50', 're-get p99', 'raft leader', 'flaps', 'ok'];
  const head = `<tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = rounds.map((r) => {
    const x = r as RoundResult & { staleLeaderMs?: number | null; agents: { lost?: unknown } };
    const cells = [
      String(r.round),
      r.fault,
      `${r.oldMaster ?? '?'} → ${r.newMaster ?? '—'}`,
      fmtMs(r.failoverMs),
      fmtMs(r.detectMs),
      fmtMs(r.electionMs),
      fmtMs(r.dualLeaderMs),
      fmtMs(x.staleLeaderMs ?? null),
      `${r.agents.notified}/${r.agents.count}`,
      x.agents.lost === undefined ? '—' : typeof x.agents.lost === 'object' ? JSON.stringify(x.agents.lost) : String(x.agents.lost),
      fmtMs(r.agents.notifyMs.p50),
      fmtMs(r.agents.notifyMs.p99),
      fmtMs(r.agents.regetMs.p50),
      fmtMs(r.agents.regetMs.p99),
      r.raftLeader ?? '—',
      (r.flaps ?? []).join(', ') || '—',
      r.ok ? 'ok' : `FAILED: ${r.error ?? ''}`,
    ];
    return `<tr class="${r.ok ? 'ok' : 'bad'}">${cells.map((c, i) => `<td${i >= 3 && i <= 13 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table class="rounds">${head}${rows.join('')}</table>`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An array of objects as one table whose columns are the union of their keys. */
function objectArrayTable(items: Record<string, unknown>[], depth: number): string {
  const keys = [...new Set(items.flatMap((o) => Object.keys(o)))];
  const head = `<tr>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`;
  const rows = items.map((o) => `<tr>${keys.map((k) => `<td>${valueHtml(o[k], depth + 1)}</td>`).join('')}</tr>`);
  return `<table class="obj">${head}${rows.join('')}</table>`;
}

/**
 * Any JSON value as HTML: objects as key/value tables (a distribution as a
 * distribution table), arrays of objects as one table, other arrays as a
 * list, numbers as they are. Nesting stops at depth 6 (then JSON text).
 */
export function valueHtml(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<span class="none">—</span>';
  if (typeof v !== 'object') return `<span class="${typeof v}">${esc(v)}</span>`;
  if (depth > 6) return `<code>${esc(JSON.stringify(v))}</code>`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '<span class="none">[]</span>';
    if (v.every(isPlainObject)) return objectArrayTable(v, depth);
    return v.map((x) => valueHtml(x, depth + 1)).join(', ');
  }
  if (isDistribution(v)) return distributionTable({ '': v });
  const entries = Object.entries(v);
  if (entries.length === 0) return '<span class="none">{}</span>';
  const rows = entries.map(([k, x]) => `<tr><th>${esc(k)}</th><td>${valueHtml(x, depth + 1)}</td></tr>`);
  return `<table class="kv">${rows.join('')}</table>`;
}
