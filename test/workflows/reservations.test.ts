// Rule 3 (a reservation's customer holds the unit's groups from start − lead to end + lag; moved
// times move the window; a cancellation takes access away at once; a reservation that ended before
// it arrived grants nothing) and rule 4 (the union with the member's plan), proven on the
// time-skipping server against the simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ReservationEvent } from '../../src/workflows/messages';
import { BERLIN_SITE, startEngine, type Engine, FLEX, SPREE } from '../helpers/engine';
import {
  billing,
  DAY,
  HOUR,
  iso,
  memberSnapshot,
  MINUTE,
  nextEventId,
  reservationSnapshot,
} from '../helpers/events';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';

describe('reservation access (rule 3, 4)', { timeout: 120_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapUnit('berlin', 'room-spree', [SPREE]);
    await e.mapProduct('berlin', 'flex', FLEX);
    // A plan that gives the room's group too (rule 4: the union).
    await e.mapProduct('berlin', 'room-plan', [SPREE]);
  });
  after(async () => {
    try {
      // Reservations through their windows, moved, and moved by the policy.
      if (e)
        await recordHistoriesIfAsked(e.client, [
          'reservation-r1',
          'reservation-r6',
          'reservation-r13b',
          'person-guest-r1',
          'person-guest-r6',
          'person-guest-r13b',
          'setup',
        ]);
    } finally {
      await e?.stop();
    }
  });

  const email = (personId: string): string => `${personId}@example.com`;

  /** A confirmed booking of room-spree in Berlin by a non-member (unless customer says otherwise). */
  const booking = (
    personId: string,
    id: string,
    times: { start: number; end: number; updatedAt: number },
    customer: { type?: 'member' | 'nonmember' } = {},
  ): ReservationEvent =>
    reservationSnapshot(
      { id, start: iso(times.start), end: iso(times.end), updatedAt: iso(times.updatedAt) },
      { id: personId, email: email(personId), firstName: 'Res', lastName: personId, ...customer },
    );

  const cancellation = (updatedAt: number): ReservationEvent => ({
    type: 'cancelled',
    eventId: nextEventId('cancel'),
    updatedAt: iso(updatedAt),
  });

  /** What reached SALTO KS on the Berlin site: no user counts as no group. */
  const groups = async (personId: string): Promise<string[]> =>
    (await e.saltoUser(BERLIN_SITE, email(personId)))?.groups ?? [];

  const waitGroups = (personId: string, expected: string[], what: string): Promise<true> =>
    e.eventually(async () => {
      const held = await groups(personId);
      return JSON.stringify(held) === JSON.stringify([...expected].sort()) || undefined;
    }, `${personId}: ${what}`);

  /** Lets every reservation named, then the person, finish what it is doing. */
  const quiet = async (personId: string | null, ...reservationIds: string[]): Promise<void> => {
    for (const id of reservationIds) await e.settled(`reservation-${id}`);
    // Once its reservations are settled, a person that was never started never will be.
    if (personId) await settledIfStarted(personId);
  };

  /** What `read` answers of a person's workflow, or `never` if no reservation ever started one. */
  const ifStarted = async <T>(read: () => Promise<T>, never: T): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return never;
      throw err;
    }
  };

  /** Settles a person's workflow if it was ever started (a reservation that grants nothing may start none). */
  const settledIfStarted = async (personId: string): Promise<void> => {
    // Asked once: `settled` itself would wait for a workflow that never comes.
    const handle = e.client.workflow.getHandle(`person-${personId}`);
    if (await ifStarted(async () => Boolean(await handle.describe()), false))
      await e.settled(handle.workflowId);
  };

  /** The person's reservations as [id, state]; none when no reservation ever reached the person. */
  const personReservationsIfStarted = (personId: string): Promise<[string, string][]> =>
    ifStarted(
      async () => (await e.access(personId)).reservations.map((r): [string, string] => [r.id, r.state]),
      [],
    );

  /** Skips server time to an instant (which must lie ahead). */
  const advanceTo = async (at: number): Promise<void> => {
    const now = await e.now();
    assert.ok(at > now, `cannot advance to ${iso(at)}: the server is at ${iso(now)}`);
    await e.advance(at - now);
  };

  /** After the workflows settle, SALTO KS shows exactly these groups. */
  const assertGroupsNow = async (
    personId: string,
    reservationIds: string[],
    expected: string[],
    what: string,
  ): Promise<void> => {
    await quiet(personId, ...reservationIds);
    assert.deepEqual(await groups(personId), [...expected].sort(), `${personId}: ${what}`);
  };

  const reservationReason = (reservationId: string) => ({
    kind: 'reservation' as const,
    reservationId,
    unitId: 'room-spree',
    centerId: 'berlin',
  });

  it('gives a non-member the room from start − 15 min to end + 15 min, and nothing before or after', async () => {
    const now = await e.now();
    const start = now + 2 * HOUR;
    const end = start + HOUR;
    await e.tellReservation('r1', booking('guest-r1', 'r1', { start, end, updatedAt: now }));
    await quiet('guest-r1', 'r1');
    const scheduled = await e.reservation('r1');
    assert.equal(scheduled.state, 'scheduled');
    assert.equal(scheduled.personId, 'guest-r1');
    assert.equal(scheduled.windowStart, iso(start - 15 * MINUTE));
    assert.equal(scheduled.windowEnd, iso(end + 15 * MINUTE));
    assert.deepEqual(await groups('guest-r1'), [], 'nothing when it is booked');

    await advanceTo(start - 16 * MINUTE);
    await assertGroupsNow('guest-r1', ['r1'], [], 'nothing at start − 16 min');

    await e.advance(2 * MINUTE);
    await waitGroups('guest-r1', [SPREE], 'the room at start − 15 min');
    const user = await e.saltoUser(BERLIN_SITE, email('guest-r1'));
    assert.equal(user?.alias, 'deskworks:guest-r1');
    assert.equal(user?.firstName, 'Res', 'a non-member is named as the reservation names them');
    await quiet('guest-r1', 'r1');
    assert.equal((await e.reservation('r1')).state, 'granted');
    const view = await e.access('guest-r1');
    assert.equal(view.kind, 'nonmember');
    assert.deepEqual(view.reasons[BERLIN_SITE], { [SPREE]: [reservationReason('r1')] });
    assert.deepEqual(view.reservations, [
      {
        id: 'r1',
        start: iso(start),
        end: iso(end),
        windowStart: iso(start - 15 * MINUTE),
        windowEnd: iso(end + 15 * MINUTE),
        state: 'granted',
      },
    ]);

    await advanceTo(end + 14 * MINUTE);
    await assertGroupsNow('guest-r1', ['r1'], [SPREE], 'still the room at end + 14 min');

    await e.advance(2 * MINUTE);
    await waitGroups('guest-r1', [], 'the room taken away at end + 15 min');
    await quiet('guest-r1', 'r1');
    assert.equal((await e.reservation('r1')).state, 'revoked');
    const after = await e.access('guest-r1');
    assert.deepEqual(after.desired, {});
    assert.deepEqual(after.reasons, {});
    assert.equal(after.reservations[0]?.state, 'revoked');
    const kept = await e.saltoUser(BERLIN_SITE, email('guest-r1'));
    assert.ok(kept && !kept.blocked, 'policy keep: the user stays, with no group');
  });

  it('keeps a group the member’s plan gives after a reservation of a unit giving it ends (rule 4)', async () => {
    const now = await e.now();
    await e.tellPerson(
      'member-r2',
      memberSnapshot('member-r2', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-r2-flex', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-r2-room', productId: 'room-plan', centerId: 'berlin' }),
        ],
      }),
    );
    await waitGroups('member-r2', [...FLEX, SPREE], 'the plan groups');
    const start = now + HOUR;
    const end = start + HOUR;
    await e.tellReservation(
      'r2',
      booking('member-r2', 'r2', { start, end, updatedAt: now }, { type: 'member' }),
    );

    await advanceTo(start);
    await quiet('member-r2', 'r2');
    assert.equal((await e.reservation('r2')).state, 'granted');
    const during = await e.access('member-r2');
    assert.equal(during.kind, 'member');
    assert.deepEqual(during.reasons[BERLIN_SITE]?.[SPREE], [
      { kind: 'billing', billingId: 'b-r2-room', productId: 'room-plan', centerId: 'berlin' },
      reservationReason('r2'),
    ]);
    assert.deepEqual(await groups('member-r2'), [...FLEX, SPREE].sort());

    await advanceTo(end + 16 * MINUTE);
    await e.eventually(
      async () => (await e.reservation('r2')).state === 'revoked' || undefined,
      'r2 revoked',
    );
    await assertGroupsNow('member-r2', ['r2'], [...FLEX, SPREE], 'the plan still gives the room');
    const afterwards = await e.access('member-r2');
    assert.deepEqual(afterwards.reasons[BERLIN_SITE]?.[SPREE], [
      { kind: 'billing', billingId: 'b-r2-room', productId: 'room-plan', centerId: 'berlin' },
    ]);
    assert.equal(afterwards.reservations[0]?.state, 'revoked');
    assert.equal(
      (await e.saltoUser(BERLIN_SITE, email('member-r2')))?.firstName,
      'Mem',
      'a member keeps their own name',
    );
  });

  it('keeps the room through overlapping reservations until the later one’s end + 15 min', async () => {
    const now = await e.now();
    const a = { start: now + HOUR, end: now + 2 * HOUR, updatedAt: now };
    const b = { start: now + 90 * MINUTE, end: now + 3 * HOUR, updatedAt: now };
    await e.tellReservation('r3a', booking('guest-r3', 'r3a', a));
    await e.tellReservation('r3b', booking('guest-r3', 'r3b', b));

    await advanceTo(a.start - 16 * MINUTE);
    await assertGroupsNow('guest-r3', ['r3a', 'r3b'], [], 'nothing before the first window');
    await e.advance(2 * MINUTE);
    await waitGroups('guest-r3', [SPREE], 'the room from the first window');

    await advanceTo(b.start);
    await quiet('guest-r3', 'r3a', 'r3b');
    assert.deepEqual((await e.access('guest-r3')).reasons[BERLIN_SITE]?.[SPREE], [
      reservationReason('r3a'),
      reservationReason('r3b'),
    ]);

    await advanceTo(a.end + 16 * MINUTE);
    await assertGroupsNow('guest-r3', ['r3a', 'r3b'], [SPREE], 'the first one ended, the second still runs');
    assert.equal((await e.reservation('r3a')).state, 'revoked');
    assert.equal((await e.reservation('r3b')).state, 'granted');
    assert.deepEqual((await e.access('guest-r3')).reasons[BERLIN_SITE]?.[SPREE], [reservationReason('r3b')]);

    await advanceTo(b.end + 14 * MINUTE);
    await assertGroupsNow('guest-r3', ['r3a', 'r3b'], [SPREE], 'still at the later end + 14 min');
    await e.advance(2 * MINUTE);
    await waitGroups('guest-r3', [], 'gone at the later end + 15 min');
  });

  it('moves the window later when a newer snapshot moves a scheduled reservation, and ignores an older one', async () => {
    const now = await e.now();
    const old = { start: now + 2 * HOUR, end: now + 3 * HOUR, updatedAt: now };
    const moved = { start: now + 5 * HOUR, end: now + 6 * HOUR, updatedAt: now + 1000 };
    await e.tellReservation('r4', booking('guest-r4', 'r4', old));
    await quiet('guest-r4', 'r4');
    await e.tellReservation('r4', booking('guest-r4', 'r4', moved));
    // The original snapshot again under another event id, late: older than what is held.
    await e.tellReservation('r4', booking('guest-r4', 'r4', old));
    await quiet('guest-r4', 'r4');
    const view = await e.reservation('r4');
    assert.equal(view.state, 'scheduled');
    assert.equal(view.windowStart, iso(moved.start - 15 * MINUTE));
    assert.equal((await e.access('guest-r4')).reservations[0]?.windowStart, iso(moved.start - 15 * MINUTE));

    await advanceTo(old.start - 14 * MINUTE);
    await assertGroupsNow('guest-r4', ['r4'], [], 'nothing in the old window');
    await advanceTo(old.end);
    await assertGroupsNow('guest-r4', ['r4'], [], 'nothing at the old end');

    await advanceTo(moved.start - 16 * MINUTE);
    await assertGroupsNow('guest-r4', ['r4'], [], 'nothing at the new start − 16 min');
    await e.advance(2 * MINUTE);
    await waitGroups('guest-r4', [SPREE], 'the room at the new start − 15 min');
    await advanceTo(moved.end + 16 * MINUTE);
    await waitGroups('guest-r4', [], 'gone at the new end + 15 min');
  });

  it('grants at once when a reservation is moved earlier into its window', async () => {
    const now = await e.now();
    await e.tellReservation(
      'r5',
      booking('guest-r5', 'r5', { start: now + 5 * HOUR, end: now + 6 * HOUR, updatedAt: now }),
    );
    await assertGroupsNow('guest-r5', ['r5'], [], 'nothing while it is hours away');
    const start = now + 10 * MINUTE;
    const end = now + HOUR;
    await e.tellReservation('r5', booking('guest-r5', 'r5', { start, end, updatedAt: now + 1000 }));
    await waitGroups('guest-r5', [SPREE], 'the room at once');
    await quiet('guest-r5', 'r5');
    const view = await e.reservation('r5');
    assert.equal(view.state, 'granted');
    assert.equal(view.windowEnd, iso(end + 15 * MINUTE));

    await advanceTo(end + 14 * MINUTE);
    await assertGroupsNow('guest-r5', ['r5'], [SPREE], 'still at the new end + 14 min');
    await e.advance(2 * MINUTE);
    await waitGroups('guest-r5', [], 'gone at the new end + 15 min');
  });

  it('takes the room away at once when a granted reservation is moved later, and gives it back at the new window', async () => {
    const now = await e.now();
    await e.tellReservation(
      'r6',
      booking('guest-r6', 'r6', { start: now + 10 * MINUTE, end: now + HOUR, updatedAt: now }),
    );
    await waitGroups('guest-r6', [SPREE], 'granted, already inside the window');
    const start = now + 3 * HOUR;
    const end = now + 4 * HOUR;
    await e.tellReservation('r6', booking('guest-r6', 'r6', { start, end, updatedAt: now + 1000 }));
    await waitGroups('guest-r6', [], 'taken away now');
    await quiet('guest-r6', 'r6');
    assert.equal((await e.reservation('r6')).state, 'scheduled');
    assert.equal((await e.access('guest-r6')).reservations[0]?.state, 'scheduled');

    await advanceTo(start - 16 * MINUTE);
    await assertGroupsNow('guest-r6', ['r6'], [], 'nothing at the new start − 16 min');
    await e.advance(2 * MINUTE);
    await waitGroups('guest-r6', [SPREE], 'given again at the new start − 15 min');
    await advanceTo(end + 16 * MINUTE);
    await waitGroups('guest-r6', [], 'gone at the new end + 15 min');
  });

  it('never grants a reservation cancelled before its start (event, cancelled snapshot, or cancellation first)', async () => {
    const now = await e.now();
    const times = { start: now + 2 * HOUR, end: now + 3 * HOUR, updatedAt: now };
    // r7a: reservation.cancelled.
    await e.tellReservation('r7a', booking('guest-r7', 'r7a', times));
    await e.tellReservation('r7a', cancellation(now + 1000));
    // r7b: reservation.updated with status cancelled.
    const cancelledSnapshot = booking('guest-r7', 'r7b', { ...times, updatedAt: now + 1000 });
    if (cancelledSnapshot.type === 'snapshot') cancelledSnapshot.reservation.status = 'cancelled';
    await e.tellReservation('r7b', booking('guest-r7', 'r7b', times));
    await e.tellReservation('r7b', cancelledSnapshot);
    // r7c: out of order, the cancellation before the creation it cancels.
    await e.tellReservation('r7c', cancellation(now + 1000));
    await e.tellReservation('r7c', booking('guest-r7', 'r7c', times));
    await quiet('guest-r7', 'r7a', 'r7b', 'r7c');
    for (const id of ['r7a', 'r7b', 'r7c']) assert.equal((await e.reservation(id)).state, 'cancelled', id);
    // When the booking and its cancellation reach a reservation's workflow in one task, it folds
    // them and tells the person nothing; when apart, the person hears "scheduled" then
    // "cancelled". Either is right: what the person knows of them is only ever "cancelled".
    const known = await personReservationsIfStarted('guest-r7');
    for (const [id, state] of known) assert.equal(state, 'cancelled', `${id} as the person knows it`);
    assert.ok(!known.some(([id]) => id === 'r7c'), 'r7c never reached the person');

    await advanceTo(times.start);
    await assertGroupsNow('guest-r7', ['r7a', 'r7b', 'r7c'], [], 'nothing at the start');
    assert.equal(await e.saltoUser(BERLIN_SITE, email('guest-r7')), null, 'no SALTO KS user at all');
    await advanceTo(times.end + 16 * MINUTE);
    await assertGroupsNow('guest-r7', ['r7a', 'r7b', 'r7c'], [], 'nothing after the end');
  });

  it('takes the room away at once when a running reservation is cancelled', async () => {
    const now = await e.now();
    const start = now + HOUR;
    await e.tellReservation('r8', booking('guest-r8', 'r8', { start, end: start + HOUR, updatedAt: now }));
    await advanceTo(start + 5 * MINUTE);
    await waitGroups('guest-r8', [SPREE], 'granted');
    await e.tellReservation('r8', cancellation(now + 1000));
    await waitGroups('guest-r8', [], 'taken away at once');
    await quiet('guest-r8', 'r8');
    assert.equal((await e.reservation('r8')).state, 'cancelled');
    assert.equal((await e.access('guest-r8')).reservations[0]?.state, 'cancelled');
    assert.ok(await e.saltoUser(BERLIN_SITE, email('guest-r8')), 'policy keep: the user stays');
  });

  it('changes nothing when a reservation is cancelled after it ended', async () => {
    const now = await e.now();
    // r9a ends first; r9b, same person and room, runs on after it.
    const a = { start: now + 30 * MINUTE, end: now + HOUR, updatedAt: now };
    const b = { start: now + 2 * HOUR, end: now + 4 * HOUR, updatedAt: now };
    await e.tellReservation('r9a', booking('guest-r9', 'r9a', a));
    await e.tellReservation('r9b', booking('guest-r9', 'r9b', b));
    await advanceTo(a.end + 16 * MINUTE);
    await e.eventually(
      async () => (await e.reservation('r9a')).state === 'revoked' || undefined,
      'r9a revoked',
    );
    await assertGroupsNow('guest-r9', ['r9a', 'r9b'], [], 'between the two');

    await e.tellReservation('r9a', cancellation(now + 1000));
    await assertGroupsNow('guest-r9', ['r9a', 'r9b'], [], 'the late cancellation gives and takes nothing');
    assert.notEqual((await e.reservation('r9a')).state, 'granted');

    await advanceTo(b.start);
    await waitGroups('guest-r9', [SPREE], 'the other reservation still grants');
    await e.tellReservation('r9a', cancellation(now + 2000));
    await assertGroupsNow(
      'guest-r9',
      ['r9a', 'r9b'],
      [SPREE],
      'cancelling the ended one leaves the running one',
    );
    assert.equal((await e.reservation('r9b')).state, 'granted');
  });

  it('grants nothing for a reservation.created that arrives after its window closed', async () => {
    const now = await e.now();
    await e.tellReservation(
      'r10',
      booking('guest-r10', 'r10', { start: now - 2 * HOUR, end: now - HOUR, updatedAt: now - 3 * HOUR }),
    );
    await e.settled('reservation-r10');
    const view = await e.reservation('r10');
    assert.notEqual(view.state, 'granted');
    assert.equal(view.state, 'revoked', 'finished: its window had closed');
    assert.equal(await e.saltoUser(BERLIN_SITE, email('guest-r10')), null, 'no SALTO KS user');
    await e.advance(HOUR);
    await e.settled('reservation-r10');
    assert.equal(await e.saltoUser(BERLIN_SITE, email('guest-r10')), null, 'still none');
  });

  it('grants nothing for a reservation that ended (but is within its lag) before it arrived', async () => {
    const now = await e.now();
    await e.tellReservation(
      'r10b',
      booking('guest-r10b', 'r10b', {
        start: now - HOUR,
        end: now - 5 * MINUTE,
        updatedAt: now - 2 * HOUR,
      }),
    );
    await e.settled('reservation-r10b');
    assert.notEqual((await e.reservation('r10b')).state, 'granted');
    await settledIfStarted('guest-r10b');
    assert.deepEqual(await groups('guest-r10b'), []);
  });

  it('grants nothing when a reservation that ran and closed is moved into the recent past (its new lag still open)', async () => {
    const now = await e.now();
    const first = { start: now + 30 * MINUTE, end: now + HOUR, updatedAt: now };
    await e.tellReservation('r10c', booking('guest-r10c', 'r10c', first));
    await advanceTo(first.start);
    await waitGroups('guest-r10c', [SPREE], 'granted in its window');
    await advanceTo(first.end + 20 * MINUTE);
    await waitGroups('guest-r10c', [], 'closed after end + 15 min');
    // Moved to end 5 minutes ago: its new window would still be open for 10 minutes.
    const later = await e.now();
    await e.tellReservation(
      'r10c',
      booking('guest-r10c', 'r10c', { start: later - HOUR, end: later - 5 * MINUTE, updatedAt: later }),
    );
    await assertGroupsNow('guest-r10c', ['r10c'], [], 'nothing for a move into the past');
    assert.notEqual((await e.reservation('r10c')).state, 'granted');
  });

  it('keeps the room until the new end + 15 min when a running reservation is cut to an end just past', async () => {
    const now = await e.now();
    const start = now + 30 * MINUTE;
    await e.tellReservation(
      'r10d',
      booking('guest-r10d', 'r10d', { start, end: start + 2 * HOUR, updatedAt: now }),
    );
    await advanceTo(start + HOUR);
    await waitGroups('guest-r10d', [SPREE], 'granted while it runs');
    const cutAt = await e.now();
    await e.tellReservation(
      'r10d',
      booking('guest-r10d', 'r10d', { start, end: cutAt - 5 * MINUTE, updatedAt: cutAt }),
    );
    await assertGroupsNow('guest-r10d', ['r10d'], [SPREE], 'the lag of the new end is still open');
    await advanceTo(cutAt + 11 * MINUTE);
    await waitGroups('guest-r10d', [], 'gone at the new end + 15 min');
  });

  it('does not grant again on a late duplicate of reservation.created after the reservation finished', async () => {
    const now = await e.now();
    const times = { start: now + 30 * MINUTE, end: now + HOUR, updatedAt: now };
    const created = booking('guest-r11', 'r11', times);
    await e.tellReservation('r11', created);
    await advanceTo(times.start);
    await waitGroups('guest-r11', [SPREE], 'granted');
    await advanceTo(times.end + 16 * MINUTE);
    await waitGroups('guest-r11', [], 'revoked');
    await quiet('guest-r11', 'r11');

    // While the finished reservation lingers: the very same event, then the same snapshot under a new id.
    await e.tellReservation('r11', created);
    await e.tellReservation('r11', booking('guest-r11', 'r11', times));
    await assertGroupsNow('guest-r11', ['r11'], [], 'no grant from duplicates');
    assert.equal((await e.reservation('r11')).state, 'revoked');
    assert.equal((await e.access('guest-r11')).reservations[0]?.state, 'revoked');

    // After the linger the workflow has completed: a duplicate starts a new run, which grants nothing.
    await e.advance(DAY + HOUR);
    const closed = await e.client.workflow.getHandle('reservation-r11').describe();
    assert.equal(closed.status.name, 'COMPLETED');
    await e.tellReservation('r11', created);
    await e.tellReservation('r11', booking('guest-r11', 'r11', times));
    await assertGroupsNow('guest-r11', ['r11'], [], 'no grant from a duplicate after the linger');
    assert.notEqual((await e.reservation('r11')).state, 'granted');
  });

  it('does not grant on a late duplicate of reservation.created after the reservation was cancelled', async () => {
    const now = await e.now();
    const times = { start: now + HOUR, end: now + 2 * HOUR, updatedAt: now };
    const created = booking('guest-r11c', 'r11c', times);
    await e.tellReservation('r11c', created);
    await e.tellReservation('r11c', cancellation(now + 1000));
    await quiet('guest-r11c', 'r11c');
    await e.tellReservation('r11c', created);
    await e.tellReservation('r11c', booking('guest-r11c', 'r11c', times));
    await quiet('guest-r11c', 'r11c');
    assert.equal((await e.reservation('r11c')).state, 'cancelled');
    await advanceTo(times.start);
    await assertGroupsNow('guest-r11c', ['r11c'], [], 'nothing in the window');

    // Cancelled while running, then the duplicate: no grant again.
    const running = { start: now + 2 * HOUR, end: now + 3 * HOUR, updatedAt: now };
    const created2 = booking('guest-r11c', 'r11d', running);
    await e.tellReservation('r11d', created2);
    await advanceTo(running.start);
    await waitGroups('guest-r11c', [SPREE], 'r11d granted');
    await e.tellReservation('r11d', cancellation(now + 1000));
    await waitGroups('guest-r11c', [], 'r11d cancelled');
    await e.tellReservation('r11d', created2);
    await e.tellReservation('r11d', booking('guest-r11c', 'r11d', running));
    await assertGroupsNow('guest-r11c', ['r11c', 'r11d'], [], 'no grant from the duplicates');
    assert.equal((await e.reservation('r11d')).state, 'cancelled');
  });

  it('does not grant when reservation.created arrives more than a day after the cancellation that overtook it', async () => {
    const now = await e.now();
    const times = { start: now + 3 * DAY, end: now + 3 * DAY + HOUR, updatedAt: now };
    await e.tellReservation('r11e', cancellation(now + 1000));
    await e.settled('reservation-r11e');
    await e.advance(DAY + HOUR);
    await e.tellReservation('r11e', booking('guest-r11e', 'r11e', times));
    await e.settled('reservation-r11e');
    assert.equal((await e.reservation('r11e')).state, 'cancelled');
    await advanceTo(times.start);
    await quiet('guest-r11e', 'r11e');
    assert.deepEqual(await groups('guest-r11e'), []);
  });

  it('revokes even when the reservation workflow itself is cancelled while granted', async () => {
    const now = await e.now();
    const start = now + HOUR;
    await e.tellReservation(
      'r12',
      booking('guest-r12', 'r12', { start, end: start + 2 * HOUR, updatedAt: now }),
    );
    await advanceTo(start);
    await waitGroups('guest-r12', [SPREE], 'granted');
    await quiet('guest-r12', 'r12');
    const handle = e.client.workflow.getHandle('reservation-r12');
    await handle.cancel();
    await waitGroups('guest-r12', [], 'revoked despite the cancellation');
    await quiet('guest-r12', 'r12');
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    assert.equal((await e.access('guest-r12')).reservations[0]?.state, 'cancelled');
    assert.deepEqual((await e.access('guest-r12')).desired, {});
  });

  it('follows a lead and lag changed by the policy before the reservation is scheduled', async () => {
    await e.setPolicy({ reservationLeadMinutes: 30, reservationLagMinutes: 5 });
    try {
      const now = await e.now();
      const start = now + 2 * HOUR;
      const end = start + HOUR;
      await e.tellReservation('r13', booking('guest-r13', 'r13', { start, end, updatedAt: now }));
      await quiet('guest-r13', 'r13');
      const view = await e.reservation('r13');
      assert.equal(view.windowStart, iso(start - 30 * MINUTE));
      assert.equal(view.windowEnd, iso(end + 5 * MINUTE));

      await advanceTo(start - 31 * MINUTE);
      await assertGroupsNow('guest-r13', ['r13'], [], 'nothing at start − 31 min');
      await e.advance(2 * MINUTE);
      await waitGroups('guest-r13', [SPREE], 'the room at start − 30 min');
      await advanceTo(end + 4 * MINUTE);
      await assertGroupsNow('guest-r13', ['r13'], [SPREE], 'still at end + 4 min');
      await e.advance(2 * MINUTE);
      await waitGroups('guest-r13', [], 'gone at end + 5 min');
    } finally {
      await e.setPolicy({ reservationLeadMinutes: 15, reservationLagMinutes: 15 });
    }
  });

  it('moves the window of an already scheduled reservation when the policy lead changes (rule 7)', async () => {
    const now = await e.now();
    const start = now + 2 * HOUR;
    await e.tellReservation(
      'r13b',
      booking('guest-r13b', 'r13b', { start, end: start + HOUR, updatedAt: now }),
    );
    await quiet('guest-r13b', 'r13b');
    await e.setPolicy({ reservationLeadMinutes: 30 });
    try {
      await advanceTo(start - 29 * MINUTE);
      await quiet('guest-r13b', 'r13b');
      assert.deepEqual(await groups('guest-r13b'), [SPREE], 'the room at start − 30 min');
    } finally {
      await e.setPolicy({ reservationLeadMinutes: 15 });
    }
  });
});
