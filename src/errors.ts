/**
 * Typed errors with the context a user needs. The CLI prints `message` (one
 * line) and exits with `exitCode`; a stack is never shown for these.
 */

export class BenchError extends Error {
  /** 2 = usage/config error, 1 = the benchmark failed */
  exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad conf file or flag: names file:line or the flag. Exit 2. */
export class ConfigError extends BenchError {
  override exitCode = 2;
  constructor(
    message: string,
    readonly where?: string,
    options?: { cause?: unknown },
  ) {
    super(where ? `${where}: ${message}` : message, options);
  }
}

/** A command line that cannot be run as written (unknown flag, missing argument): names the flag. Exit 2. */
export class UsageError extends BenchError {
  override exitCode = 2;
}

/** An etcd request failed: names the endpoint and the call. */
export class EtcdError extends BenchError {
  constructor(
    message: string,
    readonly endpoint: string,
    readonly call: string,
    readonly status?: number,
    readonly body?: unknown,
    options?: { cause?: unknown },
  ) {
    super(`etcd ${endpoint} ${call}: ${message}`, options);
  }
}

/** No endpoint answered at all. */
export class EtcdUnavailableError extends EtcdError {}

/** SSH connection, auth, host key or exec failure: names the host. */
export class SshError extends BenchError {
  constructor(
    message: string,
    readonly host: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(`${host}: ${message}`, options);
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode;
  }
}

/**
 * Work stopped because its AbortSignal fired (Ctrl-C, quit, a test): `name`
 * is 'AbortError', as for the platform's aborts, so `isAbort` checks see it;
 * `cause` is the signal's reason.
 */
export class AbortError extends BenchError {}

/** One line, never a stack: for printing. */
export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error && !e.message.includes(e.cause.message) ? ` (${e.cause.message})` : '';
    return (e.message + cause).replace(/\s*\n\s*/g, ' ');
  }
  return String(e);
}
