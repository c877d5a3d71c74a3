/**
 * A run's results directory, written as the run goes so that a crash never
 * loses what was measured:
 *
 *   results/<run-id>/events.jsonl   every BenchEvent, appended as it arrives (fsync per round)
 *   results/<run-id>/rounds.csv     one line per round, appended
 *   results/<run-id>/summary.json   {config, hosts, rounds, summary, ok, errors}, rewritten per round
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync, writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEvent, RoundResult } from '../events.ts';

export const ROUNDS_CSV_HEADER =
  'round,fault,fault_at,old_master,new_master,failover_ms,detect_ms,election_ms,dual_leader_ms,agents,agents_notified,notify_p50_ms,notify_p99_ms,notify_max_ms,reget_p50_ms,reget_p99_ms,ok,error,' +
  'outcome,stale_leader_ms,agents_lost,lease_left_ms,expiry_lag_ms,detection_ms,split_election_ms';

const f = (n: number | null): string => (n === null ? '' : n.toFixed(3));
const q = (s: string | null | undefined): string => (s == null ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function roundCsvLine(r: RoundResult): string {
  return [
    r.round,
    r.fault,
    r.faultAt.toFixed(3),
    q(r.oldMaster),
    q(r.newMaster),
    f(r.failoverMs),
    f(r.detectMs),
    f(r.electionMs),
    f(r.dualLeaderMs),
    r.agents.count,
    r.agents.notified,
    f(r.agents.notifyMs.p50),
    f(r.agents.notifyMs.p99),
    f(r.agents.notifyMs.max),
    f(r.agents.regetMs.p50),
    f(r.agents.regetMs.p99),
    r.ok,
    q(r.error ?? ''),
    r.outcome ?? '',
    f(r.staleLeaderMs ?? null),
    r.agents.lost ?? '',
    f(r.split?.leaseRemainingMs ?? null),
    f(r.split?.expiryLagMs ?? null),
    f(r.split?.detectionMs ?? null),
    f(r.split?.electionMs ?? null),
  ].join(',');
}

/** A time-sortable id: 20261125-153012-4f2a */
export function newRunId(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

export class ResultsWriter {
  readonly dir: string;
  private fd: number;
  private csvFd: number;
  private buf: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(outDir: string, readonly runId: string) {
    this.dir = join(outDir, runId);
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(join(this.dir, 'events.jsonl'), 'a');
    if (!existsSync(join(this.dir, 'rounds.csv'))) writeFileSync(join(this.dir, 'rounds.csv'), ROUNDS_CSV_HEADER + '\n');
    this.csvFd = openSync(join(this.dir, 'rounds.csv'), 'a');
  }

  /** queue one event; written within 100 ms (or at 256 KiB) */
  event(e: BenchEvent): void {
    if (this.closed) return;
    const line = JSON.stringify(e) + '\n';
    this.buf.push(line);
    this.bytes += line.length;
    if (this.bytes > 256 * 1024) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buf.length === 0 || this.closed) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.bytes = 0;
  }

  /** a round is over: its line, the summary, and everything on disk */
  round(r: RoundResult, summary: unknown): void {
    this.flush();
    writeSync(this.csvFd, roundCsvLine(r) + '\n');
    this.writeSummary(summary);
    fsyncSync(this.fd);
  }

  writeSummary(summary: unknown): void {
    const p = join(this.dir, 'summary.json');
    writeFileSync(p + '.tmp', JSON.stringify(summary, null, 2) + '\n');
    renameSync(p + '.tmp', p);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch {
      /* closing anyway */
    }
    closeSync(this.fd);
    closeSync(this.csvFd);
    this.closed = true;
  }
}

/** Read back a results dir's events (for `summary DIR`). */
export function readEvents(dir: string): BenchEvent[] {
  const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
  const out: BenchEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as BenchEvent);
    } catch {
      /* a torn last line after a crash */
    }
  }
  return out;
}
