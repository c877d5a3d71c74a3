/**
 * The dashboard's one input handler: every key goes through the key table
 * (keys.ts) for the current mode, and the handler of the command it names is
 * called. Subscribed once; it always calls the newest handlers, so a key
 * never falls between two subscriptions while a dialog opens.
 *
 *   useKeys(() => keyMode(modeRef.current), handlers);   // 'k' in normal mode → handlers.kill()
 */
import { useCallback, useRef } from 'react';
import { useInput, type Key } from 'ink';
import { dispatchKey, type KeyHandlers, type KeyMode } from '../keys.ts';

export function useKeys(mode: () => KeyMode, handlers: KeyHandlers, isActive = true): void {
  const latest = useRef({ mode, handlers });
  latest.current = { mode, handlers };
  const onInput = useCallback((input: string, key: Key) => {
    const { mode, handlers } = latest.current;
    dispatchKey(mode(), input, key, handlers);
  }, []);
  useInput(onInput, { isActive });
}
