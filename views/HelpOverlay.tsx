/**
 * `?`: every key and what it does, plus how to read the panels. Drawn in
 * place of the panels; Esc (or ?) closes it.
 */
import { Box, Text } from 'ink';
import { KEYS } from './keys.ts';
import { useTheme } from './theme.ts';

export interface HelpOverlayProps {
  width: number;
  height: number;
}

const NOTES = [
  'Colours: green master / up, yellow candidate / connecting, magenta paused, blue partitioned, red dead / unreachable (markers ● ○ ‖ ⊘ ✕ say the same without colour).',
  'Failover = new master elected - fault; detect = first candidate notified - fault; election = elected - detect.',
  'Agent notify = agent notified - fault; re-get = agent got the new master - notified. All times in ms, control-node clock.',
];

export function HelpOverlay({ width, height }: HelpOverlayProps) {
  const { c } = useTheme();
  const kw = Math.max(...KEYS.map((k) => k.key.length));
  const lines = Math.max(0, height - 2);
  const cut = KEYS.length > lines - 1;
  const keyRows = KEYS.slice(0, Math.max(0, cut ? lines - 2 : lines - 1));
  const notes = NOTES.slice(0, Math.max(0, lines - 2 - keyRows.length));
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor={c('cyan')} overflow="hidden" flexShrink={0}>
      <Text bold wrap="truncate-end">
        Keys (Esc closes this help)
      </Text>
      {keyRows.map((k) => (
        <Text key={k.key} wrap="truncate-end">
          <Text bold color={c('cyan')}>
            {k.key.padEnd(kw)}
          </Text>
          {`  ${k.help}`}
        </Text>
      ))}
      {cut ? <Text dimColor>{`… ${KEYS.length - keyRows.length} more: a taller terminal shows them`}</Text> : null}
      {notes.length > 0 ? <Text> </Text> : null}
      {notes.map((n) => (
        <Text key={n} dimColor wrap="truncate-end">
          {n}
        </Text>
      ))}
    </Box>
  );
}
