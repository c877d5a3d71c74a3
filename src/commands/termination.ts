/**
 * SIGINT, SIGTERM and SIGHUP behave like quit: the first one runs `quit`
 * (close the session: cancel what is in flight, stop the workers and the
 * embedded cluster, write the results), a second one leaves at once. The
 * handlers are installed before anything starts, so a Ctrl-C in the first
 * second leaves nothing behind.
 *
 *   const term = onTermination(() => session.close());
 *   ... term.signal.aborted -> a signal came; term.exitCode -> 130 for SIGINT
 *   term.dispose();
 */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type Sig = keyof typeof SIGNALS;

export interface Termination {
  /** aborted when the first signal arrives (reason: its name) */
  readonly signal: AbortSignal;
  /** 128 + the signal's number once one came, else null */
  readonly exitCode: number | null;
  dispose(): void;
}

export function onTermination(quit: (sig: Sig) => unknown): Termination {
  const c = new AbortController();
  let code: number | null = null;
  const handler = (sig: Sig) => {
    if (c.signal.aborted) {
      // the second one: leave now
      process.exit(code ?? 128 + SIGNALS[sig]);
    }
    code = 128 + SIGNALS[sig];
    c.abort(sig);
    void Promise.resolve()
      .then(() => quit(sig))
      .catch(() => {});
  };
  const installed = (Object.keys(SIGNALS) as Sig[]).map((sig) => {
    const h = () => handler(sig);
    process.on(sig, h);
    return () => process.off(sig, h);
  });
  return {
    signal: c.signal,
    get exitCode() {
      return code;
    },
    dispose: () => installed.forEach((off) => off()),
  };
}
