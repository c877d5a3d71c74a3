/**
 * The report's "what determined the numbers" section from summary.json's
 * `etcd` object (src/run/etcd-facts.ts): the server version per member, the
 * raft settings, and the change over the run of the metrics that explain a
 * failover. Pure; anything of another shape (an older summary.json) is shown
 * generically.
 *
 *   etcdSectionHtml({version: '3.4.23', members: [...], raft: {...}, metrics: {...}})
 *   // "<p>etcd <b>3.4.23</b> ...</p><table class=\"members\">...<table class=\"metrics\">..."
 */
import type { EtcdFacts, MetricDelta } from '../run/etcd-facts.ts';
import { esc, valueHtml } from './tables.ts';

function isFacts(v: unknown): v is EtcdFacts {
  return typeof v === 'object' && v !== null && Array.isArray((v as EtcdFacts).members) && typeof (v as EtcdFacts).raft === 'object';
}

const cell = (v: unknown) => (v === null || v === undefined ? '<span class="none">—</span>' : esc(typeof v === 'boolean' ? (v ? 'yes' : 'no') : v));

function raftLine(f: EtcdFacts): string {
  const r = f.raft;
  const parts =
    r.heartbeatMs === null
      ? [`raft settings ${esc(r.source)}`]
      : [`heartbeat <b>${r.heartbeatMs} ms</b>`, `election timeout <b>${r.electionTimeoutMs} ms</b>`, `smallest lease TTL <b>${r.minLeaseTtlS} s</b>`, esc(r.source)];
  if (r.flags.length > 0) parts.push(`flags <code>${esc(r.flags.join(' '))}</code>`);
  return `<p class="facts">etcd <b>${cell(f.version)}</b> (cluster version ${cell(f.clusterVersion)}) · ${parts.join(' · ')}</p>`;
}

function membersTable(f: EtcdFacts): string {
  const head = '<tr><th>member</th><th>client URL</th><th>version</th><th>raft leader at start</th><th>at end</th><th>error</th></tr>';
  const rows = f.members.map((m) => `<tr><td>${esc(m.name)}</td><td>${esc(m.clientUrl)}</td><td>${cell(m.version)}</td><td>${cell(m.leaderAtStart)}</td><td>${cell(m.leaderAtEnd)}</td><td>${cell(m.error)}</td></tr>`);
  return `<table class="members">${head}${rows.join('')}</table>`;
}

function perMember(d: MetricDelta): string {
  return Object.entries(d.members)
    .map(([name, m]) => `${name} ${m.delta ?? '—'}${m.reset ? ' (restarted)' : ''}`)
    .join(' · ');
}

function metricsTable(metrics: Record<string, MetricDelta>): string {
  const head = '<tr><th>metric</th><th>what it counts</th><th>start</th><th>end</th><th>change</th><th>per member</th></tr>';
  const rows = Object.entries(metrics).map(([name, d]) => {
    const change = d.type === 'gauge' ? '(gauge)' : d.delta;
    const cls = d.type === 'counter' && (d.delta ?? 0) > 0 ? ' class="moved"' : '';
    return `<tr${cls}><td><code>${esc(name)}</code></td><td>${esc(d.meaning)}</td><td class="num">${cell(d.start)}</td><td class="num">${cell(d.end)}</td><td class="num">${cell(change)}</td><td>${esc(perMember(d))}</td></tr>`;
  });
  return `<table class="metrics">${head}${rows.join('')}</table>`;
}

/** The section's inner HTML; '' when there is no etcd object. */
export function etcdSectionHtml(etcd: unknown): string {
  if (etcd === null || etcd === undefined) return '';
  if (!isFacts(etcd)) return valueHtml(etcd);
  const metrics = etcd.metrics
    ? `<p>Read from every member's <code>/metrics</code> at the run's start and end; counters show their change, gauges their value at the end. Members add up by max where each applies the same cluster event, else by sum.</p>${metricsTable(etcd.metrics)}`
    : '<p class="none">The metrics at the run\u2019s end were not read (the run did not end normally).</p>';
  return `${raftLine(etcd)}${membersTable(etcd)}${metrics}`;
}
