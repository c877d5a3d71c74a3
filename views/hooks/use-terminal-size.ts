/**
 * The terminal's columns and rows, updated on resize so the layout reflows.
 * Explicit sizes (tests) win; a stream that is not a terminal reads as 100x30.
 */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useTerminalSize(fixed?: { columns?: number; rows?: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: fixed?.columns ?? (stdout.columns || 100), rows: fixed?.rows ?? (stdout.rows || 30) });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- read() only depends on these
  }, [stdout, fixed?.columns, fixed?.rows]);
  return size;
}
