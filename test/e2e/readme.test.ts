/**
 * The README's headless commands, run as written (issue 8 F): each `npm start`
 * line of the "Headless" block in a shell, in a scratch directory that links
 * to this project (so results/ and out.json land there). `--json -` must put
 * JSON, and only JSON, on stdout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** the `npm start` lines of the README's Headless block, comments removed */
async function headlessCommands(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const block = /## Headless\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has a Headless block');
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('npm start'));
}

test("the README's headless commands work as written", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'eeb-readme-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const f of ['package.json', 'src', 'views', 'conf', 'node_modules', 'tsconfig.json']) await symlink(join(root, f), join(dir, f));
  const [toFile, toStdout, summary] = await headlessCommands();
  assert.ok(toFile && toStdout && summary, 'three commands');
  const sh = (line: string) => execa('sh', ['-c', line], { cwd: dir, reject: false, timeout: 240_000, env: { CI: 'true' } });

  // run --json out.json
  const a = await sh(toFile);
  assert.equal(a.exitCode, 0, a.stderr);
  const out = JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'));
  assert.equal(out.ok, true);
  assert.equal(out.rounds.length, 3);

  // run --json -: stdout is the JSON object, nothing else
  const b = await sh(toStdout);
  assert.equal(b.exitCode, 0, b.stderr);
  const o = JSON.parse(b.stdout);
  assert.equal(o.config.backend, 'v2-ttl');
  assert.equal(o.rounds.length, 3);

  // summary results/<run-id>: the placeholder is the first run's id
  const c = await sh(summary.replace('<run-id>', out.config.runId));
  assert.equal(c.exitCode, 0, c.stderr);
  assert.match(c.stdout, /3 round\(s\), 3 ok/);
});
