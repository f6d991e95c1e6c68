// The contract's `Reservation` object as the webhook validated it: what a reservation workflow
// holds. The webhook's zod schema (src/api/deskworks-events.ts) is checked against this type at
// compile time, so the two cannot drift apart.
import type { IsoInstant } from './types';

export interface ReservationSnapshot {
  id: string;
  reservationUnitId: string;
  centerId: string;
  start: IsoInstant;
  end: IsoInstant;
  status: 'confirmed' | 'cancelled';
  customer: { type: 'member' | 'nonmember'; id: string; firstName: string; lastName: string; email: string };
  updatedAt: IsoInstant;
}
