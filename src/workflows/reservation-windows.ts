import { patched } from '@temporalio/workflow';

/**
 * Since 0.6.0 a reservation tells its person once, "scheduled" with its window, and the person
 * opens and closes the door at the window's edges by its own timers; the reservation workflow
 * wakes only for a change (an update, a cancellation, a set-up change) and when it has lingered
 * long enough. Before, the reservation also woke when the window opened, to tell "granted", and
 * when it closed, to tell "revoked": two workflow tasks of its own and two of the person's for
 * what the person's own timer does with one each. Under `npm run chaos` those tasks were a large
 * share of the queue the workers could not clear after a Temporal outage.
 *
 * In `person.ts` the patch makes a "scheduled" reservation grant within its window; in
 * `reservation.ts` it makes the reservation skip the two wakes.
 */
export const PERSON_KEEPS_RESERVATION_WINDOWS_PATCH = 'person-keeps-reservation-windows';

/** Whether this workflow task takes the patch's path (one function, so a test can build the code before it). */
export function personKeepsWindows(): boolean {
  return patched(PERSON_KEEPS_RESERVATION_WINDOWS_PATCH);
}
