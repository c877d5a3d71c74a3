/**
 * A y/n question before a destructive key (after cli-kit's
 * DangerousConfirmationPrompt, cut to one key): `y` confirms, Esc and any
 * other key cancel. An optional second answer (`n` for quit: leave the
 * workers running) gets its own key. Effects are props.
 *
 *   ┌ Kill the active master? ─────────────────────────┐
 *   │ SIGKILL m1 (pid 101 on localhost)                 │
 *   │ y kill · any other key cancels                    │
 *   └───────────────────────────────────────────────────┘
 */
import { Box, Text, useInput } from 'ink';
import { useTheme } from './theme.ts';

export interface ConfirmDialogProps {
  title: string;
  message: string;
  /** what `y` does, e.g. "kill" */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** a second answer on its own key (not y, not Esc) */
  alternative?: { key: string; label: string; onSelect: () => void };
  width: number;
  /** listen to keys (false while another element owns the keyboard) */
  active?: boolean;
}

export const CONFIRM_DIALOG_HEIGHT = 4;

export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel, alternative, width, active = true }: ConfirmDialogProps) {
  const { c } = useTheme();
  useInput(
    (input, key) => {
      if (input === 'y' && !key.ctrl && !key.meta) onConfirm();
      else if (alternative && input === alternative.key && !key.ctrl) alternative.onSelect();
      else onCancel();
    },
    { isActive: active },
  );
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
