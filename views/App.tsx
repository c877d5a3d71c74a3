/**
 * The dashboard's root, the one connected component: it subscribes to the
 * bench's events (useBenchStore, ≤ 10 redraws/s), lays the panels out for the
 * terminal size, owns focus, scrolling, the filter, dialogs and the keys, and
 * calls the actions it is given. Every action's failure is caught and shown
 * (status line + log); nothing here throws to the terminal.
 *
 *   <App source={session} actions={session} defaultRounds={5} />
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, useApp, useInput, type Key } from 'ink';
import type { BenchEvent } from '../src/events.ts';
import { oneLine } from '../src/errors.ts';
import { hostRows, ringToArray, workersRunning, type DashboardActions, type DashboardState, type EventSource } from '../src/store/index.ts';
import { ConfirmDialog, CONFIRM_DIALOG_HEIGHT, confirmAnswer } from './ConfirmDialog.tsx';
import { EventLogPanel, matchLog, scrollLog, type LogView } from './EventLogPanel.tsx';
import { FailoverPanel } from './FailoverPanel.tsx';
import { Header } from './Header.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { HostsPanel, hostsPanelWidth } from './HostsPanel.tsx';
import { KeyBar, type KeyBarMode } from './KeyBar.tsx';
import { MasterWatchPanel } from './MasterWatchPanel.tsx';
import { activeProgress, ProgressLines } from './ProgressLines.tsx';
import { editRounds, RoundsPrompt, roundsInput, ROUNDS_PROMPT_HEIGHT, type RoundsInput } from './RoundsPrompt.tsx';
import { StatusLine, type StatusMessage } from './StatusLine.tsx';
import { SummaryPanel } from './SummaryPanel.tsx';
import { computeLayout } from './layout.ts';
import { innerLines } from './Panel.tsx';
import { ThemeContext } from './theme.ts';
import { useBenchStore } from './hooks/use-bench-store.ts';
import { useNow } from './hooks/use-now.ts';
import { useTerminalSize } from './hooks/use-terminal-size.ts';

export interface AppProps {
  source: EventSource;
  actions: DashboardActions;
  initial?: Partial<DashboardState>;
  /** rounds offered by `r` (default 5) */
  defaultRounds?: number;
  /** `r` asks for the number (default) or runs defaultRounds at once */
  askRounds?: boolean;
  /** the fault `r` runs, for the prompt's wording */
  roundsFault?: string;
  /** redraw period in ms (default 100 = 10 fps) */
  frameMs?: number;
  /** false: no colour at all (NO_COLOR) */
  color?: boolean;
  /** fixed size (tests); default: the terminal's, following resizes */
  columns?: number;
  rows?: number;
  /** control-node clock (tests) */
  clock?: () => number;
  /** called after quit() resolved, just before the app unmounts */
  onExit?: () => void;
}

type Confirm = 'kill' | 'stop' | 'clean' | 'quit';
type Mode = 'normal' | 'help' | 'filter' | 'rounds' | 'quitting' | Confirm;
type Focus = 0 | 1 | 2 | 3 | 4;
const CONFIRMS: readonly Mode[] = ['kill', 'stop', 'clean', 'quit'];

export function App(props: AppProps) {
  const { source, actions, initial, defaultRounds = 5, askRounds = true, roundsFault, frameMs = 100, color = true, clock = Date.now, onExit } = props;
  const { exit } = useApp();
  const { state, dispatch } = useBenchStore(source, initial, frameMs);
  const size = useTerminalSize({ columns: props.columns, rows: props.rows });

  // the mode is also kept in a ref: keys that arrive in one chunk are handled before the next render
  const [mode, setModeState] = useState<Mode>('normal');
  const modeRef = useRef<Mode>('normal');
  const setMode = useCallback((m: Mode) => {
    modeRef.current = m;
    setModeState(m);
  }, []);
  const [rounds, setRounds] = useState<RoundsInput>(() => roundsInput(defaultRounds));
  const roundsRef = useRef(rounds);
  const [focus, setFocus] = useState<Focus>(4);
  const [filter, setFilter] = useState('');
  const [logView, setLogView] = useState<LogView>({ follow: true, anchor: null });
  const [scroll, setScroll] = useState({ hosts: 0, masters: 0, summary: 0 });
  const [busy, setBusy] = useState<string[]>([]);
  const [status, setStatus] = useState<StatusMessage | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const failoverRunning = state.failover !== null && state.failover.completeAt === null && state.failover.result === null;
  const now = Math.max(useNow(failoverRunning || busy.length > 0 || activeProgress(state.progress).length > 0, frameMs, clock), state.now);

  // ------------------------------------------------------------- actions
  const uiLog = useCallback(
    (level: 'info' | 'warn' | 'error', message: string) => dispatch({ kind: 'log', level, message, t: clock() } satisfies BenchEvent),
    [dispatch, clock],
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
            if (!mounted.current) return;
            const text = `${label} failed: ${oneLine(err)}`;
            setStatus({ level: 'error', text });
            uiLog('error', text);
          },
        )
        .finally(() => {
          if (mounted.current) setBusy((b) => b.filter((x, i) => i !== b.indexOf(label) || x !== label));
        });
    },
    [uiLog],
  );

  const quit = useCallback(
    (stopWorkers: boolean) => {
      setMode('quitting');
      void stopWorkers;
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
            const text = `quit failed: ${oneLine(err)} (q tries again, ctrl+c twice leaves)`;
            setStatus({ level: 'error', text });
            uiLog('error', text);
            setMode('normal');
          },
        );
    },
    [actions, exit, onExit, uiLog, setMode],
  );

  const startRounds = useCallback((n: number) => run(`${n} round${n === 1 ? '' : 's'}`, () => actions.runRounds(n)), [actions, run]);

  // ------------------------------------------------------------- layout
  const hosts = useMemo(() => hostRows(state), [state.hosts, state.processes, state.masters, state.activeMaster]); // eslint-disable-line react-hooks/exhaustive-deps
  const logLines = useMemo(() => ringToArray(state.log), [state.log]);
  const progress = activeProgress(state.progress);
  const dialogLines = CONFIRMS.includes(mode) ? CONFIRM_DIALOG_HEIGHT : mode === 'rounds' ? ROUNDS_PROMPT_HEIGHT : 0;
  const L = computeLayout({
    columns: size.columns,
    rows: size.rows,
    hosts: hosts.length,
    masters: state.masters.length,
    failoverHosts: state.failover ? Object.keys(state.failover.perHost).length : -1,
    rounds: state.rounds.length,
    progress: progress.length,
    dialog: dialogLines,
    hostsWidth: hostsPanelWidth(hosts),
  });
  const bodyHeight = L.top + L.masters + L.failover + L.summary + L.log;
  const shown = [L.top, L.split ? L.top : L.masters, L.failover, L.summary, L.log];
  const visible = ([0, 1, 2, 3, 4] as Focus[]).filter((p) => shown[p] > 0);

  // ------------------------------------------------------------- keys
  const scrollFocused = (delta: number, page: boolean) => {
    const lines = (h: number) => Math.max(1, innerLines(h) - 1);
    if (focus === 4) {
      const matched = matchLog(logLines, filter);
      const count = innerLines(L.log);
      setLogView((v) => scrollLog(matched, v, page ? Math.sign(delta) * Math.max(1, count - 1) : delta, count));
      return;
    }
    const key = focus === 0 ? 'hosts' : focus === 1 ? 'masters' : focus === 3 ? 'summary' : null;
    if (!key) return;
    const len = key === 'hosts' ? hosts.length : key === 'masters' ? state.watch.length : state.rounds.length;
    const h = key === 'hosts' ? L.top : key === 'masters' ? (L.split ? L.top : L.masters) : L.summary;
    // hosts scroll down from the top; the watch tail and rounds scroll up from the newest
    const d = (page ? lines(h) : 1) * Math.sign(delta) * (key === 'hosts' ? -1 : 1);
    setScroll((s) => ({ ...s, [key]: Math.min(Math.max(0, s[key] + d), Math.max(0, len - 1)) }));
  };

  const onConfirm = (which: Confirm, answer: 'confirm' | 'alternative' | 'cancel') => {
    if (answer === 'cancel') return setMode('normal');
    if (which === 'quit') return quit(answer === 'confirm');
    if (answer !== 'confirm') return setMode('normal');
    setMode('normal');
    // the master the dialog named, so the kill hits exactly that one (or nothing)
    if (which === 'kill') run('kill', () => actions.kill(state.activeMaster ?? undefined));
    else if (which === 'stop') run('stop all', () => actions.stopAll());
    else run('clean', () => actions.clean());
  };

  const onKey = (input: string, key: Key) => {
    const mode = modeRef.current;
    if (mode === 'quitting') {
      if (key.ctrl && input === 'c') exit(); // second ctrl+c: leave at once
      return;
    }
    if (key.ctrl && input === 'c') return quit(true);
    if (CONFIRMS.includes(mode)) return onConfirm(mode as Confirm, confirmAnswer(input, key));
    if (mode === 'rounds') {
      const edit = editRounds(roundsRef.current, input, key);
      if (edit.kind === 'cancel') return setMode('normal');
      if (edit.kind === 'submit') {
        setMode('normal');
        return startRounds(edit.rounds);
      }
      roundsRef.current = edit.input;
      return setRounds(edit.input);
    }
    if (mode === 'help') {
      if (key.escape || input === '?' || input === 'q' || key.return) setMode('normal');
      return;
    }
    if (mode === 'filter') {
      if (key.escape) {
        setFilter('');
        setMode('normal');
      } else if (key.return) setMode('normal');
      else if (key.backspace || key.delete) setFilter((f) => f.slice(0, -1));
      else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) setFilter((f) => f + input);
      setLogView({ follow: true, anchor: null });
      return;
    }
    if (key.tab) {
      const i = visible.indexOf(focus);
      const next = visible[(i + (key.shift ? visible.length - 1 : 1)) % visible.length] ?? 4;
      return setFocus(next);
    }
    if (key.upArrow) return scrollFocused(1, false);
    if (key.downArrow) return scrollFocused(-1, false);
    if (key.pageUp) return scrollFocused(1, true);
    if (key.pageDown) return scrollFocused(-1, true);
    if (key.home) return scrollFocused(1_000_000, false);
    if (key.end) {
      if (focus === 4) return setLogView({ follow: true, anchor: null });
      return scrollFocused(-1_000_000, false);
    }
    if (key.escape) return setStatus(null);
    if (key.ctrl || key.meta) return;
    switch (input) {
      case 's':
        return run('start masters', () => actions.startMasters());
      case 'a':
        return run('start agents', () => actions.startAgents());
      case 'k':
        return setMode('kill');
      case 't':
        return run('SIGTERM', () => actions.term());
      case 'p':
        return run('pause', () => actions.pause());
      case 'g':
        return run('resign', () => actions.resign());
      case 'r':
        if (!askRounds) return startRounds(defaultRounds);
        roundsRef.current = roundsInput(defaultRounds);
        setRounds(roundsRef.current);
        return setMode('rounds');
      case 'x':
        return setMode('stop');
      case 'c':
        return setMode('clean');
      case 'e':
        return run('export', () => actions.exportResults(), (where) => `results exported to ${String(where)}`);
      case '?':
        return setMode('help');
      case '/':
        setFocus(4);
        return setMode('filter');
      case 'f':
        return setLogView((v) => (v.follow ? { follow: false, anchor: logLines.length > 0 ? logLines[logLines.length - 1].seq : null } : { follow: true, anchor: null }));
      case 'q':
        return workersRunning(state) ? setMode('quit') : quit(true);
      default:
        if (/^[1-5]$/.test(input)) {
          const f = (Number(input) - 1) as Focus;
          if (visible.includes(f)) setFocus(f);
        }
    }
  };
  // one input handler for the whole app, subscribed once; it always calls the newest onKey
  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  useInput(useCallback((input: string, key: Key) => onKeyRef.current(input, key), []));

  const active = state.masters.find((m) => m.id === state.activeMaster);
  const dialog =
    mode === 'kill' ? (
      <ConfirmDialog
        title="Kill the active master?"
        message={active ? `SIGKILL ${active.id} (pid ${active.pid ?? '?'} on ${active.host}) and time the failover` : 'no active master is known; the bench will say so'}
        confirmLabel="kill"
        width={L.width}
      />
    ) : mode === 'stop' ? (
      <ConfirmDialog title="Stop all workers?" message="every master and agent on every host" confirmLabel="stop all" width={L.width} />
    ) : mode === 'clean' ? (
      <ConfirmDialog
        title="Delete the benchmark's keys?"
        message={`${state.config.masterPath}, ego_conf and the seed-layout records in etcd`}
        confirmLabel="delete"
        width={L.width}
      />
    ) : mode === 'quit' ? (
      <ConfirmDialog
        title="Quit: stop the workers?"
        message="workers are still running on the hosts; none outlives the console"
        confirmLabel="stop them and quit"
        width={L.width}
      />
    ) : mode === 'rounds' ? (
      <RoundsPrompt input={rounds} fault={roundsFault ?? 'fault'} width={L.width} />
    ) : null;

  const barMode: KeyBarMode = CONFIRMS.includes(mode) ? 'dialog' : mode === 'rounds' ? 'prompt' : mode === 'help' || mode === 'filter' || mode === 'quitting' ? mode : 'normal';
  const faultAt = state.failover?.tf ?? null;
  const masters = (
    <MasterWatchPanel
      masters={state.masters}
      activeMaster={state.activeMaster}
      watch={state.watch}
      masterPath={state.config.masterPath}
      faultAt={faultAt}
      width={L.mastersWidth}
      height={L.split ? L.top : L.masters}
      focused={focus === 1}
      scroll={scroll.masters}
    />
  );
  return (
    <ThemeContext.Provider value={{ color }}>
      <Box flexDirection="column" width={L.width} height={L.height} overflow="hidden">
        <Header config={state.config} cluster={state.cluster} activeMaster={state.activeMaster} width={L.width} />
        <ProgressLines items={state.progress} now={now} width={L.width} max={L.progress} />
        {mode === 'help' ? (
          <HelpOverlay width={L.width} height={bodyHeight} />
        ) : (
          <Box flexDirection="column" height={bodyHeight} flexShrink={0}>
            {L.split ? (
              <Box flexDirection="row" height={L.top} flexShrink={0}>
                <HostsPanel hosts={hosts} width={L.hostsWidth} height={L.top} focused={focus === 0} scroll={scroll.hosts} />
                {masters}
              </Box>
            ) : (
              <>
                <HostsPanel hosts={hosts} width={L.width} height={L.top} focused={focus === 0} scroll={scroll.hosts} />
                {masters}
              </>
            )}
            {L.failover > 0 ? <FailoverPanel failover={state.failover} now={now} width={L.width} height={L.failover} focused={focus === 2} /> : null}
            <SummaryPanel rounds={state.rounds} summary={state.summary} width={L.width} height={L.summary} focused={focus === 3} scroll={scroll.summary} />
            <EventLogPanel
              lines={logLines}
              filter={filter}
              editing={mode === 'filter'}
              view={logView}
              width={L.width}
              height={L.log}
              focused={focus === 4}
              dropped={state.log.total - state.log.size}
            />
          </Box>
        )}
        {dialog}
        <StatusLine busy={busy} message={status} errors={state.errors.count} tick={Math.floor(now / frameMs)} />
        <KeyBar mode={barMode} width={L.width} />
      </Box>
    </ThemeContext.Provider>
  );
}
