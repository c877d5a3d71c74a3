/**
 * `report DIR...`: (re)write report.html and histograms.json for results
 * directories, including one whose run was killed (events.jsonl only, a torn
 * last line). Prints each report's path.
 *
 *   etcd-election-bench report results/20261129-220411-3a4b
 *   results/20261129-220411-3a4b/report.html
 */
import { UsageError } from '../errors.ts';
import { writeReport } from '../report/write.ts';
import { parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

export const USAGE = `usage: etcd-election-bench report DIR...

  (re)writes DIR/report.html (one self-contained page, charts drawn offline) and
  DIR/histograms.json (HdrHistograms, encoded) for each results directory`;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values, positionals } = parseFlags(argv, { help: { type: 'boolean', short: 'h' } }, 'report');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('report: expected a results directory, e.g. results/20261125-153012-4f2a');
  for (const dir of positionals) io.out(await writeReport(dir));
  return 0;
}
