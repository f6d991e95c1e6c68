// Builders of the events the person and reservation workflows hear, with sensible defaults.
import type { BillingEvent, MemberSnapshotEvent, MemberStatusEvent } from '../../src/core/person-events';
import type { Billing } from '../../src/core/types';
import type { ReservationEvent, ReservationSnapshot } from '../../src/workflows/messages';

let counter = 0;
export const nextEventId = (prefix = 'evt'): string =>
  `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export function billing(
  overrides: Partial<Billing> & Pick<Billing, 'id' | 'productId' | 'centerId'>,
): Billing {
  return { startDate: '2020-01-01', endDate: null, status: 'active', ...overrides };
}

export function memberSnapshot(
  personId: string,
  overrides: Partial<Omit<MemberSnapshotEvent, 'type'>> & { updatedAt: string },
): MemberSnapshotEvent {
  return {
    type: 'member-snapshot',
    eventId: nextEventId(),
    homeCenterId: 'berlin',
    profile: { firstName: 'Mem', lastName: `Ber ${personId}`, email: `${personId}@example.com` },
    status: 'active',
    masterId: null,
    billings: [],
    ...overrides,
  };
}

export function statusEvent(status: 'active' | 'inactive', updatedAt: string): MemberStatusEvent {
  return { type: 'member-status', eventId: nextEventId(), status, updatedAt };
}

export function billingEvent(b: Billing, updatedAt: string): BillingEvent {
  return { type: 'billing', eventId: nextEventId(), billing: b, updatedAt };
}

export function reservationSnapshot(
  overrides: Partial<ReservationSnapshot> & Pick<ReservationSnapshot, 'id' | 'start' | 'end' | 'updatedAt'>,
  customer: Partial<ReservationSnapshot['customer']> = {},
): ReservationEvent {
  return {
    type: 'snapshot',
    eventId: nextEventId('res'),
    reservation: {
      reservationUnitId: 'room-spree',
      centerId: 'berlin',
      status: 'confirmed',
      ...overrides,
      customer: {
        type: 'nonmember',
        id: 'guest-1',
        firstName: 'Gue',
        lastName: 'St',
        email: 'guest-1@example.com',
        ...customer,
      },
    },
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
