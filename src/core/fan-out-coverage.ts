// Rule 7 reaches a running person two ways: its own reading of the set-up, and the set-up
// workflow's fan-out, which tells every running person whose published centers (the CenterIds
// search attribute) a change touches, or everyone for a change of policy, lead or lag. A pass that
// decides on the set-up it holds and makes no call has no answer to check that set-up with, so it
// reads the set-up after it, unless the fan-out is sure to reach the person: the held set-up was
// found current (read, or a checked call answered) when the person's centers had been published
// long enough for visibility to list them (the catch-up fan-out's own assumption), and they have
// not changed since. Any newer set-up was then committed after that, and its fan-out lists the
// person, whose next pass reads it. Two cases no fan-out announces are bounded instead: a set-up
// workflow reset or started again (its versions come back with other content, and a fan-out event
// of a reused version is a duplicate to the person) makes any news of a change, even a duplicate,
// end the reliance, and a confirmation is relied on for RELIANCE_MS at most.
import { CATCH_UP_DELAY_MS } from './setup-fan-out';

/** Centers as the person publishes them, in one comparable value. */
export function centersKey(centerIds: readonly string[]): string {
  return JSON.stringify([...centerIds].sort());
}

/** How long a confirmation is relied on: past it, a pass with no call reads again. */
export const RELIANCE_MS = 10 * 60_000;

/** What a person's run knows of its published centers and of when its set-up was last found current. */
export interface FanOutCoverage {
  /** The centers this run last published; null before its first publication. */
  published: string | null;
  /** How many times this run changed the centers it publishes (a change and its undoing are two). */
  generation: number;
  /** Workflow time (ms) of the last change. */
  changedAt: number;
  /**
   * The generation that visibility listed when the held set-up was last found current; null: not
   * found current in this run, or too soon after a change for visibility to list it.
   */
  confirmedGeneration: number | null;
  /** Workflow time (ms) the pass that last counted a confirmation began. */
  confirmedAt: number;
}

export function newFanOutCoverage(): FanOutCoverage {
  return { published: null, generation: 0, changedAt: 0, confirmedGeneration: null, confirmedAt: 0 };
}

/** After the run published its centers (`now`: the workflow time of that task). */
export function notePublished(coverage: FanOutCoverage, centers: string, now: number): FanOutCoverage {
  if (centers === coverage.published) return coverage;
  return { ...coverage, published: centers, generation: coverage.generation + 1, changedAt: now };
}

/**
 * After the held set-up was found current in a pass that began at `passStartedAt` (workflow time,
 * before any activity of the pass: a bound below the instant the set-up was found current).
 */
export function noteConfirmed(coverage: FanOutCoverage, passStartedAt: number): FanOutCoverage {
  const listed = coverage.published !== null && passStartedAt >= coverage.changedAt + CATCH_UP_DELAY_MS;
  return {
    ...coverage,
    confirmedGeneration: listed ? coverage.generation : null,
    confirmedAt: passStartedAt,
  };
}

/**
 * Whether a set-up newer than the one held reaches the person by fan-out, for a pass that began at
 * `now` with these centers. Never after news of a set-up change came (`setupNews`, a duplicate
 * too): a set-up workflow started again reuses versions, and only a read tells its set-up from the
 * one held.
 */
export function fanOutReaches(
  coverage: FanOutCoverage,
  centersNow: string,
  now: number,
  setupNews: boolean,
): boolean {
  return (
    !setupNews &&
    now - coverage.confirmedAt <= RELIANCE_MS &&
    coverage.confirmedGeneration !== null &&
    coverage.confirmedGeneration === coverage.generation &&
    coverage.published === centersNow
  );
}
