/**
 * Scrolling the focused panel: Hosts scroll down from the top, the /master
 * watch tail and the rounds scroll up from the newest, the log keeps its own
 * view (follow, or anchored at a line). Offsets never pass the list's end:
 * Home shows the first line, End the last (and the log follows again).
 *
 *   scrollOffset(0, 'home', { length: 30, visible: 9, anchor: 'bottom' })   // 21: the oldest 9 rounds
 *   const { offsets, logView, scroll } = useScroll();   scroll(3, 'pageUp', lists)
 */
import { useCallback, useState } from 'react';
import type { LogLine } from '../../src/store/index.ts';
import { matchLog, scrollLog, type LogView } from '../EventLogPanel.tsx';
import type { Focus, ScrollTo } from '../keys.ts';

export interface ListSize {
  length: number;
  /** rows the panel shows */
  visible: number;
  /** where offset 0 is: the first row (top) or the newest, last row (bottom) */
  anchor: 'top' | 'bottom';
}

/** The new offset (rows away from the anchor) after scrolling `to`. */
export function scrollOffset(offset: number, to: ScrollTo, list: ListSize): number {
  const max = Math.max(0, list.length - list.visible);
  const page = Math.max(1, list.visible - 1);
  const towardsFirst = { up: 1, down: -1, pageUp: page, pageDown: -page, home: Infinity, end: -Infinity }[to];
  const next = offset + (list.anchor === 'top' ? -towardsFirst : towardsFirst);
  return Math.min(max, Math.max(0, next));
}

/** The log's view after scrolling `to` over the `count` lines it shows. */
export function scrollLogTo(lines: readonly LogLine[], view: LogView, to: ScrollTo, count: number): LogView {
  if (to === 'end') return FOLLOW;
  const page = Math.max(1, count - 1);
  const delta = { up: 1, down: -1, pageUp: page, pageDown: -page, home: lines.length }[to];
  return scrollLog(lines, view, delta, count);
}

export const FOLLOW: LogView = { follow: true, anchor: null };

export type Offsets = Record<'hosts' | 'masters' | 'summary', number>;

/** What the scroll keys need to know of each panel, measured by the caller for the current layout. */
export interface ScrollLists {
  hosts: () => ListSize;
  masters: () => ListSize;
  summary: () => ListSize;
  log: () => { lines: readonly LogLine[]; filter: string; count: number };
}

const BY_FOCUS: Partial<Record<Focus, keyof Offsets>> = { 0: 'hosts', 1: 'masters', 3: 'summary' };

export function useScroll() {
  const [offsets, setOffsets] = useState<Offsets>({ hosts: 0, masters: 0, summary: 0 });
  const [logView, setLogView] = useState<LogView>(FOLLOW);

  const scroll = useCallback((focus: Focus, to: ScrollTo, lists: ScrollLists) => {
    if (focus === 4) {
      const { lines, filter, count } = lists.log();
      const matched = matchLog(lines, filter);
      return setLogView((v) => scrollLogTo(matched, v, to, count));
    }
    const panel = BY_FOCUS[focus];
    if (!panel) return;
    const list = lists[panel]();
    setOffsets((o) => ({ ...o, [panel]: scrollOffset(o[panel], to, list) }));
  }, []);

  /** `f`: stop at the newest line shown, or follow again */
  const toggleFollow = useCallback((lines: readonly LogLine[]) => {
    setLogView((v) => (v.follow ? { follow: false, anchor: lines.length > 0 ? lines[lines.length - 1].seq : null } : FOLLOW));
  }, []);

  return { offsets, logView, scroll, toggleFollow, follow: useCallback(() => setLogView(FOLLOW), []) };
}
