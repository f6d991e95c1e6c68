// A reservation's access window (rule 3): from start − lead to end + lag, as instants.
import type { ReservationState } from './person-events';
import type { IsoInstant } from './types';

const MINUTE_MS = 60_000;

export interface ReservationWindow {
  windowStart: IsoInstant;
  windowEnd: IsoInstant;
}

export type WindowPhase = 'before' | 'open' | 'closed';

function parseInstant(value: IsoInstant, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${field} is not an ISO 8601 instant: ${JSON.stringify(value)}`);
  return ms;
}

function requireMinutes(minutes: number, field: string): void {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`${field} must be a non-negative number of minutes: ${minutes}`);
  }
}

/** Window in UTC `toISOString()` form, whatever offset the reservation's times were written with. */
export function reservationWindow(
  start: IsoInstant,
  end: IsoInstant,
  leadMinutes: number,
  lagMinutes: number,
): ReservationWindow {
  requireMinutes(leadMinutes, 'leadMinutes');
  requireMinutes(lagMinutes, 'lagMinutes');
  const startMs = parseInstant(start, 'start');
  const endMs = parseInstant(end, 'end');
  return {
    windowStart: new Date(startMs - leadMinutes * MINUTE_MS).toISOString(),
    windowEnd: new Date(endMs + lagMinutes * MINUTE_MS).toISOString(),
  };
}

/** Open while windowStart ≤ now < windowEnd; an empty or inverted window is never open. */
export function windowPhase(window: ReservationWindow, nowMs: number): WindowPhase {
  const startMs = parseInstant(window.windowStart, 'windowStart');
  const endMs = parseInstant(window.windowEnd, 'windowEnd');
  if (nowMs >= endMs) return 'closed';
  if (nowMs < startMs) return 'before';
  return 'open';
}

/**
 * Rule 3's "a reservation that ended before it arrived grants nothing", judged for each snapshot
 * when it arrives: it may grant while its end is still ahead, or when the reservation was open at
 * that instant (a running reservation moved to an end just past keeps its lag: a move never cuts
 * access at once). A snapshot that had ended on arrival, with the reservation not open, grants
 * nothing — even one moved into the recent past after it ran, or after it was forgotten.
 */
export function snapshotMayGrant(end: IsoInstant, arrivedAtMs: number, openAtArrival: boolean): boolean {
  return openAtArrival || arrivedAtMs < parseInstant(end, 'end');
}

/**
 * A reservation's state as the admin API shows it at `nowMs`. Since the patch
 * `person-keeps-reservation-windows` the reservation tells its person "scheduled" once, with the
 * window, and the person opens and closes the door at the window's edges by its own timers: the
 * told state stays "scheduled" while the door is open and after it closed. What the door does at
 * `nowMs` follows from the window; a cancellation or a revocation told stays as told.
 */
export function reservationStateAt(
  told: ReservationState,
  window: { windowStart: IsoInstant | null; windowEnd: IsoInstant | null },
  nowMs: number,
): ReservationState {
  if ((told !== 'scheduled' && told !== 'granted') || !window.windowStart || !window.windowEnd) return told;
  const phase = windowPhase({ windowStart: window.windowStart, windowEnd: window.windowEnd }, nowMs);
  if (phase === 'closed') return 'revoked';
  return phase === 'open' ? 'granted' : told;
}
