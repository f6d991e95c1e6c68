// The chaos report's profile of its late revocations: the minute each was due, and whether an
// event about its person set it off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeskworksEvent } from '../../src/api/deskworks-events';
import type { LateRevocation } from './chaos-observer';
import { lateProfile, lateProfileLine, type SentEvent } from './late-profile';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const SITE = 'site-berlin';

function deactivated(memberId: string, id: string): DeskworksEvent {
  return {
    id,
    type: 'member.deactivated',
    occurredAt: '2026-12-05T10:00:00Z',
    data: { memberId, updatedAt: '2026-12-05T10:00:00Z' },
  };
}

function reservation(reservationId: string, customerId: string): DeskworksEvent {
  return {
    id: `e-${reservationId}`,
    type: 'reservation.created',
    occurredAt: '2026-12-05T10:00:00Z',
    data: {
      id: reservationId,
      reservationUnitId: 'room-spree',
      centerId: 'berlin',
      start: '2026-12-05T10:05:00Z',
      end: '2026-12-05T10:06:00Z',
      status: 'confirmed',
      customer: {
        type: 'member',
        id: customerId,
        email: `${customerId}@chaos.example`,
        firstName: 'A',
        lastName: 'B',
      },
      updatedAt: '2026-12-05T10:00:00Z',
    },
  };
}

function cancelled(reservationId: string): DeskworksEvent {
  return {
    id: `c-${reservationId}`,
    type: 'reservation.cancelled',
    occurredAt: '2026-12-05T10:00:00Z',
    data: { reservationId, updatedAt: '2026-12-05T10:00:00Z' },
  };
}

const late = (email: string, dueAfterMs: number): LateRevocation => ({
  site: SITE,
  email,
  group: 'ag-entrance',
  dueAt: T0 + dueAfterMs,
  lateByMs: 12_000,
  duringOutage: false,
});

describe('the profile of a chaos run’s late revocations', () => {
  const sent: SentEvent[] = [
    { at: T0 + 9_000, event: deactivated('m1', 'e1'), kind: 'member.deactivated' },
    { at: T0 + 60_000, event: reservation('r7', 'g2'), kind: 'reservation.created' },
    { at: T0 + 129_500, event: cancelled('r7'), kind: 'reservation.cancelled' },
    { at: T0 + 200_000, event: deactivated('m3', 'e3'), kind: 'member.deactivated' },
  ];

  it('counts a revocation due within 2 s after an event naming its person as set off by it', () => {
    const p = lateProfile(
      [
        late('m1@chaos.example', 10_000), // 1 s after m1's deactivation
        late('m1@chaos.example', 40_000), // 31 s after it: a window's end, say
        late('m3@chaos.example', 199_000), // before m3's event, not after it
        late('m9@chaos.example', 9_500), // someone else's event
      ],
      T0,
      sent,
      [],
    );
    assert.equal(p.afterEvent, 1);
  });

  it('finds the customer of a cancelled reservation, which names only the reservation', () => {
    const p = lateProfile([late('g2@chaos.example', 130_000)], T0, sent, []);
    assert.equal(p.afterEvent, 1);
  });

  it('counts them by the minute of the run they were due in, and marks the minutes of a Temporal stop', () => {
    const p = lateProfile(
      [
        late('m1@chaos.example', 10_000),
        late('m1@chaos.example', 130_000),
        late('m3@chaos.example', 150_000),
      ],
      T0,
      sent,
      [{ from: T0 + 125_000, to: T0 + 190_000 }],
    );
    assert.deepEqual(p.byMinute, [1, 0, 2]);
    assert.deepEqual(p.outageMinutes, [2, 3]);
    const line = lateProfileLine(p, 3);
    assert.match(line, /^m0 1, m1 0, m2 2\* \(\* Temporal stopped in that minute\); 1 of 3 due within 2 s/);
  });

  it('says none when nothing was late', () => {
    assert.match(lateProfileLine(lateProfile([], T0, sent, []), 0), /^none; 0 of 0/);
  });
});
