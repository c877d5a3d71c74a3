/**
 * Stop the benchmark's workers on every configured host (for `stop`),
 * whoever started them (the seed's killRemoteServices.sh). Agents only by
 * default; with --masters, masters too. Workers are found by their command
 * line (`node .../worker-<hash>.mjs agents|master ...`), sent SIGCONT +
 * SIGTERM (a master releases its key), and SIGKILLed after a grace.
 */
import type { Config } from '../config/load.ts';
import { oneLine } from '../errors.ts';
import { alive, findProcessesSync } from './process-table.ts';
import { SshHost } from './ssh/index.ts';

export interface LocalWorkerProc {
  pid: number;
  kind: string;
}

/** This machine's worker processes, from /proc: `node .../etcd-election-bench/worker-<hash>.mjs <kind> ...`. */
export function localWorkers(): LocalWorkerProc[] {
  const bundleArg = (argv: string[]) => argv.findIndex((a) => /etcd-election-bench\/worker-[0-9a-f]+\.mjs$/.test(a));
  return findProcessesSync((argv) => bundleArg(argv) >= 0).map(({ pid, argv }) => ({ pid, kind: argv[bundleArg(argv) + 1] ?? '' }));
}

async function stopLocal(pids: number[], graceMs = 3000): Promise<number> {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGCONT');
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of pids.filter(alive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return pids.length;
}


export interface StopOutcome {
  host: string;
  /** workers stopped, or the error that kept the host from being reached */
  stopped: number | null;
  error: string | null;
}

/** Stop agents (and, with masters, masters) on every agent (and master) host, one host at a time; never rejects. */
export async function stopWorkers(config: Config, opts: { masters: boolean; acceptNewHostKeys?: boolean }, onHost: (o: StopOutcome) => void = () => {}): Promise<StopOutcome[]> {
  const kinds = opts.masters ? ['agents', 'master'] : ['agents'];
  const hosts = new Map<string, (typeof config.masters)[number]>();
  // agents live on agent hosts, masters on master hosts; a host in both lists is visited once
  for (const h of config.agents) hosts.set(h.name, h);
  if (opts.masters) for (const h of config.masters) hosts.set(h.name, h);
  const out: StopOutcome[] = [];
  let localDone = false;
  for (const spec of hosts.values()) {
    if (spec.local && localDone) continue;
    let o: StopOutcome;
    try {
      if (spec.local) {
        localDone = true;
        const pids = localWorkers()
          .filter((w) => kinds.includes(w.kind))
          .map((w) => w.pid);
        await stopLocal(pids);
        o = { host: spec.name, stopped: pids.length, error: null };
      } else {
        const host = new SshHost(
          { name: spec.name, user: spec.user, address: spec.address, port: spec.port },
          { identity: config.settings.identity ?? undefined, knownHosts: config.settings.knownHosts ?? undefined, acceptNewHostKeys: opts.acceptNewHostKeys },
        );
        try {
          await host.connect();
          const pids = (await host.listWorkers()).filter((w) => kinds.includes(w.kind)).map((w) => w.pid);
          await host.killWorkers(pids);
          o = { host: spec.name, stopped: pids.length, error: null };
        } finally {
          await host.close();
        }
      }
    } catch (e) {
      o = { host: spec.name, stopped: null, error: oneLine(e) };
    }
    out.push(o);
    onHost(o);
  }
  return out;
}
