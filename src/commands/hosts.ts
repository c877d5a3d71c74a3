/**
 * `etcd-election-bench hosts`: the table (or `--json`) of src/fleet/probe.ts's
 * findings; exit 0 when every host is up, else 1.
 *
 *   HOST                  ROLES         VIA    STATE  NODE      CLOCK OFFSET         WORKER
 *   localhost             master        local  up     v20.20.2  +0.000 ± 0.000 ms    1fe796e1302db7dd (local)
 */
import { writeFileSync } from 'node:fs';
import { NONE } from '../stats/format.ts';
import { probeHosts, type HostsCommandOptions, type HostsConfig, type HostStatus } from '../fleet/probe.ts';
import { commonFlagOptions, configFromFlags } from '../config/flags.ts';
import { checkJsonPath } from '../run/preflight.ts';
import { outputFlag, parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

export { probeHosts, type HostsCommandOptions, type HostsConfig, type HostStatus };

function fmtOffset(s: HostStatus): string {
  if (s.clockOffsetMs === null || s.clockUncertaintyMs === null) return NONE;
  const sign = s.clockOffsetMs < 0 ? '-' : '+';
  return `${sign}${Math.abs(s.clockOffsetMs).toFixed(3)} ± ${s.clockUncertaintyMs.toFixed(3)} ms`;
}

/** The table, the reasons under it, and a count line. */
export function formatHostsTable(rows: HostStatus[]): string {
  const head = ['HOST', 'ROLES', 'VIA', 'STATE', 'NODE', 'CLOCK OFFSET', 'WORKER', 'CONNECT'];
  const body = rows.map((r) => [
    r.host,
    r.roles.join(','),
    r.transport,
    r.ok ? 'up' : r.reachable ? 'FAIL' : 'DOWN',
    r.nodeVersion ?? NONE,
    fmtOffset(r),
    r.workerHash ? `${r.workerHash} (${r.deployed})` : NONE,
    r.connectMs === null ? NONE : `${r.connectMs} ms`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out = [line(head), ...body.map(line)];
  const failed = rows.filter((r) => !r.ok);
  // SshError messages start with the host name already
  const why = (r: HostStatus) => (r.reason ?? 'failed').replace(`${r.host}: `, '');
  if (failed.length) out.push('', ...failed.map((r) => `${r.host} (${r.where}): ${why(r)}`));
  out.push(`${rows.length - failed.length} of ${rows.length} hosts up`);
  return out.join('\n') + '\n';
}

/** `hosts`: print the table (or JSON); 0 when every host is up, else 1. */
export async function hostsCommand(config: HostsConfig, opts: HostsCommandOptions = {}): Promise<number> {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const rows = await probeHosts(config, opts);
  const ok = rows.every((r) => r.ok);
  if (opts.json === true || opts.json === '-') write(JSON.stringify({ ok, hosts: rows }, null, 2) + '\n');
  else if (typeof opts.json === 'string' && opts.json !== '') writeFileSync(opts.json, JSON.stringify({ ok, hosts: rows }, null, 2) + '\n');
  else write(formatHostsTable(rows));
  return ok ? 0 : 1;
}

export const USAGE = 'usage: etcd-election-bench hosts [--conf DIR] [--json FILE|-] [--accept-new-host-keys]';

/** `hosts` from the command line. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values } = parseFlags(argv, { ...commonFlagOptions, json: { type: 'string' }, 'accept-new-host-keys': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'hosts');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const json = outputFlag(values.json, '--json');
  checkJsonPath(json);
  return hostsCommand(configFromFlags(values), { json, acceptNewHostKeys: values['accept-new-host-keys'] === true });
}
