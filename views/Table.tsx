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
  /** may be left out on a narrow screen; higher ranks leave first */
  drop?: number;
}

/**
 * Widths per column; 0 = the column is left out. Columns with a `drop` rank
 * leave first (highest rank first) when even their minimum widths do not fit,
 * then flexible columns shrink, then the widest ones.
 */
export function columnWidths<R>(columns: readonly Column<R>[], rows: readonly R[], width: number): number[] {
  const widths = columns.map((c) => Math.max(c.header.length, c.min ?? 0, ...rows.map((r) => c.cell(r).length)));
  const floor = (i: number) => Math.min(widths[i], Math.max(columns[i].min ?? 3, 3));
  const shown = () => widths.filter((w) => w > 0).length;
  const total = () => widths.reduce((a, b) => a + b, 0) + Math.max(0, shown() - 1);
  const minTotal = () => widths.reduce((a, w, i) => a + (w > 0 ? floor(i) : 0), 0) + Math.max(0, shown() - 1);
  const droppable = columns.map((c, i) => i).filter((i) => columns[i].drop !== undefined).sort((a, b) => columns[b].drop! - columns[a].drop!);
  for (const i of droppable) {
    if (total() <= width || minTotal() <= width - 6) break;
    widths[i] = 0;
  }
  const order = columns.map((c, i) => i).sort((a, b) => Number(!!columns[b].flex) - Number(!!columns[a].flex) || widths[b] - widths[a]);
  for (const i of order) {
    const over = total() - width;
    if (over <= 0) break;
    if (widths[i] === 0) continue;
    widths[i] -= Math.min(over, widths[i] - floor(i));
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
  const shown = columns.map((_, i) => i).filter((i) => widths[i] > 0);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {shown.map((i) => fit(columns[i].header, widths[i], columns[i].align)).join(' ')}
      </Text>
      {rows.map((row, r) => (
        <Text key={rowKey(row, r)} wrap="truncate-end">
          {shown.map((i, k) => (
            <Text key={columns[i].header} color={c(columns[i].colour?.(row))}>
              {fit(columns[i].cell(row), widths[i], columns[i].align) + (k < shown.length - 1 ? ' ' : '')}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
