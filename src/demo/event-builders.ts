// Deskworks events as Deskworks would send them (deskworks-events.md), for the demo loader, the
// demo:events command line and the end-to-end tests. Typed by the API's own zod schemas, so a
// builder cannot drift from what the webhook accepts.
import { randomUUID } from 'node:crypto';
import type {
  CenterSnapshot,
  DeskworksEvent,
  DeskworksEventType,
  MemberSnapshot,
  ProductSnapshot,
  RecurringBilling,
  ReservationSnapshot,
  ReservationUnitSnapshot,
} from '../api/deskworks-events';

type OfType<E, T> = E extends { type: infer U } ? (T extends U ? E & { type: T } : never) : never;
/**
 * The event of one type with its data narrowed. (The API's `DeskworksEventOf` is `never` for types
 * that share a schema, such as member.created and member.updated.)
 */
export type DeskworksEventOf<T extends DeskworksEventType> = OfType<DeskworksEvent, T>;

let lastInstantMs = 0;

/**
 * Now as an ISO instant, strictly later than the previous call: the engine keeps the newer of two
 * snapshots by `updatedAt`, so two events built in the same millisecond must still be ordered.
 */
export function nextUpdatedAt(): string {
  lastInstantMs = Math.max(Date.now(), lastInstantMs + 1);
  return new Date(lastInstantMs).toISOString();
}

export function newEventId(): string {
  return `evt_${randomUUID()}`;
}

/** The envelope around `data`; a fresh id unless one is given (a retry keeps its id). */
export function deskworksEvent<T extends DeskworksEventType>(
  type: T,
  data: DeskworksEventOf<T>['data'],
  id: string = newEventId(),
): DeskworksEventOf<T> {
  return { id, type, occurredAt: new Date().toISOString(), data } as DeskworksEventOf<T>;
}

export interface MemberInput {
  id: string;
  centerId: string;
  firstName: string;
  lastName: string;
  email: string;
  status?: 'active' | 'inactive';
  masterMemberId?: string | null;
  recurringBillings?: RecurringBilling[];
}

export function memberSnapshot(input: MemberInput): MemberSnapshot {
  return {
    id: input.id,
    centerId: input.centerId,
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email,
    phone: null,
    status: input.status ?? 'active',
    masterMemberId: input.masterMemberId ?? null,
    recurringBillings: input.recurringBillings ?? [],
    updatedAt: nextUpdatedAt(),
  };
}

export function billing(
  input: Omit<RecurringBilling, 'status' | 'endDate'> & Partial<RecurringBilling>,
): RecurringBilling {
  return { endDate: null, status: 'active', ...input };
}

export function memberCreated(member: MemberSnapshot): DeskworksEventOf<'member.created'> {
  return deskworksEvent('member.created', member);
}

/** A whole new snapshot of the member with the changes applied and a newer `updatedAt`. */
export function memberUpdated(
  member: MemberSnapshot,
  changes: Partial<Omit<MemberSnapshot, 'id' | 'updatedAt'>>,
): DeskworksEventOf<'member.updated'> {
  return deskworksEvent('member.updated', { ...member, ...changes, updatedAt: nextUpdatedAt() });
}

export function memberStatusChanged(
  memberId: string,
  type: 'member.activated' | 'member.deactivated' | 'member.deleted',
): DeskworksEventOf<'member.activated' | 'member.deactivated' | 'member.deleted'> {
  return deskworksEvent(type, { memberId, updatedAt: nextUpdatedAt() });
}

export function billingChanged(
  memberId: string,
  type: 'billing.created' | 'billing.updated' | 'billing.cancelled',
  recurringBilling: RecurringBilling,
): DeskworksEventOf<'billing.created' | 'billing.updated' | 'billing.cancelled'> {
  return deskworksEvent(type, { memberId, billing: recurringBilling, updatedAt: nextUpdatedAt() });
}

export function comemberAdded(
  masterMemberId: string,
  member: MemberSnapshot,
): DeskworksEventOf<'comember.added'> {
  return deskworksEvent('comember.added', { masterMemberId, member: { ...member, masterMemberId } });
}

export function comemberRemoved(
  masterMemberId: string,
  memberId: string,
): DeskworksEventOf<'comember.removed'> {
  return deskworksEvent('comember.removed', { masterMemberId, memberId, updatedAt: nextUpdatedAt() });
}

export interface ReservationInput {
  id: string;
  reservationUnitId: string;
  centerId: string;
  startMs: number;
  endMs: number;
  customer: ReservationSnapshot['customer'];
  status?: 'confirmed' | 'cancelled';
}

export function reservationSnapshot(input: ReservationInput): ReservationSnapshot {
  return {
    id: input.id,
    reservationUnitId: input.reservationUnitId,
    centerId: input.centerId,
    start: new Date(input.startMs).toISOString(),
    end: new Date(input.endMs).toISOString(),
    status: input.status ?? 'confirmed',
    customer: input.customer,
    updatedAt: nextUpdatedAt(),
  };
}

export function reservationCreated(
  reservation: ReservationSnapshot,
): DeskworksEventOf<'reservation.created'> {
  return deskworksEvent('reservation.created', reservation);
}

export function reservationCancelled(reservationId: string): DeskworksEventOf<'reservation.cancelled'> {
  return deskworksEvent('reservation.cancelled', { reservationId, updatedAt: nextUpdatedAt() });
}

export function centerUpdated(center: CenterSnapshot): DeskworksEventOf<'center.updated'> {
  return deskworksEvent('center.updated', center);
}

export function productUpdated(product: ProductSnapshot): DeskworksEventOf<'product.updated'> {
  return deskworksEvent('product.updated', product);
}

export function reservationUnitUpdated(
  unit: ReservationUnitSnapshot,
): DeskworksEventOf<'reservation_unit.updated'> {
  return deskworksEvent('reservation_unit.updated', unit);
}
