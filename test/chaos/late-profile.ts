// Where in a chaos run the late revocations fall, and what set each one off: a run that fails
// prints only the first people concerned, and those are the earliest, so without this the
// report could not tell a backlog after the Temporal stop from the cost of each worker kill, nor
// a revocation that waited for an event's workflow task from one that waited for a timer.
import type { DeskworksEvent } from '../../src/api/deskworks-events';
import type { LateRevocation } from './chaos-observer';

/** A revocation due this soon after an event naming its person was accepted counts as set off by it. */
export const SET_OFF_BY_EVENT_MS = 2_000;

export interface SentEvent {
  /** When the API accepted it (epoch ms). */
  at: number;
  event: DeskworksEvent;
  kind: string;
}

export interface LateProfile {
  /** Late revocations by the minute of the run in which they were due (index 0: the first minute). */
  byMinute: number[];
  /** Of those, how many were due within SET_OFF_BY_EVENT_MS of an event naming the person. */
  afterEvent: number;
  /** The minutes of the run during which the Temporal server was stopped. */
  outageMinutes: number[];
}

/**
 * The events about one person (each person's found once): those that name them, and the cancellations of their reservations
 * (a cancellation names only the reservation). A co-member's doors also follow its master's
 * events, which name the master only: those count as not set off by an event.
 */
export function eventsAbout(sent: readonly SentEvent[]): (personId: string) => SentEvent[] {
  const customerOf = new Map<string, string>();
  for (const { event } of sent)
    if (event.type === 'reservation.created' || event.type === 'reservation.updated')
      customerOf.set(event.data.id, event.data.customer.id);
  const texts = sent.map(({ event }) => JSON.stringify(event));
  const found = new Map<string, SentEvent[]>();
  return (personId) => {
    let mine = found.get(personId);
    if (!mine)
      found.set(
        personId,
        (mine = sent.filter(
          ({ event }, i) =>
            texts[i]!.includes(`"${personId}"`) ||
            (event.type === 'reservation.cancelled' && customerOf.get(event.data.reservationId) === personId),
        )),
      );
    return mine;
  };
}

/** The person id behind a stream e-mail (its local part). */
export function personIdOfEmail(email: string): string {
  return email.split('@')[0]!;
}

/** The minute of a run an instant falls in, counted from 0 at the run's start. */
export function minuteOfRun(at: number, runStartMs: number): number {
  return Math.max(0, Math.floor((at - runStartMs) / 60_000));
}

export function lateProfile(
  late: readonly LateRevocation[],
  startedAt: number,
  sent: readonly SentEvent[],
  outages: readonly { from: number; to: number }[],
): LateProfile {
  const minuteOf = (at: number): number => minuteOfRun(at, startedAt);
  const byMinute: number[] = [];
  const about = eventsAbout(sent);
  let afterEvent = 0;
  for (const l of late) {
    const m = minuteOf(l.dueAt);
    while (byMinute.length <= m) byMinute.push(0);
    byMinute[m]!++;
    const setOff = about(personIdOfEmail(l.email)).some(
      ({ at }) => at <= l.dueAt && l.dueAt - at <= SET_OFF_BY_EVENT_MS,
    );
    if (setOff) afterEvent++;
  }
  const outageMinutes = new Set<number>();
  for (const o of outages)
    for (let m = minuteOf(o.from); m <= minuteOf(Number.isFinite(o.to) ? o.to : o.from); m++)
      outageMinutes.add(m);
  return { byMinute, afterEvent, outageMinutes: [...outageMinutes].sort((a, b) => a - b) };
}

/** One report line: `m0 3, m1 40, …` with the minutes of the Temporal stop marked. */
export function lateProfileLine(p: LateProfile, total: number): string {
  const minutes = p.byMinute.map((n, m) => `m${m} ${n}${p.outageMinutes.includes(m) ? '*' : ''}`).join(', ');
  const stop = p.outageMinutes.length > 0 ? ' (* Temporal stopped in that minute)' : '';
  return `${minutes || 'none'}${stop}; ${p.afterEvent} of ${total} due within ${
    SET_OFF_BY_EVENT_MS / 1000
  } s of an event naming the person, the rest at an instant (a window or a plan's end) or after a master's event`;
}
