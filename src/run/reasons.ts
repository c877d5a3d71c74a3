/**
 * Why a wait for a master cannot end or did not end, in one line, read from
 * the run model: the session's waits name these when they fail.
 *
 *   blockedReason(model, '/master')   // 'the master key /master is held by "x" with no lease (it never expires), ...' or null
 *   noMasterReason(model, '/master')  // 'masters still starting: local-m2' | 'no master was elected' | ...
 */
import { foreignHolder, liveMasters, targetMaster } from '../model/select.ts';
import type { RunModel } from '../model/run-model.ts';

/** the master key is held by a value this run did not write and that never expires: waiting cannot help */
export function blockedReason(m: RunModel, masterPath: string): string | null {
  const f = foreignHolder(m);
  if (!f || f.lease !== null) return null;
  return `the master key ${masterPath} is held by ${JSON.stringify(f.value)} with no lease (it never expires), which this run did not write: delete it (clean) or use another --master-path`;
}

/** what a wait for an elected master was left with */
export function noMasterReason(m: RunModel, masterPath: string): string {
  const f = foreignHolder(m);
  if (f) return `the master key ${masterPath} is held by ${JSON.stringify(f.value)} (lease ${f.lease}), which this run did not write`;
  const starting = liveMasters(m).filter((x) => x.state === 'starting');
  return targetMaster(m) && starting.length > 0 ? `masters still starting: ${starting.map((x) => x.id).join(', ')}` : 'no master was elected';
}
