/**
 * The bottom line, always visible: the keys that work right now, read from
 * the key table (keys.ts) for the current mode. Labels go away before keys
 * do when the terminal is narrow.
 *
 *   s masters  a agents  k kill  t term  p pause  g resign  r rounds  x stop ...  ? help  q quit
 */
import { Text } from 'ink';
import { keyBarItems, type BarItem, type KeyMode } from './keys.ts';
import { useTheme } from './theme.ts';

export type KeyBarMode = KeyMode;

export function keyBarText(mode: KeyBarMode, width: number): BarItem[] {
  return keyBarItems(mode, width);
}

export function KeyBar({ mode = 'normal', width }: { mode?: KeyBarMode; width: number }) {
  const { c } = useTheme();
  const items = keyBarText(mode, width);
  return (
    <Text wrap="truncate-end">
      {items.map(([k, label], i) => (
        <Text key={`${k}-${i}`}>
          <Text bold color={c('cyan')}>
            {k}
          </Text>
          {label ? ` ${label}` : ''}
          {i < items.length - 1 ? '  ' : ''}
        </Text>
      ))}
    </Text>
  );
}
