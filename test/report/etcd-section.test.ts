/**
 * The report's etcd section, pure: versions per member, raft settings,
 * metric changes (a counter that moved is marked, a restarted member said),
 * and any other shape shown generically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdSectionHtml } from '../../src/report/etcd-section.ts';
import { etcdFacts, raftSettings, type MemberReading } from '../../src/run/etcd-facts.ts';

const r = (name: string, expired: number, leader: boolean): MemberReading => ({ name, version: '3.4.23', clusterVersion: '3.4.0', isLeader: leader, metrics: { etcd_debugging_server_lease_expired_total: expired, etcd_server_leader_changes_seen_total: 3 }, error: null });

test('Given the facts of a run, Then the version, raft settings, members and the metrics that moved', () => {
  const refs = [{ name: 'm1', clientUrl: 'http://127.0.0.1:1' }, { name: '<m2>', clientUrl: 'http://127.0.0.1:2' }];
  const f = etcdFacts(refs, raftSettings([]), [r('m1', 0, true), r('<m2>', 0, false)], [r('m1', 2, true), { ...r('<m2>', 0, false), metrics: { etcd_server_leader_changes_seen_total: 1 } }]);
  const html = etcdSectionHtml(f);
  for (const s of ['etcd <b>3.4.23</b>', 'heartbeat <b>100 ms</b>', 'election timeout <b>1000 ms</b>', 'smallest lease TTL <b>2 s</b>', '<td>m1</td>', '&#60;m2&#62;', '(restarted)']) assert.ok(html.includes(s), s);
  assert.match(html, /<tr class="moved"><td><code>etcd_debugging_server_lease_expired_total<\/code>/);
  assert.doesNotMatch(html, /<m2>/, 'escaped');
  assert.match(etcdSectionHtml({ version: '3.4.23', note: 'older shape' }), /older shape/);
  assert.equal(etcdSectionHtml(null), '');
  assert.match(etcdSectionHtml(etcdFacts(refs, raftSettings(null), [r('m1', 0, true)], null)), /raft settings unknown: external endpoints[\s\S]*were not read/);
});
