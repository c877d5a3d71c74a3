/**
 * The dashboard store: a pure reducer from BenchEvents to DashboardState, the
 * selectors the panels read, the plain-text printer, and the action/source
 * seams the views are given. Nothing here imports React or Ink.
 */
export * from './state.ts';
export * from './reduce.ts';
export * from './select.ts';
export * from './format.ts';
export * from './plain.ts';
export * from './ring.ts';
export * from './buffered-source.ts';
export type { DashboardActions, EventSource, ActionName } from './actions.ts';
