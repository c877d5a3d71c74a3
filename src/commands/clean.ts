/**
 * `clean`: delete the benchmark's keys (the seed's initETCD.sh) from the
 * configured etcd, or from the cluster `cluster start` keeps running.
 *
 *   deleted 4 key(s)
 */
import { commonFlagOptions, configFromFlags } from '../config/flags.ts';
import { runningCluster } from '../cluster/state.ts';
import { cleanKeys } from '../election/keys.ts';
import { parseFlags } from './args.ts';
import { stdio, type Io } from './io.ts';

export const USAGE = 'usage: etcd-election-bench clean [--conf DIR] [--endpoints URLS] [--master-path KEY] [--ego-key KEY]';

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const { values } = parseFlags(argv, { ...commonFlagOptions, help: { type: 'boolean', short: 'h' } }, 'clean');
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const config = configFromFlags(values);
  let endpoints = config.settings.endpoints;
  if (endpoints === 'embedded') {
    const running = await runningCluster();
    if (!running) {
      io.err('etcd-election-bench: no cluster is running (the embedded one lives only as long as its run; `cluster start` keeps one): nothing to clean');
      return 0;
    }
    endpoints = running.endpoints;
  }
  io.out(`deleted ${await cleanKeys(endpoints, config.settings)} key(s)`);
  return 0;
}
