/**
 * One line above the key bar: what is running now (actions in flight, with
 * a spinner) and the outcome of the last one or the last error. Errors from
 * actions land here and in the log; they never end the program.
 *
 *   ⠙ kill…  · ✕ kill failed: no active master
 */
import { Text } from 'ink';
import { useTheme } from './theme.ts';

export interface StatusMessage {
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface StatusLineProps {
  busy: readonly string[];
  message: StatusMessage | null;
  errors: number;
  /** a frame counter for the spinner */
  tick?: number;
}

const SPIN = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

export function StatusLine({ busy, message, errors, tick = 0 }: StatusLineProps) {
  const { c } = useTheme();
  const mark = message?.level === 'error' ? '✕ ' : message?.level === 'warn' ? '! ' : message ? '✓ ' : '';
  return (
    <Text wrap="truncate-end">
      {busy.length > 0 ? (
        <Text color={c('cyan')}>{`${SPIN[tick % SPIN.length]} ${busy.map((b) => `${b}…`).join(' ')}  `}</Text>
      ) : null}
      {message ? (
        <Text color={c(message.level === 'error' ? 'red' : message.level === 'warn' ? 'yellow' : 'green')}>{`${mark}${message.text}`}</Text>
      ) : busy.length === 0 ? (
        <Text dimColor>ready · ? for help</Text>
      ) : null}
      {errors > 0 ? <Text color={c('red')}>{`  (${errors} error${errors === 1 ? '' : 's'} in the log)`}</Text> : null}
    </Text>
  );
}
