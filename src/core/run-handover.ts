// What a person's run hands to the next one at continue-as-new, as far as the next one's first
// pass is concerned. A run that ended right after a whole pass left SALTO KS as that pass decided,
// so the new run waits for its first wake instead of passing again (which would, among other
// things, retry at every new run a refusal that waits an hour between tries). That holds only
// while the access that pass wrote is still what is wanted: if the new run's first task comes at
// or after the instant the access changes by itself (a worker killed, Temporal down, a long
// queue), a door may be due to close, and the new run passes at once.
import type { IsoInstant } from './types';

export interface AfterPassHandover {
  /** The run ended right after a whole pass (absent before 0.6.0). */
  afterPass?: boolean;
  /** That pass's next change of access by itself; null: none coming (absent from earlier builds). */
  afterPassUntil?: IsoInstant | null;
}

/** Whether a new run, beginning at `now` (ms), may skip its first pass. */
export function mayWaitAfterPass(carried: AfterPassHandover | undefined, now: number): boolean {
  if (carried?.afterPass !== true) return false;
  const until = carried.afterPassUntil;
  // Absent: handed over by an earlier build, which did not say; the new run waits, as it did then.
  if (until === undefined || until === null) return true;
  return now < Date.parse(until);
}
