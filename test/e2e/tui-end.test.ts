/**
 * Quitting the console leaves, on the normal screen (after Ink gave the
 * terminal back), what the run did: rounds ok/failed, failover p50/p99,
 * notify p99, the results dir and the report's path, and report.html is
 * there. A real terminal (tmux, CI unset), the embedded default cluster in
 * the test's own temp dir, one kill round from the keyboard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdPidsUnder } from '../helpers/etcd-cluster.ts';
import { startTmux } from '../helpers/tmux.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const AGENTS = 3;

test('q + y after a kill round: the summary table stays on the normal screen and report.html is written', { skip: !existsSync('/usr/bin/tmux') && 'tmux is not installed' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'eeb-tui-end-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(root, 'conf'), join(dir, 'conf'), { recursive: true });
  const term = await startTmux({
    command: process.execPath,
    args: ['src/bin.mjs', '--conf', join(dir, 'conf'), '--out', join(dir, 'results'), '--agents', String(AGENTS)],
    cwd: root,
    env: { TMPDIR: dir, ETCD_BENCH_STATE_DIR: join(dir, 'state') },
    columns: 140,
    rows: 45,
  });
  t.after(() => term.kill());

  // Given the console with a master and its agents
  await term.waitForText(new RegExp(`^(?=[\\s\\S]*● \\S+\\s+master)(?=[\\s\\S]*${AGENTS}/${AGENTS}\\s+${AGENTS}\\b)`), 90_000);
  // When a kill round is run from the keyboard and the console is quit
  await term.sendKeys('k');
  await term.waitForText('Kill the active master?', 10_000);
  await term.sendKeys('y');
  await term.waitForText(/│\s*1\s+kill\s+\S+ -> \S+\s+\d+/, 60_000);
  await term.sendKeys('q');
  await term.waitForText('Quit: stop the workers?', 10_000);
  await term.sendKeys('y');
  assert.equal(await term.waitForExit(60_000), 0);

  // Then the normal screen says what happened and where it is (with the pane's history: tmux's
  // "Pane is dead" line scrolls the screen by one)
  const screen = execFileSync('/usr/bin/tmux', ['-L', term.socket, '-f', '/dev/null', 'capture-pane', '-p', '-S', '-', '-t', term.session], { encoding: 'utf8' });
  t.diagnostic(`\n${screen}`);
  assert.doesNotMatch(screen, /2 Masters/, 'the dashboard is gone (alternate screen left)');
  assert.match(screen, /^rounds {4}1 ok, 0 failed$/m);
  assert.match(screen, /^failover {2}p50 \d+ ms {3}p99 \d+ ms$/m);
  assert.match(screen, /^notify {4}p99 \d+(\.\d)? ms$/m);
  const results = /^results {3}(\S+)$/m.exec(screen)?.[1];
  const report = /^report {4}(\S+)$/m.exec(screen)?.[1];
  assert.ok(results && results.startsWith(join(dir, 'results')), screen);
  assert.equal(report, join(results, 'report.html'));
  assert.ok(existsSync(report), 'report.html is there');
  const summary = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8'));
  assert.equal(summary.rounds.length, 1);
  assert.equal(summary.etcd.raft.heartbeatMs, 100, 'the embedded cluster knows its raft settings');
  assert.deepEqual(await etcdPidsUnder(dir), [], 'no etcd member left');
});
