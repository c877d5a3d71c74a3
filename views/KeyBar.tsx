/**
 * The bottom line, always visible: the keys that work right now. Labels go
 * away before keys do when the terminal is narrow.
 *
 *   s masters  a agents  k kill  t term  p pause  g resign  r rounds  x stop ...  ? help  q quit
 */
import { Text } from 'ink';
import { KEYS } from './keys.ts';
import { useTheme } from './theme.ts';

export type KeyBarMode = 'normal' | 'filter' | 'help' | 'dialog' | 'prompt' | 'quitting';

const MODE_KEYS: Record<Exclude<KeyBarMode, 'normal'>, [string, string][]> = {
  filter: [
    ['type', 'to filter the log'],
    ['Enter', 'keep filter'],
    ['Esc', 'clear filter'],
  ],
  help: [['Esc', 'close help']],
  dialog: [
    ['y', 'confirm'],
    ['any other key', 'cancel'],
  ],
  prompt: [
    ['0-9', 'rounds'],
    ['Enter', 'run'],
    ['Esc', 'cancel'],
  ],
  quitting: [['ctrl+c', 'leave now']],
};

export function keyBarText(mode: KeyBarMode, width: number): [string, string][] {
  if (mode !== 'normal') return MODE_KEYS[mode];
  const items: [string, string][] = KEYS.filter((k) => k.bar).map((k) => [k.key, k.bar!]);
  const len = () => items.reduce((n, [k, l]) => n + k.length + (l ? l.length + 1 : 0) + 2, -2);
  // drop labels, least needed first, until the line fits; ? help and q quit keep theirs
  for (const key of DROP_LABELS) {
    if (len() <= width) break;
    const i = items.findIndex(([k]) => k === key);
    if (i >= 0) items[i] = [key, ''];
  }
  return items;
}

const DROP_LABELS = ['tab', 'f', '/', 'e', 'c', 'g', 'x', 'r', 'p', 't', 'a', 's', 'k'];

export function KeyBar({ mode = 'normal', width }: { mode?: KeyBarMode; width: number }) {
  const { c } = useTheme();
  const items = keyBarText(mode, width);
  return (
    <Text wrap="truncate-end">
      {items.map(([k, label], i) => (
        <Text key={k}>
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
