/**
 * The run model: the one fold of BenchEvents (./run-model.ts), its
 * selectors (./select.ts) and the dashboard's picture of it (./snapshot.ts).
 */
export * from './types.ts';
export * from './run-model.ts';
export * from './select.ts';
export * from './snapshot.ts';
export { RoundState, DEFAULT_RULES, type RoundStatus, type AgentTimes } from './round.ts';
export { SummarySamples } from './summary.ts';
