/**
 * Imported first by every view test, before Ink loads: Ink reads CI once, at
 * import (with CI set it draws nothing until exit), and chalk decides its
 * colour level once too; FORCE_COLOR=1 lets the tests see that colours are
 * written with color=true and never with color=false (NO_COLOR).
 */
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
process.env.FORCE_COLOR = '1';
