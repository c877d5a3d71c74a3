/**
 * `bench` (npm run bench): our agents against the bare-watcher floor and the
 * peers, side by side in one run (src/perf/).
 */
export async function main(argv: string[]): Promise<number> {
  const { benchCommand } = await import('../perf/command.ts');
  return benchCommand(argv);
}
