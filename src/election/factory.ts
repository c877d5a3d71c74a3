/**
 * Backends and agent modes by name (DESIGN §3): the one place that turns
 * `--backend` and `--agent-mode` into objects, for the worker.
 *
 *   const master = createMaster('v3-lease', settings, transport, 'h1-m1', emit, seed);
 *   const agents = createAgents('grpc', settings, { count: 10000, prefix: 'h2', ... });
 */
import { agentModeConflict, type AgentMode } from '../config/settings.ts';
import type { BackendName } from '../events.ts';
import type { Transport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { V3LeaseMaster } from './v3-lease.ts';
import { V2TtlMaster } from './v2-ttl.ts';
import { V3ElectionMaster } from './v3-election.ts';
import { ownAgents } from './own-agents.ts';
import { grpcAgents } from './grpc-agents.ts';
import type { AgentsProcess, AgentsSpec } from './agents-process.ts';
import type { ElectionSettings, Emit, Master, SeedRecorder } from './types.ts';

export function createMaster(backend: BackendName, s: ElectionSettings, transport: Transport, id: string, emit: Emit, seed: SeedRecorder | null): Master {
  switch (backend) {
    case 'v2-ttl':
      return new V2TtlMaster(new EtcdV2(transport), s, id, emit, seed);
    case 'v3-election':
      return new V3ElectionMaster(new EtcdV3(transport), s, id, emit, seed);
    case 'v3-lease':
      return new V3LeaseMaster(new EtcdV3(transport), s, id, emit, seed);
  }
}

/** The agents of one process in `mode`; throws when the mode cannot serve `s.backend` (see agentModeConflict). */
export function createAgents(mode: AgentMode, s: ElectionSettings, spec: AgentsSpec): AgentsProcess {
  const conflict = agentModeConflict(mode, s.backend);
  if (conflict) throw new Error(conflict);
  return mode === 'grpc' ? grpcAgents(s, spec) : ownAgents(s, spec);
}

export type { AgentsProcess, AgentsSpec };
