/**
 * Where a command writes: its result on stdout, progress and errors on
 * stderr, a line at a time (tests pass their own).
 *
 *   io.out('http://127.0.0.1:23791,http://127.0.0.1:23793');  io.err('etcd-election-bench: --ttl: ...')
 */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const stdio: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
