// How long one workflow thread has been inside the workflow sandbox, in memory that the thread
// and its process's main thread share. The thread writes it around each entry
// (sandbox-thread.ts); the main thread's watchdog reads it (sandbox-watchdog.ts).

/** [0]: entries in progress (nested entries count too); [1]: when the outer one began, in ns. */
export type SandboxEntryClock = BigInt64Array;

const DEPTH = 0;
const ENTERED_AT_NS = 1;

export function newSandboxEntryClock(): SandboxEntryClock {
  return new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
}

export function isSandboxEntryClock(value: unknown): value is SandboxEntryClock {
  return value instanceof BigInt64Array && value.length === 2 && value.buffer instanceof SharedArrayBuffer;
}

/** A monotonic clock common to every thread of the process (a wall clock can jump). */
function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function markEntered(clock: SandboxEntryClock): void {
  // The time is written before the depth, so a reader that sees the depth also sees this entry's
  // time, never an older entry's.
  if (Atomics.load(clock, DEPTH) === 0n) Atomics.store(clock, ENTERED_AT_NS, nowNs());
  Atomics.add(clock, DEPTH, 1n);
}

export function markLeft(clock: SandboxEntryClock): void {
  Atomics.sub(clock, DEPTH, 1n);
}

/** How long the thread has been inside, in ms; 0 when it is outside. */
export function insideForMs(clock: SandboxEntryClock): number {
  if (Atomics.load(clock, DEPTH) <= 0n) return 0;
  return Number(nowNs() - Atomics.load(clock, ENTERED_AT_NS)) / 1e6;
}
