/**
 * Text for numbers and results, as the views and tests have always imported
 * it from the store; the one implementation is src/stats/format.ts.
 *
 *   fmtMs(1712.3) -> "1712" (a column figure, no unit); fmtMsUnit(1712.3) -> "1712 ms"
 */
export { NONE, fmtNum as fmtMs, fmtMsUnit, fmtSeconds, fmtOffset, fmtClock, fmtDistribution, fmtRound, faultVerb } from '../stats/format.ts';
