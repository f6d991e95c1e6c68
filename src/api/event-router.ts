// Routes a validated Deskworks event to the workflow that owns it: persons for member, co-member
// and billing events, reservations for reservation events, the set-up for the catalog. Each is a
// signal-with-start, so the first event about someone starts their workflow, and the signal
// carries the event id for the workflow to drop duplicates.
import { setupName } from '../core/setup-edit';
import type { Client } from '@temporalio/client';
import type { PersonEvent, MemberSnapshotEvent } from '../core/person-events';
import {
  personWorkflowId,
  RESERVATION_WORKFLOW_TYPE,
  reservationWorkflowId,
  reservationWorkflowSummary,
  SETUP_WORKFLOW_ID,
  SETUP_WORKFLOW_TYPE,
} from '../shared/ids';
import { signalPersonWithStart } from '../shared/person-signal';
import {
  catalogEventSignal,
  reservationEventSignal,
  type CatalogEvent,
  type ReservationEvent,
} from '../workflows/messages';
import type { reservationWorkflow } from '../workflows/reservation';
import type { setupWorkflow, SetupWorkflowInput } from '../workflows/setup';
import type { DeskworksEvent, MemberSnapshot } from './deskworks-events';
import type { PersonStartSource, ReservationStartSource } from './person-start';

export interface RouterOptions {
  client: Client;
  taskQueue: string;
  setupDefaults: Pick<SetupWorkflowInput, 'reservationLeadMinutes' | 'reservationLagMinutes'>;
  /** What to send with an event that may start a person's workflow; absent: nothing. */
  personStart?: PersonStartSource;
  /** What to send with an event that may start a reservation's workflow; absent: nothing. */
  reservationStart?: ReservationStartSource;
}

export type Delivery =
  | { workflow: 'person'; personId: string; event: PersonEvent }
  | { workflow: 'reservation'; reservationId: string; event: ReservationEvent }
  | { workflow: 'setup'; event: CatalogEvent };

/** The id of the workflow a delivery goes to (for the log). */
export function deliveryWorkflowId(delivery: Delivery): string {
  switch (delivery.workflow) {
    case 'person':
      return personWorkflowId(delivery.personId);
    case 'reservation':
      return reservationWorkflowId(delivery.reservationId);
    case 'setup':
      return SETUP_WORKFLOW_ID;
  }
}

function memberSnapshot(
  eventId: string,
  member: MemberSnapshot,
  masterId = member.masterMemberId,
): MemberSnapshotEvent {
  return {
    type: 'member-snapshot',
    eventId,
    updatedAt: member.updatedAt,
    homeCenterId: member.centerId,
    profile: { firstName: member.firstName, lastName: member.lastName, email: member.email },
    status: member.status,
    masterId,
    billings: member.recurringBillings.map((b) => ({ ...b })),
  };
}

/** Pure: what an event means for which workflow. */
export function deliveryFor(event: DeskworksEvent): Delivery {
  const eventId = event.id;
  switch (event.type) {
    case 'member.created':
    case 'member.updated':
      return { workflow: 'person', personId: event.data.id, event: memberSnapshot(eventId, event.data) };
    case 'member.activated':
    case 'member.deactivated':
      return {
        workflow: 'person',
        personId: event.data.memberId,
        event: {
          type: 'member-status',
          eventId,
          updatedAt: event.data.updatedAt,
          status: event.type === 'member.activated' ? 'active' : 'inactive',
        },
      };
    case 'member.deleted':
      return {
        workflow: 'person',
        personId: event.data.memberId,
        event: { type: 'member-deleted', eventId, updatedAt: event.data.updatedAt },
      };
    case 'comember.added':
      return {
        workflow: 'person',
        personId: event.data.member.id,
        event: memberSnapshot(eventId, event.data.member, event.data.masterMemberId),
      };
    case 'comember.removed':
      return {
        workflow: 'person',
        personId: event.data.memberId,
        event: {
          type: 'comember-removed',
          eventId,
          updatedAt: event.data.updatedAt,
          masterId: event.data.masterMemberId,
        },
      };
    case 'billing.created':
    case 'billing.updated':
    case 'billing.cancelled':
      return {
        workflow: 'person',
        personId: event.data.memberId,
        event: {
          type: 'billing',
          eventId,
          updatedAt: event.data.updatedAt,
          billing: {
            ...event.data.billing,
            status: event.type === 'billing.cancelled' ? 'cancelled' : event.data.billing.status,
          },
        },
      };
    case 'reservation.created':
    case 'reservation.updated':
      return {
        workflow: 'reservation',
        reservationId: event.data.id,
        event: { type: 'snapshot', eventId, reservation: event.data },
      };
    case 'reservation.cancelled':
      return {
        workflow: 'reservation',
        reservationId: event.data.reservationId,
        event: { type: 'cancelled', eventId, updatedAt: event.data.updatedAt },
      };
    // Catalog names are for display: cut to what the set-up keeps, so that no event can swell the
    // set-up workflow's history and state (the contract sets no length: the event is accepted).
    case 'center.updated':
      return {
        workflow: 'setup',
        event: { type: 'center', eventId, center: { ...event.data, name: setupName(event.data.name) } },
      };
    case 'product.updated':
      return {
        workflow: 'setup',
        event: { type: 'product', eventId, product: { ...event.data, name: setupName(event.data.name) } },
      };
    case 'reservation_unit.updated':
      return {
        workflow: 'setup',
        event: {
          type: 'reservation-unit',
          eventId,
          unit: { ...event.data, name: setupName(event.data.name) },
        },
      };
    case 'product.deleted':
      return { workflow: 'setup', event: { type: 'product-deleted', eventId, id: event.data.id } };
    case 'reservation_unit.deleted':
      return { workflow: 'setup', event: { type: 'reservation-unit-deleted', eventId, id: event.data.id } };
  }
}

/** Hands the event to Temporal; resolves only once the signal (or start) was accepted. */
export async function deliver(options: RouterOptions, delivery: Delivery): Promise<void> {
  const { client, taskQueue } = options;
  switch (delivery.workflow) {
    case 'person':
      await signalPersonWithStart(
        client,
        taskQueue,
        delivery.personId,
        delivery.event,
        await options.personStart?.(delivery.event),
      );
      return;
    case 'reservation': {
      const start = await options.reservationStart?.(delivery.event);
      await client.workflow.signalWithStart<typeof reservationWorkflow, [ReservationEvent]>(
        RESERVATION_WORKFLOW_TYPE,
        {
          workflowId: reservationWorkflowId(delivery.reservationId),
          taskQueue,
          args: [{ reservationId: delivery.reservationId, ...(start ? { start } : {}) }],
          signal: reservationEventSignal,
          signalArgs: [delivery.event],
          staticSummary: reservationWorkflowSummary(delivery.reservationId),
        },
      );
      return;
    }
    case 'setup':
      await client.workflow.signalWithStart<typeof setupWorkflow, [CatalogEvent]>(SETUP_WORKFLOW_TYPE, {
        workflowId: SETUP_WORKFLOW_ID,
        taskQueue,
        args: [options.setupDefaults],
        signal: catalogEventSignal,
        signalArgs: [delivery.event],
      });
      return;
  }
}
