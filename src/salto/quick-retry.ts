// A passing SALTO KS fault (a 5xx, a 429 asking for a short wait, no answer) is tried again
// inside the same call, within a fraction of a second, before it becomes an activity failure.
// Temporal's activity retry then only sees faults that outlast a few tries: each one it handles
// costs a round through the Temporal server and its task queue (seconds on a loaded server), and
// a door that must close waited behind it (`npm run chaos`: revocations 10–14 s late).
import { setTimeout as sleep } from 'node:timers/promises';
import type { SaltoError, SaltoErrorKind } from './errors';

/** The default of SALTO_KS_QUICK_RETRIES. */
export const DEFAULT_QUICK_RETRIES = 2;

/** A longer Retry-After is left to the activity retry, which honours it without holding a worker slot. */
export const QUICK_RETRY_MAX_WAIT_MS = 2_000;

/** First back-off; doubled at each try, with jitter (0.5–1.5 ×) so that many callers do not retry in step. */
const FIRST_BACKOFF_MS = 100;

/** Faults that say nothing about the request itself: the same request may well succeed now. */
const PASSING: ReadonlySet<SaltoErrorKind> = new Set([
  'server_error',
  'rate_limited',
  'timeout',
  'network_error',
]);

/**
 * How long to wait before sending the request again, or null to give up to the caller. `tried`
 * counts the tries made so far (1 after the first). A request that got no answer within the
 * timeout is tried once more at most: each such try costs a whole timeout.
 */
export function quickRetryDelayMs(
  error: SaltoError,
  tried: number,
  retries: number,
  random: () => number = Math.random,
): number | null {
  if (!error.retryable || !PASSING.has(error.kind) || tried > retries) return null;
  if (error.kind === 'timeout' && tried > 1) return null;
  if (error.retryAfterMs !== null)
    return error.retryAfterMs <= QUICK_RETRY_MAX_WAIT_MS ? error.retryAfterMs : null;
  return Math.round(FIRST_BACKOFF_MS * 2 ** (tried - 1) * (0.5 + random()));
}

/** Waits, unless the call is cancelled meanwhile: then it rejects at once with what cancelled it. */
export async function waitUnlessCancelled(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
