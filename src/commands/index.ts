/**
 * The subcommands, each a thin module in this folder (parse -> call ->
 * print) exporting `main(argv, io)`, loaded only when run.
 *
 *   etcd-election-bench run --rounds 5   ->  (await COMMANDS.run.load()).main(['--rounds', '5'])
 */
import type { Io } from './io.ts';

export interface CommandModule {
  main(argv: string[], io?: Io): Promise<number>;
}

export interface CommandEntry {
  /** for --help: "run [options]" */
  usage: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  tui: { usage: 'tui (default)', summary: 'the console: hosts, /master watch, failover summary', load: () => import('./tui.ts') },
  run: { usage: 'run', summary: 'headless benchmark: --json FILE|-  exit 0 ok, 1 failed, 2 usage/config error', load: () => import('./run.ts') },
  cluster: { usage: 'cluster start|stop|status', summary: 'the embedded 3-member etcd on loopback', load: () => import('./cluster.ts') },
  hosts: { usage: 'hosts', summary: 'reachability, node version, clock offset per host', load: () => import('./hosts.ts') },
  clean: { usage: 'clean', summary: "delete the benchmark's keys", load: () => import('./clean.ts') },
  stop: { usage: 'stop [--masters]', summary: 'stop workers on all hosts (agents; with --masters, masters too)', load: () => import('./stop.ts') },
  summary: { usage: 'summary DIR', summary: 'summarize a results directory', load: () => import('./summary.ts') },
  report: { usage: 'report DIR...', summary: '(re)write DIR/report.html (charts, offline) and histograms.json', load: () => import('./report.ts') },
  compare: { usage: 'compare DIR DIR...', summary: 'runs side by side with ratios: --html FILE (overlaid CDFs), --json FILE|-', load: () => import('./compare.ts') },
  sweep: { usage: 'sweep --ttl LIST --refresh LIST', summary: 'a grid of TTL × refresh on one cluster: failover, notify, flap rate per point', load: () => import('./sweep.ts') },
  bench: { usage: 'bench [--quick]', summary: 'speed and memory against peers (npm run bench)', load: () => import('./bench.ts') },
  worker: { usage: 'worker master|agents N', summary: 'what runs on a host', load: () => import('./worker.ts') },
};
