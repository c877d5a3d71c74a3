/**
 * `own` agent mode (the default): every agent has a connection of its own
 * for its one long-lived request (v3: the watch stream of the master range
 * and ego_conf; v2: the current wait), as the seed ran one curl per agent;
 * reads share one keep-alive pool. A shared HTTP/1.1 pool cannot carry the
 * watches: each holds its connection. Agent i starts on endpoint i mod M.
 *
 *   worker agents 2000 --endpoints http://10.0.0.1:2379,... --agent-mode own
 */
import { Agent as Dispatcher } from 'undici';
import { electionTransport } from '../etcd/transport.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { masterViews, V2TtlAgent, V3Follower, V3OwnAgent } from './agent.ts';
import { agentId, breathe, within, type AgentsProcess, type AgentsSpec } from './agents-process.ts';
import type { AgentLoop, ElectionSettings } from './types.ts';

export function ownAgents(s: ElectionSettings, spec: AgentsSpec): AgentsProcess {
  // gets share one keep-alive pool; each agent's watch has a connection of its own
  const shared = new Dispatcher({ keepAliveTimeout: 60_000, connections: 64 });
  const dispatchers: Dispatcher[] = [shared];
  const loops: Promise<void>[] = [];
  const view = masterViews(s);
  return {
    async start(signal) {
      for (let i = 0; i < spec.count && !signal.aborted; i++) {
        const id = agentId(spec.prefix, i);
        const emit = spec.emitter(id);
        // connections: 1 makes it a plain Client, not a Pool
        const own = new Dispatcher({ keepAliveTimeout: 60_000, connections: 1 });
        dispatchers.push(own);
        // spread over the members; a hung member costs one timeout well inside T (electionTransport)
        const transport = electionTransport(s.endpoints, s.ttl, { dispatcher: shared, streamDispatcher: own, start: i });
        const seed = spec.seedFor(id);
        const agent: AgentLoop =
          s.backend === 'v2-ttl'
            ? new V2TtlAgent(new EtcdV2(transport), s, emit, seed)
            : new V3OwnAgent(new EtcdV3(transport), new V3Follower(view(), s, emit, seed));
        emit('start');
        loops.push(agent.run(signal));
        await breathe(i);
      }
    },
    async stop() {
      await within(Promise.all(loops), 1000);
      await within(Promise.all(dispatchers.map((d) => d.destroy())), 1000);
    },
  };
}
