// Deskworks events for the browser tests, in the shapes of deskworks-events.md.
import { randomUUID } from 'node:crypto';

function envelope(type: string, data: unknown): Record<string, unknown> {
  return { id: `evt_${randomUUID()}`, type, occurredAt: new Date().toISOString(), data };
}

export const centerEvent = (id: string, name: string, timeZone: string) =>
  envelope('center.updated', { id, name, timeZone });

export const productEvent = (id: string, centerId: string, name: string) =>
  envelope('product.updated', { id, centerId, name });

export const unitEvent = (id: string, centerId: string, name: string) =>
  envelope('reservation_unit.updated', { id, centerId, name });

/** YYYY-MM-DD some days from today (negative: in the past); a day's margin keeps any time zone inside. */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function memberEvent(member: {
  id: string;
  centerId: string;
  firstName: string;
  lastName: string;
  email: string;
  billings: { id: string; productId: string; centerId: string }[];
}): Record<string, unknown> {
  return envelope('member.created', {
    id: member.id,
    centerId: member.centerId,
    firstName: member.firstName,
    lastName: member.lastName,
    email: member.email,
    phone: null,
    status: 'active',
    masterMemberId: null,
    recurringBillings: member.billings.map((b) => ({
      ...b,
      startDate: daysFromToday(-30),
      endDate: null,
      status: 'active',
    })),
    updatedAt: new Date().toISOString(),
  });
}
