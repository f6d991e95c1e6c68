// When a person whose sync failed tries again. Seconds after a short SALTO KS outage, so access
// returns within seconds of SALTO KS recovering from an outage of up to ten minutes; further apart
// after that, so a long outage is not hammered. Pure: the jitter's random number is passed in.

export const FIRST_RETRY_DELAY_MS = 2_000;
/** The longest wait while a failure is younger than SHORT_OUTAGE_MS. */
export const SHORT_OUTAGE_RETRY_CAP_MS = 8_000;
export const SHORT_OUTAGE_MS = 10 * 60_000;
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
/**
 * ±20 %: people who failed together do not all retry at the same instant, and 8 s never becomes
 * more than 9.6 s (headroom under the 10 s target after a recovery).
 */
export const RETRY_JITTER = 0.2;

/**
 * After a long outage the wait grows with its age (1/75 of it: 8 s at 10 minutes, 48 s after an
 * hour), so access comes back within about 1.3 % of the outage's length, never a jump to minutes.
 */
const LONG_OUTAGE_FRACTION = SHORT_OUTAGE_RETRY_CAP_MS / SHORT_OUTAGE_MS;

/**
 * 2 s, 4 s, then 8 s while the failure is younger than 10 minutes; then growing with the age of
 * the failure, up to 5 minutes. `random` is in [0, 1) (in a workflow, its seeded Math.random).
 */
export function retryDelayMs(failedAttempts: number, failingForMs: number, random: number): number {
  const exponential = FIRST_RETRY_DELAY_MS * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 16);
  const cap =
    failingForMs < SHORT_OUTAGE_MS
      ? SHORT_OUTAGE_RETRY_CAP_MS
      : Math.min(MAX_RETRY_DELAY_MS, failingForMs * LONG_OUTAGE_FRACTION);
  return Math.round(Math.min(cap, exponential) * (1 - RETRY_JITTER + random * 2 * RETRY_JITTER));
}

/**
 * When the only problem left is SALTO KS refusing for good (a mapped group deleted there): hourly.
 * Retrying every few minutes would cost every affected person calls around the clock and change
 * nothing; what mends it wakes the person at once anyway (a mapping change reaches everyone it
 * affects, and the reconciliation tells each person what SALTO KS shows).
 */
export const REFUSAL_RETRY_DELAY_MS = 60 * 60_000;

/** REFUSAL_RETRY_DELAY_MS with the same ±20 % jitter; `random` in [0, 1). */
export function refusalRetryDelayMs(random: number): number {
  return Math.round(REFUSAL_RETRY_DELAY_MS * (1 - RETRY_JITTER + random * 2 * RETRY_JITTER));
}
