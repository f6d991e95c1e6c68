// Keeps the webhook from piling onto a Temporal that is down, restarting or slow. Deskworks
// retries every 503 after its Retry-After. With one fixed Retry-After, the events turned away
// during an outage all came back within the same few seconds, again and again while it lasted
// and all at once when Temporal returned, on top of its own backlog: in `npm run chaos`, about
// 800 retries a second after a 60 s stop of the dev server, which then did not recover. So:
// - at most `maxInFlight` deliveries wait on Temporal at once; past that, a 503 straight away
//   (cheap for the API, nothing for Temporal);
// - Retry-After grows with how long Temporal has been failing (from 5 s up to a minute), spread
//   at random over that range, so the retries come back spread out instead of in one wave.

export interface DeliveryGateOptions {
  /** Deliveries waiting on Temporal at once (WEBHOOK_MAX_IN_FLIGHT). */
  maxInFlight: number;
  now?: () => number;
  /** In [0, 1): the spread of Retry-After. */
  random?: () => number;
}

/**
 * The default of WEBHOOK_MAX_IN_FLIGHT. Temporal answers a signal in milliseconds: 32 waiting at
 * once means it is already slow.
 */
export const DEFAULT_WEBHOOK_MAX_IN_FLIGHT = 32;

/** The shortest Retry-After, and the top of its spread while Temporal is only busy. */
export const RETRY_AFTER_MIN_SECONDS = 5;
const RETRY_AFTER_BUSY_MAX_SECONDS = 10;
/** The longest Retry-After: an event turned away waits at most about this long once Temporal is back. */
export const RETRY_AFTER_MAX_SECONDS = 60;

/** What a delivery told about Temporal: it answered (even with a refusal), it could not be reached, or neither. */
export type DeliveryOutcome = 'answered' | 'unreachable' | 'other';

export class DeliveryGate {
  private inFlight = 0;
  private failingSince: number | null = null;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: DeliveryGateOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1)
      throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Takes a place for one delivery; false when `maxInFlight` are already waiting on Temporal. */
  tryEnter(): boolean {
    if (this.inFlight >= this.options.maxInFlight) return false;
    this.inFlight++;
    return true;
  }

  /** Gives the place back with what became of the delivery. */
  leave(outcome: DeliveryOutcome): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (outcome === 'answered') this.failingSince = null;
    else if (outcome === 'unreachable') this.failingSince ??= this.now();
  }

  get waiting(): number {
    return this.inFlight;
  }

  /**
   * Whole seconds for a 503's Retry-After: between 5 s and the time Temporal has been failing
   * (at least 10 s, at most 60 s), at random.
   */
  retryAfterSeconds(): number {
    const failingForS = this.failingSince === null ? 0 : (this.now() - this.failingSince) / 1000;
    const upper = Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(RETRY_AFTER_BUSY_MAX_SECONDS, failingForS));
    const spread = Math.min(0.999_999, Math.max(0, this.random()));
    return Math.floor(RETRY_AFTER_MIN_SECONDS + spread * (upper - RETRY_AFTER_MIN_SECONDS + 1));
  }
}
