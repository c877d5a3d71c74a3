/**
 * The shapes of the embedded cluster: a member, the spec that (re)starts any
 * member (persisted by `cluster start`, see state.ts), its status, and the
 * handle the rest of the program holds.
 *
 *   { name: 'm1', clientUrl: 'http://127.0.0.1:24942', peerUrl: 'http://127.0.0.1:11290', pid: 6276, dataDir: '/tmp/etcd-bench-Xc1q2L/m1' }
 */

export interface Member {
  /** m1, m2, ... */
  name: string;
  /** http://127.0.0.1:PORT */
  clientUrl: string;
  peerUrl: string;
  /** pid of the running (or last started) etcd; updated by restartMember */
  pid: number;
  /** this member's etcd --data-dir */
  dataDir: string;
}

/** Everything needed to (re)start any member; persisted by `cluster start` (state.ts). */
export interface ClusterSpec {
  token: string;
  host: string;
  /** root of the member data dirs and logs */
  dataDir: string;
  /** true when we created dataDir (mkdtemp): stop() removes it */
  ownsDataDir: boolean;
  etcdBin: string;
  /** extra etcd flags for every member, e.g. ['--heartbeat-interval=50'] */
  extraArgs: string[];
  /**
   * more addresses each member's client port listens on besides `host`
   * (--embedded-listen, the partition lab's veth links), e.g. ['198.18.37.1']; absent in older state files
   */
  listen?: string[];
  members: Member[];
}

export interface MemberStatus {
  name: string;
  up: boolean;
  /** this member is the raft leader */
  leader: boolean;
  clientUrl: string;
  pid: number;
}

export interface ClusterStatus {
  /** name of the raft leader, null when none answers as leader */
  leader: string | null;
  /** highest revision reported by a live member */
  revision: string | null;
  members: MemberStatus[];
}

export type MemberSignal = 'SIGKILL' | 'SIGTERM' | 'SIGINT';

export interface EmbeddedCluster {
  readonly endpoints: string[];
  /** live objects: a restart updates `pid` */
  readonly members: Member[];
  readonly dataDir: string;
  readonly spec: Readonly<ClusterSpec>;
  /** the raft leader: the live member that reports itself as leader (highest term wins) */
  leader(): Promise<Member | null>;
  status(): Promise<ClusterStatus>;
  /** signal one member and wait until it is dead (a TERM/INT that does not kill within 10 s is followed by KILL) */
  killMember(name: string, signal?: MemberSignal): Promise<void>;
  /** start a dead member again with its data dir and ports, wait until it answers and knows a leader */
  restartMember(name: string): Promise<void>;
  /** SIGTERM (followers first), SIGKILL after a deadline (1-3 s), wait for exit, remove the data dir if we created it; idempotent */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** default 3 */
  members?: number;
  /** root for member data dirs; must not hold a cluster already. Default: a fresh dir `$TMPDIR/etcd-bench-XXXXXX`, removed on stop */
  dataDir?: string;
  /** loopback address to listen on; default 127.0.0.1 */
  host?: string;
  /**
   * aborting it during start fails the start with an AbortError (nothing
   * left: no member, no data dir of ours); after start it stops the cluster
   */
  signal?: AbortSignal;
  /** every member log line, prefixed "m1: " (not called with detached: true, whose logs go to files only) */
  onLog?: (line: string) => void;
  /** true: the members outlive this process (`cluster start`) */
  detached?: boolean;
  /** health deadline, default 20 s */
  timeoutMs?: number;
  /** default: `etcd` on PATH, else /usr/bin/etcd */
  etcdBin?: string;
  /** appended to every member's flags */
  extraArgs?: string[];
  /** more addresses every member's client port listens on (each must exist on this machine), e.g. ['198.18.37.1'] */
  listen?: string[];
}

export interface AttachHooks {
  /** a member got a new pid (restartMember): persist it */
  onMembersChanged?: (members: Member[]) => void | Promise<void>;
  /** stop() finished: forget the cluster */
  onStopped?: () => void | Promise<void>;
}
