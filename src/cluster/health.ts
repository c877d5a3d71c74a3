/**
 * Health of the members, through src/etcd: each member's
 * `/v3/maintenance/status` (EtcdV3.status on a one-endpoint Transport),
 * then who is the raft leader and whether the members agree on one.
 *
 *   { memberId: '10501334649042878790', leader: '10501334649042878790', revision: '42', raftTerm: '2' }   m1 is the leader
 *
 * Probes use their own connection pool without keep-alive: no idle socket
 * to a member that may be killed next.
 */
import { Agent } from 'undici';
import { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import type { ClusterStatus, Member } from './spec.ts';

/** per-probe deadline, ms: connect + answer */
export const PROBE_TIMEOUT_MS = 1000;

/** One member's status reply; null in a list = it did not answer. */
export type MemberReply = Awaited<ReturnType<EtcdV3['status']>>;

function bigint(s: string | undefined): bigint {
  try {
    return BigInt(s || '0');
  } catch {
    return 0n;
  }
}

export class HealthProbe {
  private readonly dispatcher = new Agent({ connect: { timeout: PROBE_TIMEOUT_MS }, pipelining: 0 });
  private readonly clients = new Map<string, EtcdV3>();

  /** Status of the member at `clientUrl`; null when it does not answer within PROBE_TIMEOUT_MS (or `signal` aborts). */
  async member(clientUrl: string, signal?: AbortSignal): Promise<MemberReply | null> {
    let etcd = this.clients.get(clientUrl);
    if (!etcd) {
      etcd = new EtcdV3(new Transport([clientUrl], this.dispatcher, PROBE_TIMEOUT_MS));
      this.clients.set(clientUrl, etcd);
    }
    const deadline = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    try {
      // AbortSignal.any is Node >= 20.3; before that the probe only has its deadline
      const r = await etcd.status(signal && typeof AbortSignal.any === 'function' ? AbortSignal.any([signal, deadline]) : deadline);
      return r.memberId ? r : null;
    } catch {
      return null;
    }
  }

  all(members: readonly Member[], signal?: AbortSignal): Promise<(MemberReply | null)[]> {
    return Promise.all(members.map((m) => this.member(m.clientUrl, signal)));
  }

  close(): Promise<void> {
    return this.dispatcher.close().catch(() => {});
  }
}

/** A member that knows a raft leader (after a restart: it has rejoined). */
export function knowsLeader(r: MemberReply | null): boolean {
  return !!r?.leader && r.leader !== '0';
}

/** index of the member that reports itself leader, highest raft term first; -1 for none */
export function leaderIndex(replies: (MemberReply | null)[]): number {
  let best = -1;
  let bestTerm = -1n;
  replies.forEach((r, i) => {
    if (!r?.leader || r.leader !== r.memberId) return;
    const term = bigint(r.raftTerm);
    if (term > bestTerm) {
      best = i;
      bestTerm = term;
    }
  });
  return best;
}

/** The status of the cluster from its members' replies (in member order). */
export function clusterStatus(members: readonly Member[], replies: (MemberReply | null)[]): ClusterStatus {
  const li = leaderIndex(replies);
  let revision: bigint | null = null;
  for (const r of replies) {
    if (!r?.revision) continue;
    const rev = bigint(r.revision);
    if (revision === null || rev > revision) revision = rev;
  }
  return {
    leader: li < 0 ? null : members[li]!.name,
    revision: revision === null ? null : String(revision),
    members: members.map((m, i) => ({ name: m.name, up: replies[i] !== null, leader: i === li, clientUrl: m.clientUrl, pid: m.pid })),
  };
}

/** every member answers and all agree on one leader that answers too */
export function agreeOnLeader(replies: (MemberReply | null)[]): boolean {
  if (replies.some((r) => r === null)) return false;
  const leaders = new Set(replies.map((r) => r!.leader));
  const [only] = [...leaders];
  return leaders.size === 1 && !!only && only !== '0' && replies.some((r) => r!.memberId === only);
}
