/**
 * `r`: how many rounds? Digits edit the number (the default is prefilled),
 * Enter runs them, Esc cancels.
 */
import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { useTheme } from './theme.ts';

export interface RoundsPromptProps {
  defaultRounds: number;
  fault: string;
  onSubmit: (n: number) => void;
  onCancel: () => void;
  width: number;
  active?: boolean;
}

export const ROUNDS_PROMPT_HEIGHT = 3;

export function RoundsPrompt({ defaultRounds, fault, onSubmit, onCancel, width, active = true }: RoundsPromptProps) {
  const { c } = useTheme();
  const [text, setText] = useState(String(defaultRounds));
  const [fresh, setFresh] = useState(true);
  useInput(
    (input, key) => {
      if (key.escape) return onCancel();
      if (key.return) {
        const n = Number.parseInt(text, 10);
        if (Number.isInteger(n) && n > 0) onSubmit(n);
        return;
      }
      if (key.backspace || key.delete) {
        setFresh(false);
        setText((t) => t.slice(0, -1));
        return;
      }
      if (/^[0-9]+$/.test(input)) {
        // the first digit replaces the prefilled default
        setText((t) => (fresh ? input : t + input).replace(/^0+(?=\d)/, '').slice(0, 6));
        setFresh(false);
      }
    },
    { isActive: active },
  );
  const valid = Number.parseInt(text, 10) > 0;
  return (
    <Box borderStyle="round" borderColor={c('cyan')} width={width} height={ROUNDS_PROMPT_HEIGHT} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold>{`Run how many ${fault} rounds? `}</Text>
        <Text inverse={fresh}>{text}</Text>
        <Text inverse={!fresh}> </Text>
        <Text color={c(valid ? undefined : 'red')} dimColor={valid}>
          {valid ? '  Enter runs · Esc cancels' : '  type a number > 0'}
        </Text>
      </Text>
    </Box>
  );
}
