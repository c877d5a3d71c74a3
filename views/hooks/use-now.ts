/**
 * The wall clock, ticking every `ms` while `active` (a failover is running and
 * its elapsed time must move even when no event arrives); still otherwise.
 */
import { useEffect, useState } from 'react';

export function useNow(active: boolean, ms = 100, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    setNow(clock());
    if (!active) return;
    const id = setInterval(() => setNow(clock()), ms);
    return () => clearInterval(id);
  }, [active, ms, clock]);
  return now;
}
