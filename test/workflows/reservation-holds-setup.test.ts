// A reservation's pass decides on the set-up it holds (patch `reservation-holds-setup`): the one
// the webhook sent with its start, or its last pass's. Its first tell checks that set-up
// (`signalPersonChecked`); a moved one is refused before any person hears of it, and the pass
// decides again. A pass that tells nothing reads the set-up after it. Proven on the time-skipping
// server against the simulator: what the guest holds in SALTO KS, what the person was told, and
// the tasks in the reservation's history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { History } from '@temporalio/common/lib/proto-utils';
import { BERLIN_SITE, startEngine, type Engine, SPREE } from '../helpers/engine';
import { iso, MINUTE, reservationSnapshot } from '../helpers/events';
import { scheduledActivityTypes } from '../helpers/history-events';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import { reservationStartSource, setupForStarts } from '../../src/api/person-start';

describe('a reservation that decides on the set-up it holds', { timeout: 240_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapUnit('berlin', 'room-spree', [SPREE]);
    // Changes made before a reservation starts are told to it 30 s later (the catch-up fan-out): past.
    await e.passSetupCatchUp();
  });
  after(async () => {
    try {
      if (e)
        await recordHistoriesIfAsked(e.client, [
          'reservation-held-r1',
          'reservation-held-moved',
          'reservation-held-swap',
          'person-held-guest1',
          'person-held-guest2',
        ]);
    } finally {
      await e?.stop();
    }
  });

  const history = (workflowId: string): Promise<History> =>
    e.client.workflow.getHandle(workflowId).fetchHistory();
  const workflowTasks = (h: History): number =>
    (h.events ?? []).filter((ev) => ev.workflowTaskCompletedEventAttributes).length;
  const signals = (h: History): number =>
    (h.events ?? []).filter((ev) => ev.workflowExecutionSignaledEventAttributes).length;
  const roomOf = async (email: string): Promise<boolean> =>
    (await e.saltoUser(BERLIN_SITE, email))?.groups.includes(SPREE) ?? false;
  const booking = (id: string, guest: string, start: number, end: number, updatedAt: number) =>
    reservationSnapshot(
      { id, start: iso(start), end: iso(end), updatedAt: iso(updatedAt) },
      { id: guest, email: `${guest}@example.com` },
    );

  it('a new reservation the webhook starts with the set-up tells its person with one checked call, and reads nothing', async () => {
    const now = await e.now();
    const event = booking('held-r1', 'held-guest1', now + 5 * MINUTE, now + 60 * MINUTE, now);
    const start = await e.reservationStart(event);
    assert.ok(start, 'the webhook sends the set-up with a reservation snapshot');
    assert.equal(start.setup.version, (await e.setup()).version);
    await e.tellReservation('held-r1', event, start);
    // Inside the window already (15 minutes of lead): the guest gets the room now.
    await e.eventually(
      async () => ((await roomOf('held-guest1@example.com')) ? true : undefined),
      'the room',
    );
    await e.settled('reservation-held-r1');
    const h = await history('reservation-held-r1');
    assert.deepEqual(scheduledActivityTypes(h), ['signalPersonChecked'], 'no read of the set-up');
    assert.equal(workflowTasks(h), 2, 'the start, and the answer of the one tell');
  });

  it('a later pass decides on the set-up of the pass before: a move costs its one tell', async () => {
    const now = await e.now();
    const before = scheduledActivityTypes(await history('reservation-held-r1')).length;
    // Moved to start in two hours: the window closes on the person's side, and the room goes.
    await e.tellReservation(
      'held-r1',
      booking('held-r1', 'held-guest1', now + 120 * MINUTE, now + 180 * MINUTE, now + 1),
    );
    await e.eventually(
      async () => ((await roomOf('held-guest1@example.com')) ? undefined : true),
      'the room taken away until the moved window opens',
    );
    await e.settled('reservation-held-r1');
    assert.deepEqual(scheduledActivityTypes(await history('reservation-held-r1')).slice(before), [
      'signalPersonChecked',
    ]);
    const view = await e.reservation('held-r1');
    assert.equal(view.windowStart, iso(now + 105 * MINUTE), 'the window of the new times, with the lead');
  });

  it('a refused tell to the customer a change of customer replaces: the pass tells both on the new set-up', async () => {
    await e.passSetupCatchUp();
    const now = await e.now();
    const first = booking('held-swap', 'held-a', now + 5 * MINUTE, now + 60 * MINUTE, now);
    await e.tellReservation('held-swap', first, await e.reservationStart(first));
    await e.eventually(
      async () => ((await roomOf('held-a@example.com')) ? true : undefined),
      'the room for A',
    );
    await e.settled('reservation-held-swap');
    const before = scheduledActivityTypes(await history('reservation-held-swap')).length;
    // Another room mapped at Berlin: the set-up moves, and its fan-out tells the people of Berlin,
    // not reservations. The set-up this reservation holds is old now.
    await e.mapUnit('berlin', 'room-havel', ['ag-berlin-coworking-floor']);
    await e.tellReservation(
      'held-swap',
      booking('held-swap', 'held-b', now + 5 * MINUTE, now + 60 * MINUTE, now + 1),
    );
    await e.eventually(
      async () => ((await roomOf('held-b@example.com')) ? true : undefined),
      'the room for B',
    );
    await e.eventually(
      async () => ((await roomOf('held-a@example.com')) ? undefined : true),
      'no room for A',
    );
    await e.settled('reservation-held-swap');
    assert.deepEqual(
      scheduledActivityTypes(await history('reservation-held-swap')).slice(before),
      ['signalPersonChecked', 'signalPerson', 'signalPerson'],
      'the revoke to A refused on the old set-up; then A revoked and B told on the new one',
    );
  });

  it('a pass that tells nothing still reads the set-up after it (rule 7)', async () => {
    const now = await e.now();
    const before = scheduledActivityTypes(await history('reservation-held-r1')).length;
    const told = signals(await history('person-held-guest1'));
    const view = await e.reservation('held-r1');
    // The same times again, newer: nothing new for the person.
    await e.tellReservation(
      'held-r1',
      booking(
        'held-r1',
        'held-guest1',
        Date.parse(view.windowStart!) + 15 * MINUTE,
        Date.parse(view.windowEnd!) - 15 * MINUTE,
        now + 2,
      ),
    );
    await e.eventually(
      async () =>
        scheduledActivityTypes(await history('reservation-held-r1')).length > before ? true : undefined,
      'the read after the pass',
    );
    await e.settled('reservation-held-r1');
    assert.deepEqual(scheduledActivityTypes(await history('reservation-held-r1')).slice(before), [
      'loadSetup',
    ]);
    assert.equal(signals(await history('person-held-guest1')), told, 'the person was told nothing');
  });

  it('a set-up that moved after the webhook read it: the tell refuses before the person hears it, and the pass tells the new window', async () => {
    const now = await e.now();
    const opensAt = now + 60 * MINUTE;
    const event = booking('held-moved', 'held-guest2', opensAt, opensAt + 60 * MINUTE, now);
    const start = await e.reservationStart(event);
    assert.ok(start);
    // A lead of 30 minutes from now on: the window the start's set-up gives opens 15 minutes late.
    await e.setPolicy({ reservationLeadMinutes: 30 });
    try {
      assert.ok((await e.setup()).version > start.setup.version);
      // Its fan-outs are over before the reservation starts: only the check can catch the old set-up.
      await e.passSetupCatchUp();
      await e.tellReservation('held-moved', event, start);
      await e.eventually(
        async () => ((await e.reservation('held-moved')).state === 'scheduled' ? true : undefined),
        'the reservation scheduled',
      );
      await e.settled('reservation-held-moved');
      await e.settled('person-held-guest2');
      assert.deepEqual(
        scheduledActivityTypes(await history('reservation-held-moved')),
        ['signalPersonChecked', 'signalPerson'],
        'the refused tell, then the tell on the set-up it handed back, as on one read for the pass',
      );
      assert.equal((await e.reservation('held-moved')).windowStart, iso(opensAt - 30 * MINUTE));
      assert.equal(signals(await history('person-held-guest2')), 1, 'the refused tell reached no one');
      // The person holds the window of the new lead: the door opens 30 minutes ahead, not 15.
      await e.advance(opensAt - 29 * MINUTE - (await e.now()));
      await e.eventually(
        async () => ((await roomOf('held-guest2@example.com')) ? true : undefined),
        'the room',
      );
    } finally {
      await e.setPolicy({ reservationLeadMinutes: 15 });
    }
  });

  it('the API sends the set-up with reservation snapshots only, and none over its size limit', async () => {
    const cancellation = { type: 'cancelled' as const, eventId: 'held-c1', updatedAt: iso(await e.now()) };
    assert.equal(await e.reservationStart(cancellation), undefined, 'a cancellation decides on no set-up');
    const snapshot = booking('held-x', 'held-guest3', 0, 1, 0);
    assert.equal((await e.reservationStart(snapshot))?.setup.version, (await e.setup()).version);
    const small = reservationStartSource(setupForStarts({ client: e.client, maxBytes: 64 }));
    assert.equal(
      await small(snapshot),
      undefined,
      'a set-up over the limit is left for the workflow to read',
    );
  });
});
