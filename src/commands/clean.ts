/**
 * `clean`: delete the benchmark's keys (the seed's initETCD.sh) from the
 * configured etcd, or from the cluster `cluster start` keeps running. Not
 * while another run uses the master path (its run marker, see
 * src/run/run-marker.ts): deleting a live run's key under it would be a fault
 * of its rounds (exit 2, naming the run). Markers themselves are never
 * deleted here: they go with their run.
 *
 *   deleted 4 key(s)
 */
import { commonFlagOptions, configFromFlags } from '../config/flags.ts';
import { runningCluster } from '../cluster/state.ts';
import { cleanKeys } from '../election/keys.ts';
import { ConfigError } from '../errors.ts';
import { EtcdV3 } from '../etcd/v3.ts';
import { Transport } from '../etcd/transport.ts';
import { describeRun, liveRun, MARKER_TTL_S } from '../run/run-marker.ts';
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
  const other = await liveRun(new EtcdV3(new Transport(endpoints)), config.settings.masterPath);
  if (other) {
    const who = other.info ? describeRun(other.info) : JSON.stringify(other.kv.value);
    throw new ConfigError(`${who} is using ${config.settings.masterPath} now: its keys are its own while it runs; stop it first, or wait for its end (a crashed run's marker goes within ${MARKER_TTL_S} s)`);
  }
  io.out(`deleted ${await cleanKeys(endpoints, config.settings)} key(s)`);
  return 0;
}
