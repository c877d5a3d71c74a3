/**
 * `compare DIR DIR...`: runs side by side, the first the reference: each
 * figure with its ratio to the first run (text on stdout), `--html FILE`
 * with the runs' CDFs overlaid, `--json FILE|-` the same as data.
 *
 *   etcd-election-bench compare results/A results/B --html cmp.html
 *   A  20261129-220411-3a4b  v3-lease · kill · 50 agents/host (own) · T 2 s / R 0.5 s · 3 rounds
 *   B  20261129-220423-1db7  v2-ttl · kill · 50 agents/host (own) · T 2 s / R 0.5 s · 3 rounds
 *   figure              A          B
 *   failover p50        1924 ms    2301 ms ×1.20
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { compareRuns } from '../report/compare.ts';
import { checkOutputPath } from '../run/preflight.ts';
import { outputFlag, parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

export const USAGE = `usage: etcd-election-bench compare DIR DIR... [--html FILE] [--json FILE|-]

  --html FILE     the runs' CDFs overlaid, one self-contained page
  --json FILE|-   the comparison as JSON {runs: [...], rows: [{figure, values, ratios}]}
                  (with -, instead of the text on stdout)`;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const opts = { html: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  const { values, positionals } = parseFlags(argv, opts, 'compare');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('compare: expected results directories, e.g. compare results/A results/B');
  const html = outputFlag(values.html, '--html');
  const json = outputFlag(values.json, '--json');
  if (html === '-') throw new UsageError('--html: expected a file name');
  checkOutputPath(html, '--html');
  checkOutputPath(json, '--json');
  const cmp = await compareRuns(positionals);
  if (html !== undefined) writeFileSync(html, cmp.html);
  if (json !== undefined) {
    const text = JSON.stringify(cmp.json, null, 2) + '\n';
    if (json === '-') process.stdout.write(text);
    else writeFileSync(json, text);
  }
  if (json !== '-') io.out(cmp.text.replace(/\n$/, ''));
  return 0;
}
