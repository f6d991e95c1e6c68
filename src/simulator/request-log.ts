// GET /__sim/requests: what the simulator served, so a test can count SALTO calls.

export interface LoggedRequest {
  method: string;
  /** Path without query string. */
  path: string;
  /** Raw query string without '?', '' when none. */
  query: string;
  status: number;
  /** Epoch ms when the answer was sent. */
  at: number;
}

/** The log keeps the latest requests only, so a long run does not grow the simulator without end. */
export const MAX_ENTRIES = 20_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  /** Every request served since the last clear, including those the window no longer holds. */
  private served = 0;

  add(entry: LoggedRequest): void {
    this.served++;
    this.entries.push(entry);
    // Trimmed in one go at twice the size: a splice on every request past the cap moved 20,000
    // entries each time.
    if (this.entries.length >= 2 * MAX_ENTRIES) this.entries = this.entries.slice(-MAX_ENTRIES);
  }

  /** The latest requests, at most MAX_ENTRIES, oldest first. */
  list(): LoggedRequest[] {
    return this.entries.slice(-MAX_ENTRIES);
  }

  /** How many requests were served since the last clear, and how many of them list() still shows. */
  count(): { served: number; kept: number } {
    return { served: this.served, kept: Math.min(this.entries.length, MAX_ENTRIES) };
  }

  clear(): void {
    this.entries = [];
    this.served = 0;
  }
}
