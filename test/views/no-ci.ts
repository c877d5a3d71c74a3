/**
 * Imported first by every view test: Ink reads CI once, at import, and with
 * CI set it draws nothing until exit. The component tests run with it unset.
 */
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
