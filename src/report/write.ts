/**
 * `report DIR` and the end of every run: results/<run-id>/ -> report.html
 * and histograms.json (HdrHistograms, ./histograms.ts) beside the results,
 * each written through a temp file and a rename, so a reader never sees
 * half a file.
 *
 *   await writeReport('results/20261129-220411-3a4b')   // "results/20261129-220411-3a4b/report.html"
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientScript } from './client-bundle.ts';
import { runHistograms } from './histograms.ts';
import { renderReport } from './html.ts';
import { loadRun } from './load.ts';
import { buildReportData } from './model.ts';

/**
 * Write <dir>/report.html and <dir>/histograms.json; returns the report's
 * path. Works on a run that was killed (events.jsonl only, torn last line).
 * Throws a ConfigError naming the dir when it is no results dir, a
 * BenchError when the chart script cannot be built.
 */
export async function writeReport(dir: string): Promise<string> {
  const scripted = clientScript();
  // the histograms first: they need no chart script
  const run = await loadRun(dir).catch(async (e: unknown) => {
    await scripted.catch(() => {});
    throw e;
  });
  writeAtomically(join(dir, HISTOGRAMS_FILE), JSON.stringify(runHistograms(run), null, 1) + '\n');
  const path = join(dir, 'report.html');
  writeAtomically(path, renderReport(buildReportData(run), await scripted));
  return path;
}

/** The HdrHistograms' file in a results dir (./histograms.ts). */
export const HISTOGRAMS_FILE = 'histograms.json';

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
