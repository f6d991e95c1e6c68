// A reservation run started before the patch `activity-tasks-only` tells its customer with a local
// activity, which signals before its workflow task completes (today's code runs such a run to its
// end that way: the engine here bundles the workflows as it runs them, `localActivityRuns`). When
// that task is lost (its worker killed) after it let a customer in, the next attempt folds the events that came meanwhile: a change of customer, a cancellation, a move back.
// That attempt must still take from the customer what the lost task gave, though no completed task
// told it (TELL_FOLDED_CUSTOMERS_PATCH). The task is lost here by a workflow interceptor
// (test/helpers/lose-task-interceptor.ts) right after the local activity told the customer, while
// an activity interceptor delivers the next event to the reservation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { PersonEvent } from '../../src/core/person-events';
import { reservationWorkflowId } from '../../src/shared/ids';
import { TELL_FOLDED_CUSTOMERS_PATCH } from '../../src/workflows/reservation';
import type { ReservationEvent } from '../../src/workflows/messages';
import { BERLIN_SITE, type Engine, SPREE, startBerlinFlexEngine } from '../helpers/engine';
import { HOUR, iso, MINUTE, nextEventId, reservationSnapshot } from '../helpers/events';
import { marksPatch } from '../helpers/history-events';
import { LOSE_THIS_TASK } from '../helpers/lose-task-interceptor';

const { EventType } = temporal.api.enums.v1;

/** Room Havel's group in these tests (any group of the Berlin site that room Spree's is not). */
const HAVEL = 'ag-berlin-coworking-floor';

interface Told {
  personId: string;
  unitId: string;
  /** What the lost task told: "scheduled" with its window open lets the customer in. */
  state?: 'scheduled' | 'cancelled';
}

/** Runs once, right after what it names was told (the open window by default); that task is then lost. */
let onTold: (Told & { then: () => Promise<void> }) | null = null;

const loseTaskAfterTelling: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    const result = await next(input);
    const [arg] = input.args as [{ personId?: string; event?: PersonEvent } | undefined];
    const hook = onTold;
    const event = arg?.event;
    if (
      hook &&
      event?.type === 'reservation-status' &&
      event.state === (hook.state ?? 'scheduled') &&
      event.unitId === hook.unitId &&
      arg?.personId === hook.personId
    ) {
      onTold = null;
      await hook.then();
      return LOSE_THIS_TASK;
    }
    return result;
  },
};

describe(
  'what a lost workflow task let a customer in to is taken back when the next attempt folds a change',
  { timeout: 240_000 },
  () => {
    let e: Engine;
    before(async () => {
      e = await startBerlinFlexEngine({
        localActivityRuns: true,
        workflowInterceptorModules: [require.resolve('../helpers/lose-task-interceptor')],
        workerInterceptors: {
          activity: [
            (ctx) =>
              ctx.info.isLocal && ctx.info.activityType === 'signalPerson'
                ? { inbound: loseTaskAfterTelling }
                : {},
          ],
        },
      });
      await e.mapUnit('berlin', 'room-spree', [SPREE]);
      await e.mapUnit('berlin', 'room-havel', [HAVEL]);
      // The set-up tells everyone again 30 s after a change: let that pass before the people exist.
      await e.passSetupCatchUp();
    });
    after(async () => {
      await e?.stop();
    });

    const email = (personId: string): string => `${personId}@example.com`;
    const marksFoldedCustomers = async (reservationId: string): Promise<boolean> => {
      const history = await e.client.workflow.getHandle(reservationWorkflowId(reservationId)).fetchHistory();
      return marksPatch(history.events ?? [], TELL_FOLDED_CUSTOMERS_PATCH);
    };
    const groups = async (personId: string): Promise<string[]> =>
      (await e.saltoUser(BERLIN_SITE, email(personId)))?.groups ?? [];
    let updatedAt = 0;
    const firstStart: Record<string, number> = {};
    const nextUpdate = (): string => iso((updatedAt += MINUTE));

    /** Books a room for `personId` for 3 hours from 5 minutes after its first booking: open at once. */
    const booking = async (
      reservationId: string,
      personId: string,
      unitId = 'room-spree',
    ): Promise<ReservationEvent> => {
      const now = await e.now();
      if (updatedAt < now - HOUR) updatedAt = now - HOUR;
      // Every update of a reservation keeps its first times: only the room or the customer changes.
      const startsAt = (firstStart[reservationId] ??= now + 5 * MINUTE);
      return reservationSnapshot(
        {
          id: reservationId,
          reservationUnitId: unitId,
          start: iso(startsAt),
          end: iso(startsAt + 3 * HOUR),
          updatedAt: nextUpdate(),
        },
        { id: personId, email: email(personId), firstName: 'Res', lastName: personId },
      );
    };

    /**
     * Sends `first` to the reservation; `meanwhile` reaches it while the task that takes `first`
     * tells `told`, and that task is lost.
     */
    const loseTaskWhile = async (
      reservationId: string,
      first: ReservationEvent,
      told: Told,
      meanwhile: () => Promise<ReservationEvent>,
    ): Promise<void> => {
      const workflowId = reservationWorkflowId(reservationId);
      const failedTasks = async (): Promise<number> =>
        ((await e.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
          (x) => x.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        ).length;
      const failedBefore = await failedTasks().catch(() => 0); // none before the workflow exists
      onTold = { ...told, then: async () => e.tellReservation(reservationId, await meanwhile()) };
      await e.tellReservation(reservationId, first);
      await e.eventually(() => Promise.resolve(onTold === null), `${told.personId} told of ${told.unitId}`);
      await e.settled(workflowId);
      assert.equal(await failedTasks(), failedBefore + 1, 'the task that told it was lost');
      await e.settled(workflowId);
    };

    /** Books room Spree for `personId` and waits until they hold it, in tasks that complete. */
    const bookAndHold = async (reservationId: string, personId: string): Promise<void> => {
      await e.tellReservation(reservationId, await booking(reservationId, personId));
      await e.eventually(async () => (await groups(personId)).includes(SPREE), `${personId} to hold Spree`);
      await e.settled(reservationWorkflowId(reservationId));
    };

    /**
     * The groups SALTO KS gives the person, the groups the engine wants for them, and what the
     * person last heard of each reservation: a door found closed only counts once the person has
     * heard the news that closes it, not merely before it heard of the booking at all.
     */
    const heldAndWanted = async (
      personId: string,
    ): Promise<{ held: string[]; wanted: string[]; heard: Record<string, string> }> => {
      const view = await e.access(personId);
      return {
        held: await groups(personId),
        wanted: Object.values(view.desired).flat(),
        heard: Object.fromEntries(view.reservations.map((r) => [r.id, r.state])),
      };
    };
    const closedBy = ['revoked', 'cancelled'];

    it('a change of customer: the first customer loses the room, the second holds it', async () => {
      await loseTaskWhile(
        'folded-change',
        await booking('folded-change', 'folded-guest-a'),
        { personId: 'folded-guest-a', unitId: 'room-spree' },
        () => booking('folded-change', 'folded-guest-b'),
      );
      await e.eventually(async () => {
        const [a, b] = [await heldAndWanted('folded-guest-a'), await heldAndWanted('folded-guest-b')];
        return (
          b.held.includes(SPREE) &&
          !a.held.includes(SPREE) &&
          !a.wanted.includes(SPREE) &&
          closedBy.includes(a.heard['folded-change'] ?? 'never told')
        );
      }, 'the second customer to hold the room and the first not');
      assert.equal((await e.reservation('folded-change')).personId, 'folded-guest-b');
      assert.ok(await marksFoldedCustomers('folded-change'), 'the patch marked in the history');
    });

    it('a cancellation: the customer loses the room', async () => {
      await loseTaskWhile(
        'folded-cancel',
        await booking('folded-cancel', 'folded-guest-c'),
        { personId: 'folded-guest-c', unitId: 'room-spree' },
        () => Promise.resolve({ type: 'cancelled', eventId: nextEventId('cancel'), updatedAt: nextUpdate() }),
      );
      await e.eventually(async () => {
        const c = await heldAndWanted('folded-guest-c');
        return !c.held.includes(SPREE) && c.wanted.length === 0 && c.heard['folded-cancel'] === 'cancelled';
      }, 'the cancelled customer to lose the room');
      assert.equal((await e.reservation('folded-cancel')).state, 'cancelled');
    });

    it('a move to another room and back: the customer holds the first room only', async () => {
      const personId = 'folded-guest-d';
      await bookAndHold('folded-move', personId);
      await loseTaskWhile(
        'folded-move',
        await booking('folded-move', personId, 'room-havel'),
        { personId, unitId: 'room-havel' },
        () => booking('folded-move', personId, 'room-spree'),
      );
      await e.eventually(async () => {
        const d = await heldAndWanted(personId);
        return d.held.includes(SPREE) && !d.held.includes(HAVEL) && !d.wanted.includes(HAVEL);
      }, 'the customer to hold Spree and not Havel');
    });

    it('a change of customer and back: the first customer keeps the room, the other has none', async () => {
      await bookAndHold('folded-back', 'folded-guest-e');
      // The lost task takes the room from E and gives it to F; E books it again meanwhile.
      await loseTaskWhile(
        'folded-back',
        await booking('folded-back', 'folded-guest-f'),
        { personId: 'folded-guest-f', unitId: 'room-spree' },
        () => booking('folded-back', 'folded-guest-e'),
      );
      await e.eventually(async () => {
        const [held, other] = [await heldAndWanted('folded-guest-e'), await heldAndWanted('folded-guest-f')];
        return held.held.includes(SPREE) && held.wanted.includes(SPREE) && !other.held.includes(SPREE);
      }, 'E to hold Spree again and F not');
    });

    it('a cancellation and a confirmation again: the customer keeps the room', async () => {
      const personId = 'folded-guest-g';
      await bookAndHold('folded-reconfirmed', personId);
      // The lost task tells the customer the cancellation; the booking is confirmed again meanwhile.
      await loseTaskWhile(
        'folded-reconfirmed',
        { type: 'cancelled', eventId: nextEventId('cancel'), updatedAt: nextUpdate() },
        { personId, unitId: 'room-spree', state: 'cancelled' },
        () => booking('folded-reconfirmed', personId),
      );
      await e.eventually(async () => {
        const g = await heldAndWanted(personId);
        return g.held.includes(SPREE) && g.wanted.includes(SPREE);
      }, 'the customer to hold Spree again');
      assert.equal((await e.reservation('folded-reconfirmed')).state, 'granted');
    });

    it('a reservation whose tasks each take one update records no marker for the patch', async () => {
      await bookAndHold('one-by-one', 'one-by-one-guest');
      await e.tellReservation('one-by-one', await booking('one-by-one', 'one-by-one-guest', 'room-havel'));
      await e.eventually(
        async () => (await groups('one-by-one-guest')).includes(HAVEL),
        'the customer to hold Havel',
      );
      await e.settled(reservationWorkflowId('one-by-one'));
      assert.equal(await marksFoldedCustomers('one-by-one'), false);
    });
  },
);
