/**
 * `report DIR` and the end of every run: results/<run-id>/ -> report.html
 * beside the results (written through a temp file and a rename, so a reader
 * never sees half a page).
 *
 *   await writeReport('results/20261129-220411-3a4b')   // "results/20261129-220411-3a4b/report.html"
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientScript } from './client-bundle.ts';
import { renderReport } from './html.ts';
import { loadRun } from './load.ts';
import { buildReportData } from './model.ts';

/**
 * Write <dir>/report.html and return its path. Works on a run that was
 * killed (events.jsonl only, torn last line). Throws a ConfigError naming
 * the dir when it is no results dir, a BenchError when the chart script
 * cannot be built.
 */
export async function writeReport(dir: string): Promise<string> {
  const [run, script] = await Promise.all([loadRun(dir), clientScript()]);
  const html = renderReport(buildReportData(run), script);
  const path = join(dir, 'report.html');
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
  return path;
}
