/**
 * A bordered panel with its number and title in the top border:
 *
 *   ╭─ 1 Hosts (3) ──────────╮        focused:  ┏━ ▸1 Hosts (3) ━━━━━━━━┓
 *   │ ...                    │                  ┃ ...                  ┃
 *   ╰────────────────────────╯                  ┗━━━━━━━━━━━━━━━━━━━━━━┛
 *
 * Focus shows as a heavy border and a ▸, so it reads without colour too.
 * The content gets height - 2 lines; anything past that is clipped.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { useTheme } from './theme.ts';

export interface PanelProps {
  index: number;
  title: string;
  /** extra text after the title, e.g. "(3)" or "filter: elect" */
  info?: string;
  focused?: boolean;
  width: number;
  height: number;
  children?: ReactNode;
}

export function Panel({ index, title, info, focused = false, width, height, children }: PanelProps) {
  const { c } = useTheme();
  if (height < 2 || width < 4) return null;
  const colour = c(focused ? 'cyan' : 'gray');
  const [tl, h, tr] = focused ? ['┏', '━', '┓'] : ['╭', '─', '╮'];
  let label = ` ${focused ? '▸' : ''}${index} ${title}${info ? ` ${info}` : ''} `;
  const room = width - 3; // corners + one rule char before the label
  if (label.length > room) label = label.slice(0, Math.max(0, room - 1)) + '…';
  const rule = h.repeat(Math.max(0, width - 3 - label.length));
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text color={colour}>{tl + h}</Text>
        <Text bold={focused}>{label}</Text>
        <Text color={colour}>{rule + tr}</Text>
      </Text>
      {/* keyed by the border: Ink re-applies only the changed style on an update, and a new borderStyle
          without borderTop=false gives the box a top border again, which pushes the content down a line */}
      <Box
        key={focused ? 'focused' : 'plain'}
        borderStyle={focused ? 'bold' : 'round'}
        borderTop={false}
        borderColor={colour}
        flexDirection="column"
        width={width}
        height={height - 1}
        overflow="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}

/** Lines available inside a panel of this height. */
export function innerLines(height: number): number {
  return Math.max(0, height - 2);
}

/** Columns available inside a panel of this width. */
export function innerWidth(width: number): number {
  return Math.max(0, width - 2);
}

/**
 * Rows of a list that fit in `lines`, scrolled: `offset` lines up from the
 * end (bottom-anchored lists: log, watch, rounds) or down from the start.
 */
export function visibleSlice<T>(items: readonly T[], lines: number, offset: number, anchor: 'bottom' | 'top'): { rows: T[]; from: number; max: number } {
  const max = Math.max(0, items.length - lines);
  const o = Math.min(Math.max(0, offset), max);
  const from = anchor === 'bottom' ? items.length - lines - o : o;
  const start = Math.max(0, from);
  return { rows: items.slice(start, start + Math.max(0, lines)), from: start, max };
}
