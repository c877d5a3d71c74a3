/**
 * Running the dashboard's actions: each runs in the background with its
 * label in the status line until it settles; its outcome (or its failure,
 * thrown or rejected) lands in the status line and the log. Nothing here
 * throws to the terminal. `quit` waits for actions.quit, then leaves Ink.
 *
 *   const { run, quit, busy, status } = useActions({ actions, dispatch, clock, setMode });
 *   run('kill', () => actions.kill());            // status: "⠙ kill…", then "✓ kill: done" or "✕ kill failed: …"
 *   run('export', () => actions.exportResults(), (where) => `results exported to ${where}`);
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from 'ink';
import type { BenchEvent } from '../../src/events.ts';
import { oneLine } from '../../src/errors.ts';
import type { DashboardActions } from '../../src/store/index.ts';
import type { StatusMessage } from '../StatusLine.tsx';
import type { Mode } from './use-mode.ts';

export interface UseActionsOptions {
  actions: DashboardActions;
  /** where the outcome is logged */
  dispatch: (e: BenchEvent) => void;
  /** control-node clock, ms */
  clock: () => number;
  setMode: (m: Mode) => void;
  /** called after quit() resolved, just before the app unmounts */
  onExit?: () => void;
}

export function useActions({ actions, dispatch, clock, setMode, onExit }: UseActionsOptions) {
  const { exit } = useApp();
  const [busy, setBusy] = useState<string[]>([]);
  const [status, setStatus] = useState<StatusMessage | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const uiLog = useCallback(
    (level: 'info' | 'warn' | 'error', message: string) => dispatch({ kind: 'log', level, message, t: clock() } satisfies BenchEvent),
    [dispatch, clock],
  );

  const fail = useCallback(
    (text: string) => {
      setStatus({ level: 'error', text });
      uiLog('error', text);
    },
    [uiLog],
  );

  const run = useCallback(
    (label: string, fn: () => Promise<unknown>, done?: (result: unknown) => string) => {
      setBusy((b) => [...b, label]);
      setStatus(null);
      // a synchronous throw in an action is a failure like any other
      Promise.resolve()
        .then(fn)
        .then(
          (result) => {
            if (!mounted.current) return;
            const text = done ? done(result) : `${label}: done`;
            setStatus({ level: 'info', text });
            if (done) uiLog('info', text);
          },
          (err: unknown) => {
            if (mounted.current) fail(`${label} failed: ${oneLine(err)}`);
          },
        )
        .finally(() => {
          if (mounted.current) setBusy((b) => b.filter((x, i) => i !== b.indexOf(label) || x !== label));
        });
    },
    [uiLog, fail],
  );

  const quit = useCallback(
    () => {
      setMode('quitting');
      setStatus({ level: 'info', text: 'stopping workers and quitting…' });
      Promise.resolve()
        .then(() => actions.quit())
        .then(
          () => {
            onExit?.();
            exit();
          },
          (err: unknown) => {
            if (!mounted.current) return;
            fail(`quit failed: ${oneLine(err)} (q tries again, ctrl+c twice leaves)`);
            setMode('normal');
          },
        );
    },
    [actions, exit, onExit, fail, setMode],
  );

  return { run, quit, leave: exit, busy, status, setStatus };
}
