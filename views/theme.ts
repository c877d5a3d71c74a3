/**
 * Colours mean state, and only when colours are wanted (NO_COLOR): every view
 * asks `useTheme().c('green')`, which is undefined without colour, so no
 * colour escape is ever written. Focus and state also show as text/markers so
 * nothing depends on colour alone.
 */
import { createContext, useContext } from 'react';
import type { HostState, LogLevel, MasterState } from '../src/store/index.ts';

export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'magenta' | 'blue' | 'gray' | 'white';

export interface Theme {
  color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: true });

export function useTheme(): { color: boolean; c: (name: Colour | undefined) => Colour | undefined } {
  const { color } = useContext(ThemeContext);
  return { color, c: (name) => (color ? name : undefined) };
}

export function masterColour(state: MasterState): Colour {
  switch (state) {
    case 'master':
      return 'green';
    case 'candidate':
    case 'starting':
      return 'yellow';
    case 'paused':
      return 'magenta';
    case 'partitioned':
      return 'blue';
    case 'dead':
      return 'red';
  }
}

export function hostColour(state: HostState): Colour {
  switch (state) {
    case 'up':
      return 'green';
    case 'connecting':
    case 'deploying':
      return 'yellow';
    case 'unreachable':
      return 'red';
    default:
      return 'gray';
  }
}

export function levelColour(level: LogLevel): Colour | undefined {
  return level === 'error' ? 'red' : level === 'warn' ? 'yellow' : level === 'debug' ? 'gray' : undefined;
}

/** A marker that carries the state without colour: ● master, ○ candidate, ‖ paused, ⊘ partitioned, ✕ dead */
export function masterMarker(state: MasterState): string {
  return state === 'master' ? '●' : state === 'paused' ? '‖' : state === 'partitioned' ? '⊘' : state === 'dead' ? '✕' : '○';
}
