/**
 * `stop [--masters]`: stop the benchmark's workers on every configured host,
 * whoever started them (the seed's killRemoteServices.sh): agents only, or
 * masters too. One line per host; exit 1 when a host could not be reached.
 *
 *   localhost: stopped 4 worker(s)
 */
import { configFromFlags, commonFlagOptions } from '../config/flags.ts';
import { parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';
import { stopWorkers } from '../fleet/stop-workers.ts';

export const USAGE = 'usage: etcd-election-bench stop [--masters] [--conf DIR] [--accept-new-host-keys]';

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  // `stop --masters` is a switch, while elsewhere --masters takes a count
  const masters = argv.includes('--masters');
  const { values } = parseFlags(argv.filter((a) => a !== '--masters'), { ...commonFlagOptions, 'accept-new-host-keys': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'stop');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const outcomes = await stopWorkers(configFromFlags(values), { masters, acceptNewHostKeys: values['accept-new-host-keys'] === true }, (o) => {
    if (o.error === null) io.out(`${o.host}: stopped ${o.stopped} worker(s)`);
    else io.err(`etcd-election-bench: ${o.host}: ${o.error}`);
  });
  return outcomes.some((o) => o.error !== null) ? 1 : 0;
}
