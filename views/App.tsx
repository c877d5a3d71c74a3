/**
 * The dashboard's root, the one connected component: it subscribes to the
 * bench's events (useBenchStore, ≤ 10 redraws/s), lays the panels out for the
 * terminal size, owns focus, scrolling, the filter and the mode, and sends
 * every key through the key table (keys.ts → commands.ts). Every action's
 * failure is caught and shown (status line + log); nothing here throws to
 * the terminal.
 *
 *   <App source={session} actions={session} defaultRounds={5} />
 */
import { useMemo, useState } from 'react';
import { Box } from 'ink';
import { hostRows, ringToArray, workersRunning, type DashboardActions, type DashboardState, type EventSource } from '../src/store/index.ts';
import { commandHandlers } from './commands.ts';
import { confirmText, dialogHeight, Dialogs } from './Dialogs.tsx';
import { Header } from './Header.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { hostsPanelWidth } from './HostsPanel.tsx';
import { KeyBar } from './KeyBar.tsx';
import { keyBarMinWidth, type Focus } from './keys.ts';
import { bodyHeight, nextFocus, Panels, scrollLists, visiblePanels } from './Panels.tsx';
import { activeProgress, ProgressLines } from './ProgressLines.tsx';
import { roundsInput, type RoundsInput } from './RoundsPrompt.tsx';
import { StatusLine } from './StatusLine.tsx';
import { TooSmall } from './TooSmall.tsx';
import { computeLayout, minimumSize } from './layout.ts';
import { ThemeContext } from './theme.ts';
import { useActions } from './hooks/use-actions.ts';
import { useBenchStore } from './hooks/use-bench-store.ts';
import { useKeys } from './hooks/use-keys.ts';
import { isConfirm, keyMode, useMode, useRefState } from './hooks/use-mode.ts';
import { useNow } from './hooks/use-now.ts';
import { useScroll } from './hooks/use-scroll.ts';
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

/** The smallest terminal the dashboard is drawn in (the widest mode's narrowest key bar, see layout.ts). */
export const MINIMUM_SIZE = minimumSize(keyBarMinWidth());

export function App(props: AppProps) {
  const { source, actions, initial, defaultRounds = 5, askRounds = true, frameMs = 100, clock = Date.now, onExit } = props;
  const { state, dispatch } = useBenchStore(source, initial, frameMs);
  const size = useTerminalSize({ columns: props.columns, rows: props.rows });
  const { mode, modeRef, setMode } = useMode();
  const { run, quit, leave, busy, status, setStatus } = useActions({ actions, dispatch, clock, setMode, onExit });
  const prompt = useRefState<RoundsInput>(roundsInput(defaultRounds));
  const focus = useRefState<Focus>(4);
  const [filter, setFilter] = useState('');
  const { offsets, logView, scroll, toggleFollow, follow } = useScroll();

  const failoverRunning = state.failover !== null && state.failover.completeAt === null && state.failover.result === null;
  const now = Math.max(useNow(failoverRunning || busy.length > 0 || activeProgress(state.progress).length > 0, frameMs, clock), state.now);
  const hosts = useMemo(() => hostRows(state), [state]);
  const logLines = useMemo(() => ringToArray(state.log), [state.log]);
  const L = computeLayout({
    columns: size.columns,
    rows: size.rows,
    hosts: hosts.length,
    masters: state.masters.length,
    failoverHosts: state.failover ? Object.keys(state.failover.perHost).length : -1,
    rounds: state.rounds.length,
    progress: activeProgress(state.progress).length,
    dialog: dialogHeight(mode),
    hostsWidth: hostsPanelWidth(hosts),
  });
  const lists = scrollLists({ state, hosts, logLines, layout: L, filter });

  useKeys(
    () => keyMode(modeRef.current),
    commandHandlers({
      actions,
      run,
      quit,
      leave,
      mode: () => modeRef.current,
      setMode,
      workersRunning: () => workersRunning(state),
      activeMaster: () => state.activeMaster,
      askRounds,
      defaultRounds,
      prompt: { get: () => prompt.ref.current, set: prompt.set },
      focusTo: (to) => focus.set(nextFocus(focus.ref.current, to, visiblePanels(L))),
      focusLog: () => focus.set(4),
      scroll: (to) => scroll(focus.ref.current, to, lists),
      toggleFollow: () => toggleFollow(logLines),
      follow,
      setFilter,
      clearStatus: () => setStatus(null),
    }),
  );

  const dialogs = { mode, masters: state.masters, activeMaster: state.activeMaster, masterPath: state.config.masterPath };
  if (size.columns < MINIMUM_SIZE.columns || size.rows < MINIMUM_SIZE.rows) {
    const q = isConfirm(mode) ? confirmText(mode, dialogs.masters, dialogs.activeMaster, dialogs.masterPath) : null;
    const question = q ? `${q.title} y ${q.confirmLabel} · any other key cancels` : mode === 'rounds' ? `Run how many rounds? ${prompt.value.text} (Enter runs · Esc cancels)` : null;
    return (
      <ThemeContext.Provider value={{ color: props.color ?? true }}>
        <TooSmall columns={size.columns} rows={size.rows} need={MINIMUM_SIZE} question={question} />
      </ThemeContext.Provider>
    );
  }
  return (
    <ThemeContext.Provider value={{ color: props.color ?? true }}>
      <Box flexDirection="column" width={L.width} height={L.height} overflow="hidden">
        <Header config={state.config} cluster={state.cluster} activeMaster={state.activeMaster} width={L.width} />
        <ProgressLines items={state.progress} now={now} width={L.width} max={L.progress} />
        {mode === 'help' ? (
          <HelpOverlay width={L.width} height={bodyHeight(L)} />
        ) : (
          <Panels state={state} hosts={hosts} logLines={logLines} layout={L} focus={focus.value} offsets={offsets} logView={logView} filter={filter} editing={mode === 'filter'} now={now} />
        )}
        <Dialogs {...dialogs} rounds={prompt.value} roundsFault={props.roundsFault ?? 'fault'} width={L.width} />
        <StatusLine busy={busy} message={status} errors={state.errors.count} tick={Math.floor(now / frameMs)} />
        <KeyBar mode={keyMode(mode)} width={L.width} />
      </Box>
    </ThemeContext.Provider>
  );
}
