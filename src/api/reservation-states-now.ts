// The reservation states the admin API shows are those at the moment of the request: a workflow
// answers with what its reservation last told, and the window decides the rest
// (core/reservations.ts, reservationStateAt).
import { reservationStateAt } from '../core/reservations';
import type { PersonAccessView, ReservationView } from '../workflows/messages';

export function personViewNow(view: PersonAccessView, nowMs: number): PersonAccessView {
  return {
    ...view,
    reservations: view.reservations.map((r) => ({ ...r, state: reservationStateAt(r.state, r, nowMs) })),
  };
}

export function reservationViewNow(view: ReservationView, nowMs: number): ReservationView {
  return { ...view, state: reservationStateAt(view.state, view, nowMs) };
}
