/**
 * Tables laid out with Box (ink-table does not work with Ink 6), after
 * Shopify cli-kit's Table: each column is as wide as its widest cell, and
 * when the row is too wide the `flex` column gives up room first. Cells are
 * truncated, never wrapped, so a row is always one line.
 */
import { Box, Text } from 'ink';
import { useTheme, type Colour } from './theme.ts';

export interface Column<R> {
  header: string;
  cell: (row: R) => string;
  colour?: (row: R) => Colour | undefined;
  align?: 'left' | 'right';
  /** the column that shrinks when space is short */
  flex?: boolean;
  /** never narrower than this */
  min?: number;
}

export function columnWidths<R>(columns: readonly Column<R>[], rows: readonly R[], width: number): number[] {
  const gap = 1;
  const widths = columns.map((c) => Math.max(c.header.length, c.min ?? 0, ...rows.map((r) => c.cell(r).length)));
  let total = widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  // shrink flexible columns, then the widest ones, until the row fits
  const order = columns.map((c, i) => i).sort((a, b) => Number(!!columns[b].flex) - Number(!!columns[a].flex) || widths[b] - widths[a]);
  for (const i of order) {
    if (total <= width) break;
    const floor = Math.max(columns[i].min ?? 3, 3);
    const cut = Math.min(total - width, widths[i] - floor);
    if (cut > 0) {
      widths[i] -= cut;
      total -= cut;
    }
  }
  return widths;
}

function fit(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  if (s.length > w) return w <= 1 ? s.slice(0, w) : s.slice(0, w - 1) + '…';
  return align === 'right' ? s.padStart(w) : s.padEnd(w);
}

export interface TableProps<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
  width: number;
  /** widths computed over these rows (all rows, not only the visible ones), so scrolling does not jiggle */
  measure?: readonly R[];
  rowKey: (row: R, i: number) => string;
}

export function Table<R>({ columns, rows, width, measure, rowKey }: TableProps<R>) {
  const { c } = useTheme();
  const widths = columnWidths(columns, measure ?? rows, width);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {columns.map((col, i) => fit(col.header, widths[i], col.align)).join(' ')}
      </Text>
      {rows.map((row, r) => (
        <Text key={rowKey(row, r)} wrap="truncate-end">
          {columns.map((col, i) => (
            <Text key={col.header} color={c(col.colour?.(row))}>
              {fit(col.cell(row), widths[i], col.align) + (i < columns.length - 1 ? ' ' : '')}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
