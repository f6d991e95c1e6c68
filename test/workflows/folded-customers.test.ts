// A reservation tells its customer with a local activity, which signals before its workflow task
// completes. When that task is lost (its worker killed) after it let customer A in, the next
// attempt folds the events that came meanwhile: a change of customer, or a cancellation. That
// attempt must still take the room from A, though no completed task ever told A anything
// (TELL_FOLDED_CUSTOMERS_PATCH). The task is lost here by a workflow interceptor
// (test/helpers/lose-task-interceptor.ts) right after the local activity told A, while an activity
// interceptor delivers the next event to the reservation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { PersonEvent } from '../../src/core/person-events';
import { reservationWorkflowId } from '../../src/shared/ids';
import type { ReservationEvent } from '../../src/workflows/messages';
import { BERLIN_SITE, type Engine, SPREE, startBerlinFlexEngine } from '../helpers/engine';
import { HOUR, iso, MINUTE, nextEventId, reservationSnapshot } from '../helpers/events';
import { LOSE_THIS_TASK } from '../helpers/lose-task-interceptor';

const { EventType } = temporal.api.enums.v1;

/** Runs once, right after `personId` was told its reservation is granted; that task is then lost. */
let onGranted: { personId: string; then: () => Promise<void> } | null = null;

const loseTaskAfterGrant: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    const result = await next(input);
    const [arg] = input.args as [{ personId?: string; event?: PersonEvent } | undefined];
    const hook = onGranted;
    const event = arg?.event;
    if (
      hook &&
      event?.type === 'reservation-status' &&
      event.state === 'granted' &&
      arg?.personId === hook.personId
    ) {
      onGranted = null;
      await hook.then();
      return LOSE_THIS_TASK;
    }
    return result;
  },
};

describe(
  'a customer a lost workflow task let in loses the room when the next attempt folds a change',
  { timeout: 240_000 },
  () => {
    let e: Engine;
    before(async () => {
      e = await startBerlinFlexEngine({
        workflowInterceptorModules: [require.resolve('../helpers/lose-task-interceptor')],
        workerInterceptors: {
          activity: [
            (ctx) =>
              ctx.info.isLocal && ctx.info.activityType === 'signalPerson'
                ? { inbound: loseTaskAfterGrant }
                : {},
          ],
        },
      });
      await e.mapUnit('berlin', 'room-spree', [SPREE]);
      // The set-up tells everyone again 30 s after a change: let that pass before the people exist.
      await e.passSetupCatchUp();
    });
    after(async () => {
      await e?.stop();
    });

    const email = (personId: string): string => `${personId}@example.com`;
    const groups = async (personId: string): Promise<string[]> =>
      (await e.saltoUser(BERLIN_SITE, email(personId)))?.groups ?? [];

    /** Books room Spree for `personId` from 5 minutes from now for 3 hours: its window is open at once. */
    const booking = async (
      reservationId: string,
      personId: string,
      updatedAt: number,
    ): Promise<ReservationEvent> => {
      const now = await e.now();
      return reservationSnapshot(
        {
          id: reservationId,
          start: iso(now + 5 * MINUTE),
          end: iso(now + 3 * HOUR),
          updatedAt: iso(updatedAt),
        },
        { id: personId, email: email(personId), firstName: 'Res', lastName: personId },
      );
    };

    /** Sends the reservation's first snapshot for A; `meanwhile` comes while its first task tells A. */
    const loseFirstTaskWhile = async (
      reservationId: string,
      customerA: string,
      meanwhile: (updatedAt: number) => Promise<ReservationEvent>,
    ): Promise<void> => {
      const updatedAt = (await e.now()) - 10 * MINUTE;
      onGranted = {
        personId: customerA,
        then: async () => e.tellReservation(reservationId, await meanwhile(updatedAt + MINUTE)),
      };
      await e.tellReservation(reservationId, await booking(reservationId, customerA, updatedAt));
      await e.eventually(() => Promise.resolve(onGranted === null), `${customerA} told of the grant`);
      await e.settled(reservationWorkflowId(reservationId));
      const history = await e.client.workflow.getHandle(reservationWorkflowId(reservationId)).fetchHistory();
      const failedTasks = (history.events ?? []).filter(
        (x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      );
      assert.equal(failedTasks.length, 1, 'the task that told the first customer was lost');
    };

    it('a change of customer: the first customer loses the room, the second holds it', async () => {
      await loseFirstTaskWhile('folded-change', 'folded-guest-a', (updatedAt) =>
        booking('folded-change', 'folded-guest-b', updatedAt),
      );
      await e.eventually(
        async () => (await groups('folded-guest-b')).includes(SPREE),
        'the second customer to hold the room',
      );
      await e.eventually(async () => {
        const a = await groups('folded-guest-a');
        return !a.includes(SPREE);
      }, 'the first customer to lose the room');
      assert.equal((await e.reservation('folded-change')).personId, 'folded-guest-b');
    });

    it('a cancellation: the customer loses the room', async () => {
      await loseFirstTaskWhile('folded-cancel', 'folded-guest-c', (updatedAt) =>
        Promise.resolve({ type: 'cancelled', eventId: nextEventId('cancel'), updatedAt: iso(updatedAt) }),
      );
      await e.eventually(async () => {
        const view = await e.access('folded-guest-c');
        return Object.keys(view.desired).length === 0 && !(await groups('folded-guest-c')).includes(SPREE);
      }, 'the cancelled customer to lose the room');
      assert.equal((await e.reservation('folded-cancel')).state, 'cancelled');
    });
  },
);
