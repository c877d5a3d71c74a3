/**
 * The `run --json` object and summary.json (DESIGN §6), read from the run
 * model: {config, hosts, rounds, summary, ok, errors, warnings}.
 *
 *   {"config": {"runId": "20261125-153012-4f2a", "backend": "v3-lease", ...},
 *    "hosts": [{"host": "localhost", "transport": "local", ...}], "rounds": [...],
 *    "summary": {"failoverMs": {"n": 5, ...}, ...}, "ok": true, "errors": [], "warnings": []}
 */
import type { Config } from '../config/load.ts';
import { pauseSeconds } from '../config/settings.ts';
import type { HostReport, RoundResult, RunSummary } from '../events.ts';
import type { RunModel } from '../model/run-model.ts';
import { runSummary } from '../model/select.ts';

export interface RunReport {
  config: Record<string, unknown> & { runId: string };
  hosts: HostReport[];
  rounds: RoundResult[];
  summary: RunSummary;
  ok: boolean;
  errors: string[];
  warnings: string[];
}

export function runReport(model: RunModel, config: Config, runId: string, endpoints: string[], hosts: HostReport[]): RunReport {
  const st = config.settings;
  const rounds = model.rounds;
  return {
    config: {
      runId,
      endpoints,
      embedded: st.endpoints === 'embedded',
      backend: st.backend,
      ttl: st.ttl,
      refresh: st.refresh,
      masterPath: st.masterPath,
      egoKey: st.egoKey,
      egoSize: st.egoSize,
      masters: st.masters,
      agents: st.agents,
      rounds: st.rounds,
      fault: st.fault,
      pauseMs: st.fault === 'pause' ? pauseSeconds(st) * 1000 : null,
      agentMode: st.agentMode,
      seedKeys: st.seedKeys,
      masterHosts: config.masters.map((h) => h.name),
      agentHosts: config.agents.map((h) => h.name),
    },
    hosts,
    rounds,
    summary: runSummary(model),
    ok: rounds.length > 0 && rounds.every((r) => r.ok) && model.errors.length === 0,
    errors: model.errors.slice(),
    warnings: model.warnings.slice(),
  };
}
