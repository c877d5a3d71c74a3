/**
 * Read a results directory back for the report and compare: summary.json
 * when it is there and current, else what events.jsonl says (a run that was
 * killed has only that, maybe with a torn last line).
 *
 *   results/20261129-220411-3a4b/events.jsonl   {"kind":"round-end","result":{"round":1,...},"summary":{...},"t":...}
 *   results/20261129-220411-3a4b/summary.json   {config, hosts, rounds, summary, ok, errors[, warnings, etcd]}
 *
 * events.jsonl is folded through the run model (./timeline.ts). Rounds come
 * from the model's (its `round-end` events; summary.json's rounds fill in
 * any the events lack); the summary is summary.json's when it covers every
 * round, else the last round-end's when that does, else the model's own,
 * from its per-agent samples. `notes` says which, in words.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError } from '../errors.ts';
import type { BenchEvent, RoundResult, RunSummary } from '../events.ts';
import { SummarySamples } from '../model/summary.ts';
import { TimelineFold, type FoldedRun, type RoundTimeline } from './timeline.ts';

export interface RunData {
  dir: string;
  runId: string;
  /** summary.json's config, else the fields of the `config` event */
  config: Record<string, unknown>;
  hosts: Record<string, unknown>[];
  rounds: RoundResult[];
  timelines: RoundTimeline[];
  summary: RunSummary;
  summarySource: 'summary.json' | 'round-end' | 'events';
  /** null when the run did not finish (no current summary.json) */
  ok: boolean | null;
  errors: string[];
  warnings: string[];
  /** summary.json's `etcd` object (versions, members, metrics), whatever its shape */
  etcd: unknown;
  /** summary.json's `run --assert` verdicts, when the run had any */
  asserts?: { expr: string; value: number | null; ok: boolean }[];
  agentGetMs: number[];
  /** how the figures were found, e.g. "summary.json is missing: figures rebuilt from events.jsonl" */
  notes: string[];
}

/** A summary.json as far as the report relies on it (every field may be missing). */
interface SummaryFile {
  config?: Record<string, unknown>;
  hosts?: Record<string, unknown>[];
  rounds?: RoundResult[];
  summary?: RunSummary;
  ok?: boolean;
  errors?: string[];
  warnings?: string[];
  etcd?: unknown;
  asserts?: { expr: string; value: number | null; ok: boolean }[];
}

/** Stream events.jsonl into a fold; lines that are no JSON (a torn last line) are counted and skipped. */
export async function foldEventsFile(path: string): Promise<{ folded: FoldedRun; skipped: number }> {
  const fold = new TimelineFold();
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let e: BenchEvent;
    try {
      e = JSON.parse(line) as BenchEvent;
    } catch {
      skipped++;
      continue;
    }
    if (e && typeof e === 'object' && typeof e.kind === 'string') fold.feed(e);
  }
  return { folded: fold.finish(), skipped };
}

function readSummaryFile(path: string, notes: string[]): SummaryFile | null {
  if (!existsSync(path)) {
    notes.push('summary.json is missing (the run was stopped?)');
    return null;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SummaryFile;
  } catch (e) {
    notes.push(`summary.json is unreadable (${(e as Error).message})`);
    return null;
  }
}

/** A summary of round results alone (no per-agent samples): the model's summary fold with none. */
function summaryOfRounds(rounds: RoundResult[]): RunSummary {
  return new SummarySamples().summary(rounds);
}

/** Round results by number: the events' first, then any only summary.json has. */
function mergeRounds(fromEvents: RoundResult[], fromFile: RoundResult[] | undefined): RoundResult[] {
  const byRound = new Map<number, RoundResult>();
  for (const r of fromEvents) byRound.set(r.round, r);
  for (const r of fromFile ?? []) if (!byRound.has(r.round)) byRound.set(r.round, r);
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

function chooseSummary(file: SummaryFile | null, folded: FoldedRun | null, rounds: RoundResult[], notes: string[]) {
  if (file?.summary && (file.rounds?.length ?? -1) === rounds.length) return { summary: file.summary, source: 'summary.json' as const };
  if (file?.summary) notes.push(`summary.json covers ${file.rounds?.length ?? 0} of ${rounds.length} rounds (stale)`);
  if (folded?.lastSummary && folded.lastSummary.rounds === rounds.length) {
    notes.push('figures from the last round-end event in events.jsonl');
    return { summary: folded.lastSummary.summary, source: 'round-end' as const };
  }
  notes.push('figures rebuilt from the per-agent samples in events.jsonl');
  const summary = folded ? folded.samplesSummary : summaryOfRounds(rounds);
  return { summary, source: 'events' as const };
}

/**
 * Load a results dir. Throws a ConfigError (exit 2) naming the dir when it
 * holds neither a readable events.jsonl nor summary.json.
 */
export async function loadRun(dir: string): Promise<RunData> {
  const notes: string[] = [];
  const eventsPath = join(dir, 'events.jsonl');
  const file = readSummaryFile(join(dir, 'summary.json'), notes);
  let folded: FoldedRun | null = null;
  if (existsSync(eventsPath)) {
    const { folded: f, skipped } = await foldEventsFile(eventsPath);
    folded = f;
    if (skipped > 0) notes.push(`${skipped} torn line(s) in events.jsonl skipped`);
  } else notes.push('events.jsonl is missing: no per-agent samples');
  if (!folded && !file) throw new ConfigError('neither events.jsonl nor summary.json is readable: not a results directory', dir);
  const timelines = folded?.timelines ?? [];
  const unfinished = timelines.filter((t) => !t.result);
  if (unfinished.length > 0) notes.push(`round ${unfinished.map((t) => t.round).join(', ')} did not end (the run was stopped mid-round)`);
  const rounds = mergeRounds(folded?.rounds ?? [], file?.rounds);
  const { summary, source } = chooseSummary(file, folded, rounds, notes);
  const c = folded?.config;
  const config = file?.config ?? (c ? { runId: c.runId, endpoints: c.endpoints, backend: c.backend, ttl: c.ttl, refresh: c.refresh, masterPath: c.masterPath, fault: rounds[0]?.fault ?? timelines[0]?.fault } : {});
  const fresh = source === 'summary.json';
  return {
    dir,
    runId: typeof config.runId === 'string' ? config.runId : basename(dir),
    config,
    hosts: file?.hosts ?? (folded?.hosts ?? []).map((h) => ({ ...h })),
    rounds,
    timelines,
    summary,
    summarySource: source,
    ok: fresh ? (file?.ok ?? null) : null,
    errors: fresh ? (file?.errors ?? []) : rounds.filter((r) => !r.ok).map((r) => `round ${r.round}: ${r.error ?? 'failed'}`),
    warnings: file?.warnings ?? [],
    etcd: file?.etcd ?? null,
    asserts: Array.isArray(file?.asserts) ? file.asserts : [],
    agentGetMs: folded?.agentGetMs ?? [],
    notes,
  };
}
