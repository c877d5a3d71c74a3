/**
 * SIGSTOP an etcd member of a test cluster (a member that accepts
 * connections but never answers) and SIGCONT it when the test ends, also on
 * failure. Only the member's own pid is signalled, never a name pattern.
 *
 *   const resume = pauseMember(t, follower);   ...   resume();   // idempotent
 */
import type { Member } from './etcd-cluster.ts';

export function pauseMember(t: { after: (fn: () => unknown) => void }, m: Member): () => void {
  const pid = m.pid;
  let paused = true;
  process.kill(pid, 'SIGSTOP');
  const resume = () => {
    if (!paused) return;
    paused = false;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone already */
    }
  };
  t.after(resume);
  return resume;
}

/** The members in endpoint order with a follower (not the raft leader) first. */
export async function followerFirst<M extends Member>(cluster: { members: readonly M[]; leader(): Promise<Member | null> }): Promise<{ follower: M; members: M[] }> {
  const leader = await cluster.leader();
  if (!leader) throw new Error('the test cluster has no raft leader');
  const follower = cluster.members.find((m) => m.name !== leader?.name)!;
  return { follower, members: [follower, ...cluster.members.filter((m) => m !== follower)] };
}
