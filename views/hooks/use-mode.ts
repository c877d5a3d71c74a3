/**
 * The dashboard's input mode: normal, the help, the log filter, the rounds
 * prompt, a y/n dialog (which one), or quitting. Kept in a ref as well as in
 * state: keys that arrive in one chunk are handled before the next render,
 * and each must see the mode the previous one left.
 *
 *   const { mode, modeRef, setMode } = useMode();   setMode('kill')  // keyMode('kill') === 'dialog'
 */
import { useCallback, useRef, useState } from 'react';
import type { KeyMode } from '../keys.ts';

/** The y/n dialogs, by what `y` does. */
export type Confirm = 'kill' | 'stop' | 'clean' | 'quit';
export type Mode = 'normal' | 'help' | 'filter' | 'rounds' | 'quitting' | Confirm;

const CONFIRMS: readonly Mode[] = ['kill', 'stop', 'clean', 'quit'];

export function isConfirm(mode: Mode): mode is Confirm {
  return CONFIRMS.includes(mode);
}

/** The key table's mode for an app mode. */
export function keyMode(mode: Mode): KeyMode {
  if (isConfirm(mode)) return 'dialog';
  return mode === 'rounds' ? 'prompt' : mode;
}

/** State that is also kept in a ref, for handlers that run before the next render. */
export function useRefState<T>(initial: T) {
  const [value, setValue] = useState<T>(initial);
  const ref = useRef<T>(initial);
  const set = useCallback((v: T) => {
    ref.current = v;
    setValue(v);
  }, []);
  return { value, ref, set };
}

export function useMode(initial: Mode = 'normal') {
  const { value: mode, ref: modeRef, set: setMode } = useRefState<Mode>(initial);
  return { mode, modeRef, setMode };
}
