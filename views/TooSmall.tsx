/**
 * Drawn instead of the dashboard when the terminal is smaller than the
 * layout needs (layout.ts minimumSize): one line that says so, and the open
 * dialog's question under it, if one is open. The keys keep working.
 *
 *   terminal 50x12 is too small: need at least 59x16      (40 columns: 40x10 too small, need 59x16)
 *   Quit: stop the workers? y stop them and quit · any other key cancels
 */
import { Box, Text } from 'ink';
import { useTheme } from './theme.ts';

export interface TooSmallProps {
  columns: number;
  rows: number;
  need: { columns: number; rows: number };
  /** the open dialog's question, in one line */
  question?: string | null;
}

/** The notice, shortened when even it does not fit. */
export function tooSmallText(columns: number, rows: number, need: { columns: number; rows: number }): string {
  const text = `terminal ${columns}x${rows} is too small: need at least ${need.columns}x${need.rows}`;
  return text.length <= columns ? text : `${columns}x${rows} too small, need ${need.columns}x${need.rows}`;
}

export function TooSmall({ columns, rows, need, question }: TooSmallProps) {
  const { c } = useTheme();
  return (
    <Box flexDirection="column" width={Math.max(1, columns)} height={question && rows > 2 ? 2 : 1} overflow="hidden">
      <Text wrap="truncate-end" color={c('yellow')}>
        {tooSmallText(columns, rows, need)}
      </Text>
      {question && rows > 2 ? <Text wrap="truncate-end">{question}</Text> : null}
    </Box>
  );
}
