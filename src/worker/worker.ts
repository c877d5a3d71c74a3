/**
 * The program that runs ON a host (bundled into one file by
 * src/fleet/bundle.ts, so a host needs only `node`):
 *
 *   worker master --endpoints URLS --backend v3-lease --ttl 2 --refresh 0.5 --id h1-m1 --host h1
 *   worker agents 200 --endpoints URLS --backend v3-lease --id h2 --host h2 [--agent-mode own|grpc]
 *   worker clock                 answers {"cmd":"ping","seq":n} with a pong (clock offset)
 *   worker signal PID SIGKILL    sends the signal, prints the time right before kill(2)
 *
 * Events go to stdout as JSON lines (src/events.ts), commands come on stdin;
 * closing stdin stops the worker (a master releases its key first), so a
 * worker never outlives the channel that started it.
 */
import { parseArgs } from 'node:util';
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import { now } from '../clock.ts';
import { BACKENDS, type BackendName, type Role, type WorkerCommand, type WorkerEventName } from '../events.ts';
import { electionTransport, spreadIndex, Transport } from '../etcd/transport.ts';
import { EtcdV2 } from '../etcd/v2.ts';
import { AGENT_MODES, agentModeConflict, type AgentMode } from '../config/settings.ts';
import { createAgents, createMaster } from '../election/factory.ts';
import { seedRecorder } from '../election/seed-keys.ts';
import type { ElectionSettings, Emit } from '../election/types.ts';

// thousands of agents each hang abort listeners on the one stop signal
setMaxListeners(0);

class UsageError extends Error {}

const options = {
  endpoints: { type: 'string' },
  backend: { type: 'string', default: 'v3-lease' },
  ttl: { type: 'string', default: '2' },
  refresh: { type: 'string', default: '0.5' },
  'master-path': { type: 'string', default: '/master' },
  'ego-key': { type: 'string', default: '/ego_conf' },
  'ego-size': { type: 'string', default: '1024' },
  id: { type: 'string' },
  host: { type: 'string', default: 'localhost' },
  'seed-keys': { type: 'boolean', default: false },
  'clock-skew-ms': { type: 'string', default: '0' },
  'agent-mode': { type: 'string', default: 'own' },
} as const;

function num(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name}: expected a number >= ${min}, got "${v}"`);
  return n;
}

/** The test-only clock shift (`--clock-skew-ms`, or a `skew` command). */
const skew = { ms: 0 };

/**
 * Event lines are batched per event-loop turn: a write to a pipe is a
 * synchronous syscall on Linux, and 10,000 agents notified at once would
 * otherwise pay one each. Each line's `t` is taken when it is emitted.
 */
let pending: string[] = [];
function out(line: string): void {
  if (pending.length === 0) setImmediate(flushOut);
  pending.push(line);
}

export function flushOut(): void {
  if (pending.length === 0) return;
  const chunk = pending.join('\n') + '\n';
  pending = [];
  process.stdout.write(chunk);
}

function emitter(host: string, role: Role, id: string): Emit {
  const pid = process.pid;
  return (ev: WorkerEventName, fields?: Record<string, unknown>) => out(JSON.stringify({ t: now() + skew.ms, host, pid, role, id, ev, ...fields }));
}

function settingsFrom(v: Record<string, string | boolean | undefined>): ElectionSettings {
  const endpoints = String(v.endpoints ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (endpoints.length === 0) throw new UsageError('--endpoints: required (comma-separated URLs)');
  const backend = String(v.backend) as BackendName;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend: expected one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const ttl = num('ttl', v.ttl as string, 1);
  const refresh = num('refresh', v.refresh as string, 0.01);
  if (refresh >= ttl) throw new UsageError(`--refresh: must be below --ttl (${refresh} >= ${ttl})`);
  return {
    endpoints,
    backend,
    ttl,
    refresh,
    masterPath: String(v['master-path']),
    egoKey: String(v['ego-key']),
    egoSize: num('ego-size', v['ego-size'] as string, 0),
    seedKeys: v['seed-keys'] === true,
  };
}

/** Reads commands until stdin closes; returns a promise that settles on close or `stop`. */
function commandChannel(emit: Emit, onCommand: (c: WorkerCommand) => void): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    rl.on('line', (line) => {
      let c: WorkerCommand;
      try {
        c = JSON.parse(line) as WorkerCommand;
      } catch {
        return emit('error', { message: `bad command line: ${line.slice(0, 80)}` });
      }
      if (c.cmd === 'ping') {
        // at once: a batched pong would bias the clock offset by the batching delay
        emit('pong', { seq: c.seq });
        flushOut();
      }
      else if (c.cmd === 'skew') skew.ms = c.ms;
      else if (c.cmd === 'stop') resolve();
      else onCommand(c);
    });
    rl.once('close', () => resolve());
  });
}

/** SIGTERM/SIGINT or stdin closed -> graceful stop. */
function stopRequested(channel: Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    void channel.then(() => resolve('stdin'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}

async function runMaster(v: Record<string, string | boolean | undefined>): Promise<number> {
  const s = settingsFrom(v);
  const host = String(v.host);
  const id = String(v.id ?? `${host}-m${process.pid}`);
  const emit = emitter(host, 'master', id);
  // masters start spread over the members (by id) and time out a hung one well inside T
  const transport = electionTransport(s.endpoints, s.ttl, { start: spreadIndex(id, s.endpoints.length) });
  const seed = s.seedKeys ? seedRecorder(new EtcdV2(transport), host, id) : null;
  const master = createMaster(s.backend, s, transport, id, emit, seed);
  emit('start', { backend: s.backend, ttl: s.ttl, refresh: s.refresh });
  const ctl = new AbortController();
  const channel = commandChannel(emit, (c) => {
    if (c.cmd === 'resign') master.resign();
  });
  const running = master.run(ctl.signal);
  const why = await stopRequested(channel);
  // graceful release: revoke the lease / delete the key so a standby takes over in ms
  await withTimeout(
    master.release().catch((e: Error) => emit('error', { message: `release: ${e.message}` })),
    2000,
  );
  ctl.abort();
  await withTimeout(running, 1000);
  emit('exit', { reason: why });
  return 0;
}

/** --agent-mode: own | grpc, and whether it can serve the backend */
function agentModeFrom(v: Record<string, string | boolean | undefined>, s: ElectionSettings): AgentMode {
  const mode = String(v['agent-mode']) as AgentMode;
  if (String(mode) === 'multiplexed') throw new UsageError('--agent-mode: "multiplexed" is now grpc (one gRPC watch stream per etcd member)');
  if (!AGENT_MODES.includes(mode)) throw new UsageError(`--agent-mode: expected one of ${AGENT_MODES.join(', ')}, got "${mode}"`);
  const conflict = agentModeConflict(mode, s.backend);
  if (conflict) throw new UsageError(`--agent-mode ${mode} --backend ${s.backend}: ${conflict}`);
  return mode;
}

async function runAgents(count: number, v: Record<string, string | boolean | undefined>): Promise<number> {
  const s = settingsFrom(v);
  const mode = agentModeFrom(v, s);
  const host = String(v.host);
  const prefix = String(v.id ?? host);
  emitter(host, 'agent', prefix)('start', { count, backend: s.backend, process: true });
  const seedTransport = new Transport(s.endpoints);
  const ctl = new AbortController();
  const agents = createAgents(mode, s, {
    count,
    prefix,
    emitter: (id) => emitter(host, 'agent', id),
    seedFor: (id) => (s.seedKeys ? seedRecorder(new EtcdV2(seedTransport), host, id) : null),
    note: emitter(host, 'agent', prefix),
  });
  await agents.start(ctl.signal);
  const channel = commandChannel(emitter(host, 'agent', prefix), () => {});
  const why = await stopRequested(channel);
  ctl.abort();
  await agents.stop();
  emitter(host, 'agent', prefix)('exit', { reason: why });
  return 0;
}

async function runClock(host: string): Promise<number> {
  const emit = emitter(host, 'master', 'clock');
  await commandChannel(emit, () => {});
  return 0;
}

function runSignal(pidArg: string | undefined, sig: string | undefined, host: string): number {
  const pid = Number(pidArg);
  if (!Number.isInteger(pid) || pid <= 0) throw new UsageError(`signal: bad pid "${pidArg}"`);
  if (!sig || !/^SIG[A-Z]+$/.test(sig)) throw new UsageError(`signal: bad signal "${sig}"`);
  // stamped before kill(2): a lower bound of its effects (see WorkerHandle.signal)
  const t = now() + skew.ms;
  try {
    process.kill(pid, sig as NodeJS.Signals);
  } catch (e) {
    emitter(host, 'master', String(pid))('error', { message: (e as Error).message, target: pid });
    return 1;
  }
  emitter(host, 'master', String(pid))('signal-sent', { target: pid, signal: sig, t });
  return 0;
}

/** `worker <kind> ...`; returns the exit code. */
export async function runWorker(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    skew.ms = num('clock-skew-ms', values['clock-skew-ms'], -1e12);
    const [kind, arg1, arg2] = positionals;
    switch (kind) {
      case 'master':
        return await runMaster(values);
      case 'agents': {
        const n = Number(arg1);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`agents: expected a count of agents, got "${arg1}"`);
        return await runAgents(n, values);
      }
      case 'clock':
        return await runClock(values.host);
      case 'signal':
        return runSignal(arg1, arg2, values.host);
      default:
        throw new UsageError(`worker: expected master|agents N|clock|signal PID SIG, got "${kind ?? ''}"`);
    }
  } catch (e) {
    process.stderr.write(`etcd-election-bench worker: ${(e as Error).message}\n`);
    return e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}
