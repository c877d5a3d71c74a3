// `npm test`: every test/**/*.test.ts(x) through node's test runner with tsx
// (Node 20's --test does not expand globs itself). One file at a time: the
// integration tests measure failover times and share 2 cores.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pattern = process.argv[2] ? new RegExp(process.argv[2]) : null;

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : find(p);
    return /\.test\.tsx?$/.test(d.name) ? [relative(root, p)] : [];
  });
}

const files = find(join(root, 'test'))
  .filter((f) => !pattern || pattern.test(f))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
