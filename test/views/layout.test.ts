/**
 * The layout always fits the terminal (rows - 1 lines) and gives room in the
 * right order: failover, summary, hosts/masters, then the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLayout, type LayoutInput } from '../../views/layout.ts';

const base: LayoutInput = { columns: 120, rows: 40, hosts: 3, masters: 2, failoverHosts: 2, rounds: 3, progress: 0, dialog: 0 };

function used(l: ReturnType<typeof computeLayout>): number {
  return l.header + l.progress + l.top + l.masters + l.failover + l.summary + l.log + l.dialog + l.status + l.keybar;
}

test('every size fits in rows - 1 lines', () => {
  for (const columns of [40, 80, 100, 160]) {
    for (const rows of [10, 16, 24, 30, 50, 80]) {
      for (const dialog of [0, 4]) {
        for (const failoverHosts of [-1, 1, 5]) {
          const l = computeLayout({ ...base, columns, rows, dialog, failoverHosts, progress: 2 });
          assert.ok(used(l) <= rows - 1, `${columns}x${rows} dialog ${dialog}: ${used(l)} lines`);
          if (rows >= 24) assert.equal(used(l), rows - 1, `${columns}x${rows}: the whole screen is used`);
        }
      }
    }
  }
});

test('wide terminals put Hosts and Masters side by side', () => {
  const l = computeLayout(base);
  assert.equal(l.split, true);
  assert.equal(l.hostsWidth + l.mastersWidth, 120);
  assert.equal(l.masters, 0);
  const narrow = computeLayout({ ...base, columns: 70 });
  assert.equal(narrow.split, false);
  assert.ok(narrow.masters > 0);
});

test('no failover: no failover panel; with one, it gets its lines first', () => {
  assert.equal(computeLayout({ ...base, failoverHosts: -1 }).failover, 0);
  assert.equal(computeLayout({ ...base, failoverHosts: 2 }).failover, 4 + 2 + 1);
});

test('on a tiny terminal the log gives way first, the failover last', () => {
  const l = computeLayout({ ...base, columns: 80, rows: 18 });
  assert.ok(l.failover > 0);
  assert.equal(l.log, 0);
});
