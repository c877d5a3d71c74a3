/**
 * `r`: how many rounds? Digits edit the number (the default is prefilled and
 * the first digit replaces it), Enter runs them, Esc cancels. Drawn from
 * props; the key table's prompt rows (keys.ts) send their keys through
 * `editRounds`, a pure function (commands.ts).
 */
import { Box, Text, type Key } from 'ink';
import { useTheme } from './theme.ts';

export interface RoundsInput {
  text: string;
  /** still the prefilled default: the first digit replaces it */
  fresh: boolean;
}

export type RoundsEdit = { kind: 'edit'; input: RoundsInput } | { kind: 'submit'; rounds: number } | { kind: 'cancel' };

export function roundsInput(defaultRounds: number): RoundsInput {
  return { text: String(defaultRounds), fresh: true };
}

export function editRounds(s: RoundsInput, input: string, key: Pick<Key, 'escape' | 'return' | 'backspace' | 'delete' | 'ctrl'>): RoundsEdit {
  if (key.escape) return { kind: 'cancel' };
  if (key.return) {
    const n = Number.parseInt(s.text, 10);
    return Number.isInteger(n) && n > 0 ? { kind: 'submit', rounds: n } : { kind: 'edit', input: s };
  }
  if (key.backspace || key.delete) return { kind: 'edit', input: { text: s.text.slice(0, -1), fresh: false } };
  if (!key.ctrl && /^[0-9]+$/.test(input)) {
    const text = (s.fresh ? input : s.text + input).replace(/^0+(?=\d)/, '').slice(0, 6);
    return { kind: 'edit', input: { text, fresh: false } };
  }
  return { kind: 'edit', input: s };
}

export interface RoundsPromptProps {
  input: RoundsInput;
  fault: string;
  width: number;
}

export const ROUNDS_PROMPT_HEIGHT = 3;

export function RoundsPrompt({ input, fault, width }: RoundsPromptProps) {
  const { c } = useTheme();
  const valid = Number.parseInt(input.text, 10) > 0;
  return (
    <Box borderStyle="round" borderColor={c('cyan')} width={width} height={ROUNDS_PROMPT_HEIGHT} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold>{`Run how many ${fault} rounds? `}</Text>
        <Text inverse={input.fresh}>{input.text}</Text>
        <Text inverse={!input.fresh}> </Text>
        <Text color={c(valid ? undefined : 'red')} dimColor={valid}>
          {valid ? '  Enter runs · Esc cancels' : '  type a number > 0'}
        </Text>
      </Text>
    </Box>
  );
}
