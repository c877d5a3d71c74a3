/**
 * The one interface behind which the three election backends live
 * (DESIGN §3): v3-lease (default), v2-ttl (the seed's protocol) and
 * v3-election (etcd's election service, interoperates with `etcdctl elect`).
 */
import type { WorkerEventName } from '../events.ts';
import type { Settings } from '../config/settings.ts';

export type Emit = (ev: WorkerEventName, fields?: Record<string, unknown>) => void;

/** What a worker needs of the bench settings (same names and units), with the endpoints resolved. */
export type ElectionSettings = Pick<Settings, 'backend' | 'ttl' | 'refresh' | 'masterPath' | 'egoKey' | 'egoSize' | 'seedKeys'> & {
  endpoints: string[];
};

/** Why a master stopped being master. */
export type StepdownReason = 'deadline' | 'lease-lost' | 'key-lost' | 'resign' | 'term' | 'stop';

export interface Master {
  /** campaign, hold, step down, campaign again ... until the signal aborts */
  run(signal: AbortSignal): Promise<void>;
  /** release now (if master) and let another candidate win */
  resign(): void;
  /** release the key/lease if we hold it, and never campaign again (run() then ends): on SIGTERM and stdin close */
  release(): Promise<void>;
  readonly isMaster: boolean;
}

export interface AgentLoop {
  run(signal: AbortSignal): Promise<void>;
}

export interface SeedRecorder {
  newMaster(startSec: number, electedSec: number): Promise<void>;
  agent(round: number, master: string, startSec: number, gotSec: number): Promise<void>;
}
