// Where a long signalling activity resumes after a failed attempt. It resumes by key, not by
// index: the lists are read again on every attempt, and a person who finished (or started) in
// between would shift every index after it, so a resume by index would skip someone.

/** What an attempt heartbeats: the phase it is in and the last key done, in key order. */
export interface BatchProgress {
  phase: number;
  after: string;
}

/** The progress in a previous attempt's heartbeat details; null when there is none to resume. */
export function progressOf(details: unknown): BatchProgress | null {
  if (typeof details !== 'object' || details === null) return null;
  const { phase, after } = details as Partial<BatchProgress>;
  return typeof phase === 'number' && typeof after === 'string' ? { phase, after } : null;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The items of `phase` still to do, in key order: all of them when the previous attempt had not
 * reached this phase, those after its last key when it stopped in it, none when it had gone past.
 */
export function itemsLeft<T>(
  phase: number,
  items: readonly T[],
  keyOf: (item: T) => string,
  progress: BatchProgress | null,
): T[] {
  const sorted = [...items].sort((a, b) => byKey(keyOf(a), keyOf(b)));
  if (progress === null || progress.phase < phase) return sorted;
  if (progress.phase > phase) return [];
  return sorted.filter((item) => keyOf(item) > progress.after);
}
