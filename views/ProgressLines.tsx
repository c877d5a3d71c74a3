/**
 * Long steps in progress (cluster start, deploy, agents coming up N/M), one
 * line each under the header while they run.
 *
 *   agents up  ████████████▌       150/200  1.2 s
 */
import { Text } from 'ink';
import type { ProgressItem } from '../src/store/index.ts';
import { bar } from '../src/stats/histogram.ts';
import { useTheme } from './theme.ts';

export interface ProgressLinesProps {
  items: readonly ProgressItem[];
  now: number;
  width: number;
  max?: number;
}

export function activeProgress(items: readonly ProgressItem[]): ProgressItem[] {
  return items.filter((p) => !p.finished);
}

export function ProgressLines({ items, now, width, max = 2 }: ProgressLinesProps) {
  const { c } = useTheme();
  const active = activeProgress(items).slice(-max);
  const stepW = Math.min(24, Math.max(4, ...active.map((p) => p.step.length)));
  return (
    <>
      {active.map((p) => {
        const counter = p.total > 0 ? `${p.done}/${p.total}` : `${p.done}`;
        const secs = `${(Math.max(0, now - p.startedAt) / 1000).toFixed(1)} s`;
        const bw = Math.max(4, Math.min(30, width - stepW - counter.length - secs.length - 4));
        return (
          <Text key={p.step} wrap="truncate-end">
            {p.step.slice(0, stepW).padEnd(stepW)}{' '}
            <Text color={c('cyan')}>{bar(p.total > 0 ? p.done / p.total : 0, bw, { empty: '░' })}</Text>
            {` ${counter}  ${secs}`}
          </Text>
        );
      })}
    </>
  );
}
