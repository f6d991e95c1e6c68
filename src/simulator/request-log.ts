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

const MAX_ENTRIES = 20_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
