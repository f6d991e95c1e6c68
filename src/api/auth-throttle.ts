// Guessing the admin token is slowed per client address: a few wrong tries are free, then each
// further one must wait twice as long as the last (1 s, 2 s, 4 s … up to 5 min), answered 429
// with Retry-After. A right token resets the count. Failures are logged with the address and the
// count, never with what was tried. Counts live in this process (each API process keeps its own).
export interface AuthThrottleOptions {
  freeAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** At most this many addresses are remembered (the oldest are forgotten first). */
  maxAddresses?: number;
}

interface Entry {
  failures: number;
  /** No attempt is judged before this instant (epoch ms). */
  blockedUntil: number;
  lastFailureAt: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly freeAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly maxAddresses: number;

  constructor(options: AuthThrottleOptions = {}) {
    this.freeAttempts = options.freeAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** How long this address must wait before its next attempt is judged (0: now). */
  waitMs(address: string): number {
    const entry = this.entries.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  failed(address: string, what: string): void {
    const now = this.now();
    const entry = this.entries.get(address) ?? { failures: 0, blockedUntil: 0, lastFailureAt: now };
    // A quiet spell as long as the longest delay forgives the past.
    if (now - entry.lastFailureAt > this.maxDelayMs) entry.failures = 0;
    entry.failures++;
    entry.lastFailureAt = now;
    const over = entry.failures - this.freeAttempts;
    const delay = over <= 0 ? 0 : Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (over - 1));
    entry.blockedUntil = now + delay;
    this.entries.delete(address); // re-inserted last: the map's order is oldest first
    this.entries.set(address, entry);
    while (this.entries.size > this.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    this.log(
      `admin authentication failed (${what}) from ${address}: ${entry.failures} in a row${delay > 0 ? `; next try judged in ${Math.ceil(delay / 1000)} s` : ''}`,
    );
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }
}

/** The client address as the socket sees it (the API does not trust proxy headers). */
export function clientAddress(req: { socket: { remoteAddress?: string | undefined } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}
