/**
 * What determined the numbers, on the etcd side: each member's server
 * version (`GET /version`), the raft settings where they are known (the
 * embedded cluster knows its own flags; external endpoints do not say), and
 * the change over the run of the `/metrics` counters that explain a
 * failover, read from every member at the run's start and end. Goes into
 * summary.json as `etcd` and into the report.
 *
 *   GET http://127.0.0.1:23791/version  {"etcdserver":"3.4.23","etcdcluster":"3.4.0"}
 *   -> {version: '3.4.23', members: [{name: 'm1', version: '3.4.23', ...}],
 *       raft: {heartbeatMs: 100, electionTimeoutMs: 1000, minLeaseTtlS: 2, ...},
 *       metrics: {etcd_debugging_server_lease_expired_total: {type: 'counter', delta: 2, members: {m1: {start: 0, end: 2, delta: 2}}, ...}}}
 *
 * Reading never fails the run: a member that does not answer within 1.5 s
 * is recorded with its error.
 */
import type { EmbeddedCluster } from '../cluster/embedded.ts';
import { oneLine } from '../errors.ts';
import { parsePrometheusText, sampleValue } from '../etcd/prometheus.ts';

export interface MetricSpec {
  name: string;
  type: 'counter' | 'gauge';
  /** how members add up: every member counts the same cluster event (max), or each its own (sum) */
  across: 'max' | 'sum';
  meaning: string;
}

/** The metrics read, as etcd 3.4.23 names them (checked with curl on a 3.4.23 cluster's /metrics). */
export const FAILOVER_METRICS: readonly MetricSpec[] = [
  { name: 'etcd_server_leader_changes_seen_total', type: 'counter', across: 'max', meaning: 'raft leader changes (each member sees each one): every lease is renewed on a change' },
  { name: 'etcd_debugging_server_lease_expired_total', type: 'counter', across: 'sum', meaning: 'leases that expired (revoked by the raft leader)' },
  { name: 'etcd_debugging_lease_revoked_total', type: 'counter', across: 'max', meaning: 'leases revoked, by expiry or on request (applied by every member)' },
  { name: 'etcd_debugging_lease_granted_total', type: 'counter', across: 'max', meaning: 'leases granted (applied by every member)' },
  { name: 'etcd_debugging_lease_renewed_total', type: 'counter', across: 'sum', meaning: 'lease keep-alives served (by the raft leader)' },
  { name: 'etcd_debugging_store_expires_total', type: 'counter', across: 'max', meaning: 'v2 keys expired by their TTL (v2-ttl backend)' },
  { name: 'etcd_server_slow_apply_total', type: 'counter', across: 'sum', meaning: 'applies slower than 100 ms' },
  { name: 'etcd_server_slow_read_indexes_total', type: 'counter', across: 'sum', meaning: 'slow linearizable read indexes' },
  { name: 'etcd_server_heartbeat_send_failures_total', type: 'counter', across: 'sum', meaning: 'raft heartbeats the leader failed to send' },
  { name: 'etcd_server_proposals_failed_total', type: 'counter', across: 'sum', meaning: 'raft proposals that failed' },
  { name: 'etcd_debugging_mvcc_slow_watcher_total', type: 'gauge', across: 'sum', meaning: 'watchers behind the store (unsynced)' },
  { name: 'etcd_debugging_mvcc_pending_events_total', type: 'gauge', across: 'sum', meaning: 'watch events waiting to be sent' },
  { name: 'etcd_debugging_mvcc_watcher_total', type: 'gauge', across: 'sum', meaning: 'watchers' },
  { name: 'etcd_server_proposals_pending', type: 'gauge', across: 'sum', meaning: 'raft proposals waiting to commit' },
];

export interface MemberRef {
  /** m1 (embedded) or the endpoint URL (external) */
  name: string;
  clientUrl: string;
}

/** One member read at one moment. */
export interface MemberReading {
  name: string;
  version: string | null;
  clusterVersion: string | null;
  isLeader: boolean | null;
  /** metric name -> value (null: not exposed) */
  metrics: Record<string, number | null>;
  error: string | null;
}

export interface RaftSettings {
  heartbeatMs: number | null;
  electionTimeoutMs: number | null;
  /** the smallest lease TTL etcd grants: ceil((3 × election ticks / 2) × heartbeat), etcd 3.4 etcdserver/server.go */
  minLeaseTtlS: number | null;
  /** extra etcd flags of the embedded members (lease-related ones show here) */
  flags: string[];
  source: string;
}

export interface MetricDelta {
  type: 'counter' | 'gauge';
  meaning: string;
  /** across members (see MetricSpec.across); counters: end - start, gauges: end */
  start: number | null;
  end: number | null;
  delta: number | null;
  members: Record<string, { start: number | null; end: number | null; delta: number | null; reset?: true }>;
}

export interface EtcdFacts {
  /** the members' server version; several joined by ", " when they differ; null: none answered */
  version: string | null;
  clusterVersion: string | null;
  members: { name: string; clientUrl: string; version: string | null; leaderAtStart: boolean | null; leaderAtEnd: boolean | null; error: string | null }[];
  raft: RaftSettings;
  /** null until the run's end was read */
  metrics: Record<string, MetricDelta> | null;
}

const ETCD_DEFAULT_HEARTBEAT_MS = 100;
const ETCD_DEFAULT_ELECTION_MS = 1000;

function flagValue(flags: readonly string[], name: string): number | null {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f.startsWith(`${name}=`)) return Number(f.slice(name.length + 1));
    if (f === name && flags[i + 1] !== undefined) return Number(flags[i + 1]);
  }
  return null;
}

/** The raft settings of the embedded cluster from its flags (etcd defaults where not set); unknown for external endpoints. Pure. */
export function raftSettings(extraArgs: readonly string[] | null): RaftSettings {
  if (extraArgs === null) {
    return { heartbeatMs: null, electionTimeoutMs: null, minLeaseTtlS: null, flags: [], source: 'unknown: external endpoints (etcd does not report its raft flags to clients)' };
  }
  const hb = flagValue(extraArgs, '--heartbeat-interval');
  const el = flagValue(extraArgs, '--election-timeout');
  const heartbeatMs = hb ?? ETCD_DEFAULT_HEARTBEAT_MS;
  const electionTimeoutMs = el ?? ETCD_DEFAULT_ELECTION_MS;
  const ticks = Math.floor(electionTimeoutMs / heartbeatMs);
  const minLeaseTtlS = Math.ceil((Math.floor((3 * ticks) / 2) * heartbeatMs) / 1000);
  const source = hb === null && el === null ? 'embedded cluster: etcd defaults (no raft flags given)' : 'embedded cluster: its flags';
  return { heartbeatMs, electionTimeoutMs, minLeaseTtlS, flags: extraArgs.slice(), source };
}

function metricDelta(spec: MetricSpec, start: readonly MemberReading[], end: readonly MemberReading[] | null): MetricDelta {
  const members: MetricDelta['members'] = {};
  const agg = (vs: (number | null)[]) => {
    const xs = vs.filter((v): v is number => v !== null && Number.isFinite(v));
    if (xs.length === 0) return null;
    return spec.across === 'max' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0);
  };
  const deltas: (number | null)[] = [];
  for (const s of start) {
    const a = s.metrics[spec.name] ?? null;
    const b = end?.find((e) => e.name === s.name)?.metrics[spec.name] ?? null;
    // a counter that went down was reset: the member restarted (etcd-leader fault); what it counted since
    const reset = spec.type === 'counter' && a !== null && b !== null && b < a;
    const delta = a === null || b === null ? null : spec.type === 'gauge' ? b : reset ? b : b - a;
    members[s.name] = { start: a, end: b, delta, ...(reset ? { reset: true as const } : {}) };
    deltas.push(delta);
  }
  return {
    type: spec.type,
    meaning: spec.meaning,
    start: agg(start.map((s) => s.metrics[spec.name] ?? null)),
    end: end ? agg(end.map((e) => e.metrics[spec.name] ?? null)) : null,
    delta: end ? agg(deltas) : null,
    members,
  };
}

function joined(vs: (string | null)[]): string | null {
  const set = [...new Set(vs.filter((v): v is string => v !== null))];
  return set.length === 0 ? null : set.join(', ');
}

/** The `etcd` object of summary.json from the readings at start and end (end: null while the run goes on). Pure. */
export function etcdFacts(refs: readonly MemberRef[], raft: RaftSettings, start: readonly MemberReading[], end: readonly MemberReading[] | null): EtcdFacts {
  const at = (rs: readonly MemberReading[] | null, name: string) => rs?.find((r) => r.name === name) ?? null;
  return {
    version: joined(start.map((r) => r.version).concat((end ?? []).map((r) => r.version))),
    clusterVersion: joined(start.map((r) => r.clusterVersion)),
    members: refs.map((m) => ({
      name: m.name,
      clientUrl: m.clientUrl,
      version: at(start, m.name)?.version ?? at(end, m.name)?.version ?? null,
      leaderAtStart: at(start, m.name)?.isLeader ?? null,
      leaderAtEnd: at(end, m.name)?.isLeader ?? null,
      error: at(end, m.name)?.error ?? at(start, m.name)?.error ?? null,
    })),
    raft,
    metrics: end ? Object.fromEntries(FAILOVER_METRICS.map((s) => [s.name, metricDelta(s, start, end)])) : null,
  };
}

async function getText(url: string, signal: AbortSignal): Promise<string> {
  const r = await fetch(url, { signal });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.text();
}

/** Read one member's /version and /metrics (1.5 s at most); never throws. */
export async function readMember(m: MemberRef, timeoutMs = 1500): Promise<MemberReading> {
  const signal = AbortSignal.timeout(timeoutMs);
  const out: MemberReading = { name: m.name, version: null, clusterVersion: null, isLeader: null, metrics: {}, error: null };
  const [version, metrics] = await Promise.allSettled([getText(`${m.clientUrl}/version`, signal), getText(`${m.clientUrl}/metrics`, signal)]);
  const errors: string[] = [];
  if (version.status === 'fulfilled') {
    try {
      const v = JSON.parse(version.value) as { etcdserver?: string; etcdcluster?: string };
      out.version = v.etcdserver ?? null;
      out.clusterVersion = v.etcdcluster ?? null;
    } catch {
      errors.push('/version is no JSON');
    }
  } else errors.push(`/version: ${oneLine(version.reason)}`);
  if (metrics.status === 'fulfilled') {
    const e = parsePrometheusText(metrics.value);
    for (const s of FAILOVER_METRICS) out.metrics[s.name] = sampleValue(e, s.name);
    const leader = sampleValue(e, 'etcd_server_is_leader');
    out.isLeader = leader === null ? null : leader === 1;
  } else errors.push(`/metrics: ${oneLine(metrics.reason)}`);
  out.error = errors.length > 0 ? errors.join('; ') : null;
  return out;
}

/** Records the readings of a run: start() once etcd is up, end() before it is stopped. */
export class EtcdFactsRecorder {
  private startReadings: MemberReading[] = [];
  private endReadings: MemberReading[] | null = null;
  private readonly raft: RaftSettings;
  readonly members: MemberRef[];

  constructor(endpoints: readonly string[], cluster: EmbeddedCluster | null) {
    this.members = cluster ? cluster.members.map((m) => ({ name: m.name, clientUrl: m.clientUrl })) : endpoints.map((e) => ({ name: e, clientUrl: e.replace(/\/+$/, '') }));
    this.raft = raftSettings(cluster ? cluster.spec.extraArgs : null);
  }

  async start(): Promise<void> {
    this.startReadings = await Promise.all(this.members.map((m) => readMember(m)));
  }

  async end(timeoutMs?: number): Promise<void> {
    this.endReadings = await Promise.all(this.members.map((m) => readMember(m, timeoutMs)));
  }

  facts(): EtcdFacts {
    return etcdFacts(this.members, this.raft, this.startReadings, this.endReadings);
  }
}
