// Who a reconciliation tells what SALTO KS shows. Telling a person costs a signal and a workflow
// task (a replay of its history when the worker no longer holds it), so the people whose SALTO KS
// user is as they last wrote it are left asleep: at 50,000 people every 15 minutes, waking all of
// them was more work than the engine could do in that time.
import { sameSiteGroups } from './diff';

/** What visibility says of a running person with anything on the site. */
export interface ListedPerson {
  /** The groups its SaltoHeldGroups gives on this site; null where the list cannot tell. */
  groups: readonly string[] | null;
  /** Its SaltoInSync; null where the list cannot tell. */
  inSync: boolean | null;
}

/**
 * Whether the person must hear the groups its user shows on the site: when they differ from what
 * it last wrote (a hand edit), when it is out of sync (the news wakes its retry early), and when
 * visibility does not list it or cannot tell (not caught up yet: told, as before this rule).
 */
export function needsObservation(
  siteId: string,
  listed: ListedPerson | undefined,
  observedGroups: readonly string[],
): boolean {
  if (listed === undefined || listed.groups === null || listed.inSync !== true) return true;
  return !sameSiteGroups({ [siteId]: [...listed.groups] }, { [siteId]: [...observedGroups] });
}
