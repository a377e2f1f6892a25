/**
 * The web client runs under a CSP without 'unsafe-eval'. zod compiles fast parsers with
 * `new Function` and probes for it on first use; the probe's caught failure is still reported as a
 * CSP violation. jitless: never probe, never compile (the interpreted path is the same validation).
 * Imported first by main.ts, before any schema parses.
 */
import { z } from 'zod';

z.config({ jitless: true });
