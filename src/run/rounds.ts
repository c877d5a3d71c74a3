/**
 * One failover round, run from its row of the fault table: wait for a master
 * to aim at and for the agents, land the fault at a uniformly random phase of
 * the keep-alive period, wait until the run model says the round is complete
 * (or its deadline passes), publish the result, put the cluster back. A round
 * cancelled by its signal (`x`, quit) is published as cancelled, never as a
 * failed result, and nothing is restarted after it.
 *
 *   round-start {round: 3, fault: 'kill', rules: {...}, oldMaster: 'local-m2'}
 *   fault {round: 3, verb: 'SIGKILL', target: 'local-m2', pid: 4242, t}
 *   round-end {result: {round: 3, failoverMs: 2142.3, ...}, summary}
 */
import { now } from '../clock.ts';
import type { Config } from '../config/load.ts';
import { BenchError, oneLine } from '../errors.ts';
import type { BenchEvent, FaultKind, RoundResult } from '../events.ts';
import type { EmbeddedCluster } from '../cluster/embedded.ts';
import type { WorkerHandle } from '../fleet/host.ts';
import { agentsOnActive, agentsReady, agentsStarted, closeRound, liveMasters, roundStatus, targetMaster } from '../model/select.ts';
import type { RunModel } from '../model/run-model.ts';
import { faultRow, type FaultContext, type Injected, type PartitionLab } from './faults.ts';
import { abortReason, WaitAborted, type Waiters } from './wait.ts';

export interface RoundDeps {
  config: Config;
  model: RunModel;
  waits: Waiters;
  cluster: EmbeddedCluster | null;
  /** the masters' network namespaces (partition), when the run made them */
  lab: PartitionLab | null;
  publish: (e: BenchEvent) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  handleOf: (masterId: string) => WorkerHandle | null;
  restartMaster: (id: string, signal: AbortSignal) => Promise<void>;
  /** a reason to stop waiting for a master at once (the key is held by something this run did not write) */
  blocked: () => string | null;
  /** the round is over: its line in rounds.csv, the summary on disk */
  recorded: (result: RoundResult) => void;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new WaitAborted(`stopped: ${abortReason(signal)}`));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WaitAborted(`stopped: ${abortReason(signal)}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What must hold before a fault: a master to aim at (the one named, if any), a standby, every agent on it. */
async function prepare(d: RoundDeps, fault: FaultKind, signal: AbortSignal, aim: string | null): Promise<string> {
  const st = d.config.settings;
  const row = faultRow(fault);
  if (row.needsEmbedded && !d.cluster) throw new BenchError(`the ${fault} fault needs the embedded cluster (--endpoints embedded)`);
  const refused = row.refuse?.(d.config);
  if (refused) throw new BenchError(refused);
  await d.waits.until(() => targetMaster(d.model) !== null, {
    timeoutMs: (st.ttl + 5) * 1000,
    signal,
    what: () => 'no active master (start masters first: s)',
    failWhen: d.blocked,
  });
  const old = targetMaster(d.model)!;
  if (aim !== null && aim !== old.id) throw new BenchError(`the active master is now ${old.id}, not ${aim}: nothing was done (press the key again)`);
  if (row.needsStandby && liveMasters(d.model).length < 2) throw new BenchError('a failover needs at least 2 masters running (one standby)');
  await d.waits.until(() => agentsReady(d.model), {
    timeoutMs: st.roundTimeout * 1000,
    signal,
    what: () => `${agentsStarted(d.model) - agentsOnActive(d.model)} agents have not got master ${d.model.active} before round ${d.model.rounds.length + 1}`,
  });
  return old.id;
}

/**
 * Run one round of `fault` (aimed at master `aim` when given: the one the
 * operator confirmed). Resolves with its result, or null when it was
 * cancelled after it started; rejects when it could not start.
 */
export async function runRound(d: RoundDeps, fault: FaultKind, signal: AbortSignal, aim: string | null = null): Promise<RoundResult | null> {
  const st = d.config.settings;
  const row = faultRow(fault);
  const oldId = await prepare(d, fault, signal, aim);
  // land the fault at a uniformly random phase of the keep-alive period
  await abortableSleep(Math.random() * st.refresh * 1000, signal);
  const handle = d.handleOf(oldId);
  if (!handle) throw new BenchError(`master ${oldId} has no running process`);
  const n = d.model.rounds.length + 1;
  const rules = row.rules(st);
  d.publish({ kind: 'round-start', round: n, fault, rules, oldMaster: oldId, t: now() });
  const ctx: FaultContext = {
    settings: st,
    signal,
    old: { id: oldId, host: handle.host, handle },
    cluster: d.cluster,
    lab: d.lab,
    now,
    sleep: (ms) => abortableSleep(ms, signal),
    restartMaster: (id) => d.restartMaster(id, signal),
    waitMasterBack: (id) =>
      d.waits.until(() => ['candidate', 'master'].includes(d.model.masters.get(id)?.state ?? ''), {
        timeoutMs: (st.ttl + 10) * 1000,
        signal,
        what: () => `${id} did not come back as a candidate`,
      }),
    log: (m) => d.log('info', m),
  };
  let injected: Injected | null = null;
  let error: string | undefined;
  try {
    injected = await row.inject(ctx);
    d.publish({ kind: 'fault', round: n, fault, verb: row.verb, target: injected.target, host: injected.host, pid: injected.pid, t: injected.t });
    void injected.healed?.then((t) => d.publish({ kind: 'fault-healed', round: n, t }));
    // a fault that lasts (a pause, a partition) extends the round's deadline by its length
    const extra = (row.lastsS?.(st) ?? 0) * 1000;
    await d.waits.until(() => roundStatus(d.model)?.complete === true, { timeoutMs: st.roundTimeout * 1000 + extra, signal, what: () => roundStatus(d.model)?.reason ?? 'the round ended' });
  } catch (e) {
    if (signal.aborted) {
      await injected?.healed;
      d.publish({ kind: 'round-cancelled', round: n, reason: abortReason(signal), t: now() });
      return null;
    }
    error = oneLine(e);
  }
  if (injected?.healed) await injected.healed;
  const closed = closeRound(d.model, error)!;
  d.publish({ kind: 'round-end', result: closed.result, summary: closed.summary, t: now() });
  d.recorded(closed.result);
  if (!signal.aborted) await row.restore(ctx, injected).catch((e) => !signal.aborted && d.log('error', `round ${n}: restoring the standby failed: ${oneLine(e)}`));
  return closed.result;
}
