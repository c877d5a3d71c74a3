#!/usr/bin/env node
// The `etcd-election-bench` command: bootstrap (dependencies, etcd), then the
// TypeScript CLI through tsx's loader, in this same process.
import { ensureReady } from './bootstrap.mjs';

const args = process.argv.slice(2);
const sub = args.find((a) => !a.startsWith('-')) ?? 'tui';
const explicitEndpoints = args.some((a, i) =>
  (a === '--endpoints' && args[i + 1] && args[i + 1] !== 'embedded') || (a.startsWith('--endpoints=') && a !== '--endpoints=embedded'),
);
const wantsHelp = args.includes('--help') || args.includes('-h');
const needsEtcd = !wantsHelp && !explicitEndpoints && ['tui', 'run', 'cluster', 'bench', 'clean'].includes(sub);
ensureReady({ etcd: needsEtcd });

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(args);
