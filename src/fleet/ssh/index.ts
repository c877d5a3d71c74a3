/**
 * The SSH side of the fleet, one concern a file; importers take what they
 * need from here:
 *
 *   import { SshHost, connectAll, parseSshTarget } from '../fleet/ssh/index.ts';
 */
export { SshHost, parseSshTarget, type SshHostOptions, type SshHostSpec } from './ssh-host.ts';
export { connectAll, openConnection, type ConnectOptions, type ConnectOutcome, type SshTarget } from './connect.ts';
export { authPlan, type AuthOptions, type AuthPlan } from './auth.ts';
export { hostKeyCheck, type HostKeyCheck, type HostKeyOptions } from './host-key-policy.ts';
export { checkNodeVersion, execChannel, run, shellQuote, type RunResult } from './exec.ts';
export { measureClockOver } from './clock.ts';
export { deployBundle, deployFiles, REMOTE_CACHE_DIR, type DeployFile, type DeployOptions, type DeployResult } from './deploy.ts';
export { GUARD_HASH, GUARD_SOURCE, GuardLink, guardFile } from './guard.ts';
export { SshWorker, killScript, killedPids, signalSentAt, untilFirstEvent, workersInPs, type RemoteWorker } from './remote-worker.ts';
