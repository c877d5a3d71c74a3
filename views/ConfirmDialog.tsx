/**
 * A y/n question before a destructive key (after cli-kit's
 * DangerousConfirmationPrompt, cut to one key): `y` confirms, Esc and any
 * other key cancel. An optional second answer (`n` for quit: leave the
 * workers running) gets its own key. Drawn from props; the keys go through
 * App's one input handler and the key table's dialog rows (keys.ts: y
 * confirms, any other key cancels), so no keypress can fall between two
 * subscriptions while the dialog opens. confirmAnswer reads the same rows.
 *
 *   ┌ Kill the active master? ─────────────────────────┐
 *   │ SIGKILL m1 (pid 101 on localhost)                 │
 *   │ y kill · any other key cancels                    │
 *   └───────────────────────────────────────────────────┘
 */
import { Box, Text, type Key } from 'ink';
import { lookupKey } from './keys.ts';
import { useTheme } from './theme.ts';

export interface ConfirmDialogProps {
  title: string;
  message: string;
  /** what `y` does, e.g. "kill" */
  confirmLabel: string;
  /** a second answer on its own key (not y, not Esc) */
  alternative?: { key: string; label: string };
  width: number;
}

export type ConfirmAnswer = 'confirm' | 'alternative' | 'cancel';

const NO_KEY = { ctrl: false, meta: false, shift: false, tab: false, return: false, escape: false, backspace: false, delete: false, upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false };

/** y confirms (the key table's dialog rows); the alternative's key selects it; anything else (Esc included) cancels. */
export function confirmAnswer(input: string, key: Pick<Key, 'ctrl' | 'meta'>, alternativeKey?: string): ConfirmAnswer {
  if (alternativeKey !== undefined && !key.ctrl && !key.meta && input === alternativeKey) return 'alternative';
  return lookupKey('dialog', input, { ...NO_KEY, ...key })?.id === 'confirm' ? 'confirm' : 'cancel';
}

export const CONFIRM_DIALOG_HEIGHT = 4;

export function ConfirmDialog({ title, message, confirmLabel, alternative, width }: ConfirmDialogProps) {
  const { c } = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={c('yellow')} width={width} height={CONFIRM_DIALOG_HEIGHT} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold color={c('yellow')}>
          {title}
        </Text>
        {`  ${message}`}
      </Text>
      <Text wrap="truncate-end">
        <Text bold>y</Text>
        {` ${confirmLabel}`}
        {alternative ? (
          <>
            {' · '}
            <Text bold>{alternative.key}</Text>
            {` ${alternative.label}`}
          </>
        ) : null}
        {' · any other key or Esc cancels'}
      </Text>
    </Box>
  );
}
