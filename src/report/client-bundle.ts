/**
 * The script inlined into report.html and compare.html: ./client/charts.ts
 * and the parts of Observable Plot (and d3) it uses, bundled by esbuild into
 * one minified IIFE (~270 KB), built once per process.
 *
 *   const js = await clientScript();   // "/* Observable Plot ... *\/\n(()=>{...})();"
 *
 * Why Observable Plot: it draws SVG (readable, zoomable, printable, and a
 * test can count its paths and rects), a step-after line is an ECDF and a
 * `rect` with x1/x2 is the SIGKILL band in one mark each, histograms are
 * `rectY`, and one colour legend names every series, rule and band. Inlined
 * it is ~270 KB here (esbuild keeps only the marks used; the prebuilt UMD
 * files of Plot and d3 are ~490 KB). uPlot (~50 KB) draws on a canvas and
 * needs hand-written hooks for bands; Vega-Lite with vega and vega-embed is
 * ~800 KB.
 */
import { fileURLToPath } from 'node:url';
import { BenchError } from '../errors.ts';

const entry = fileURLToPath(new URL('./client/charts.ts', import.meta.url));

const BANNER = '/* Observable Plot (ISC, Observable, Inc.) and d3 (ISC, Mike Bostock): the report charts of etcd-election-bench */';

let cached: Promise<string> | null = null;

/** The client bundle's code. Throws a BenchError (with the esbuild error as cause) when it cannot be built. */
export function clientScript(): Promise<string> {
  cached ??= build().catch((e) => {
    cached = null;
    throw new BenchError(`cannot build the report's chart script: ${(e as Error).message}`, { cause: e });
  });
  return cached;
}

async function build(): Promise<string> {
  const esbuild = await import('esbuild');
  const res = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'eof',
    banner: { js: BANNER },
  });
  return res.outputFiles[0].text;
}
