// What each change costs the Temporal server, read from the histories (patches
// `local-coordination`, `person-news-by-activity` and `sparse-search-attributes`): a reservation
// reads the set-up and tells its person with local activities, with no activity task of its own;
// a master tells its co-member, and the co-member its master, with an activity task, which only a
// completed workflow task schedules (test/workflows/comember-news.test.ts shows why); and a pass
// that changes none of a person's search attributes upserts none. The doors must come out the
// same, so each case also checks SALTO KS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BERLIN_SITE, startEngine, type Engine, FLEX, SPREE } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, reservationSnapshot } from '../helpers/events';
import {
  localActivityTypes,
  ownSearchAttributeUpserts,
  scheduledActivityTypes,
} from '../helpers/history-events';
import { HeldGroupsKey, PersonIdKey } from '../../src/shared/search-attributes';

describe('tasks and commands per change', { timeout: 120_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapUnit('berlin', 'room-spree', [SPREE]);
    await e.mapProduct('berlin', 'flex', FLEX);
    await e.mapProduct('berlin', 'office', ['ag-berlin-private-offices']);
  });
  after(async () => {
    await e?.stop();
  });

  const history = (workflowId: string) => e.client.workflow.getHandle(workflowId).fetchHistory();

  it('a reservation reads the set-up and tells its person with one activity task each, no local activity', async () => {
    const now = await e.now();
    await e.tellReservation(
      'eco-r1',
      reservationSnapshot(
        { id: 'eco-r1', start: iso(now - 5 * MINUTE), end: iso(now + 60 * MINUTE), updatedAt: iso(now) },
        { id: 'eco-guest', email: 'eco-guest@example.com' },
      ),
    );
    await e.eventually(
      async () =>
        (await e.saltoUser(BERLIN_SITE, 'eco-guest@example.com'))?.groups.includes(SPREE) ? true : undefined,
      'the room for the guest',
    );
    await e.settled('reservation-eco-r1');
    const h = await history('reservation-eco-r1');
    assert.deepEqual(scheduledActivityTypes(h), ['loadSetup', 'signalPerson']);
    assert.deepEqual(localActivityTypes(h), [], 'no local activity (ACTIVITY_TASKS_ONLY_PATCH)');
  });

  it('the person opens and closes the door at the window edges by itself: the reservation takes no task there', async () => {
    // The set-up tells reservations again 30 s after a change: let that pass first.
    await e.passSetupCatchUp();
    const now = await e.now();
    const [start, end] = [now + 60 * MINUTE, now + 120 * MINUTE];
    await e.tellReservation(
      'eco-r2',
      reservationSnapshot(
        { id: 'eco-r2', start: iso(start), end: iso(end), updatedAt: iso(now) },
        { id: 'eco-guest2', email: 'eco-guest2@example.com' },
      ),
    );
    await e.settled('reservation-eco-r2');
    await e.settled('person-eco-guest2');
    const tasks = (h: Awaited<ReturnType<typeof history>>): number =>
      (h.events ?? []).filter((ev) => ev.workflowTaskCompletedEventAttributes).length;
    const reservationTasks = tasks(await history('reservation-eco-r2'));
    const guestGroups = async (): Promise<string[]> =>
      (await e.saltoUser(BERLIN_SITE, 'eco-guest2@example.com'))?.groups ?? [];

    await e.advance(start - 14 * MINUTE - (await e.now()));
    await e.eventually(async () => ((await guestGroups()).includes(SPREE) ? true : undefined), 'the room');
    await e.advance(end + 16 * MINUTE - (await e.now()));
    await e.eventually(async () => ((await guestGroups()).includes(SPREE) ? undefined : true), 'no room');
    await e.settled('reservation-eco-r2');
    await e.settled('person-eco-guest2');

    const reservation = await history('reservation-eco-r2');
    assert.equal(tasks(reservation), reservationTasks, 'no workflow task of the reservation at either edge');
    assert.ok(
      !(reservation.events ?? []).some((ev) => ev.timerFiredEventAttributes),
      'no timer of its fired',
    );
    assert.deepEqual(scheduledActivityTypes(reservation), ['loadSetup', 'signalPerson'], 'told once');
    const person = await history('person-eco-guest2');
    const signals = (person.events ?? []).filter((ev) => ev.workflowExecutionSignaledEventAttributes);
    assert.equal(signals.length, 1, 'the person was told once, and kept the window by its own timers');
    assert.ok((person.events ?? []).filter((ev) => ev.timerFiredEventAttributes).length >= 2);
  });

  it('a master tells a new co-member its groups, and the co-member its master, with an activity task', async () => {
    const now = await e.now();
    await e.tellPerson(
      'eco-master',
      memberSnapshot('eco-master', {
        updatedAt: iso(now),
        billings: [billing({ id: 'eco-b1', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await e.tellPerson('eco-co', memberSnapshot('eco-co', { updatedAt: iso(now), masterId: 'eco-master' }));
    const co = await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, 'eco-co@example.com');
      return u?.groups.length === FLEX.length ? u : undefined;
    }, "the co-member holding the master's groups");
    assert.deepEqual(co.groups, FLEX);
    await e.settled('person-eco-master');
    await e.settled('person-eco-co');
    for (const id of ['person-eco-master', 'person-eco-co']) {
      const h = await history(id);
      assert.ok(scheduledActivityTypes(h).includes('signalPerson'), `${id} signals with an activity task`);
      assert.ok(!localActivityTypes(h).includes('signalPerson'), `${id} signals with no local activity`);
    }
  });

  it('a pass that changes none of the search attributes upserts none; one that changes a door does', async () => {
    const now = await e.now();
    const plan = billing({ id: 'eco-b2', productId: 'flex', centerId: 'berlin' });
    await e.tellPerson('eco-quiet', memberSnapshot('eco-quiet', { updatedAt: iso(now), billings: [plan] }));
    await e.eventually(
      async () =>
        (await e.saltoUser(BERLIN_SITE, 'eco-quiet@example.com'))?.groups.length === 2 ? true : undefined,
      'the plan applied',
    );
    await e.settled('person-eco-quiet');
    const before = await history('person-eco-quiet');
    const upsertsBefore = ownSearchAttributeUpserts(before, PersonIdKey.name);
    const tasksBefore = (before.events ?? []).filter((ev) => ev.workflowTaskCompletedEventAttributes).length;

    // The same member again, only newer: a pass that moves nothing.
    await e.tellPerson(
      'eco-quiet',
      memberSnapshot('eco-quiet', { updatedAt: iso(now + 1000), billings: [plan] }),
    );
    await e.eventually(async () => {
      const h = await history('person-eco-quiet');
      const tasks = (h.events ?? []).filter((ev) => ev.workflowTaskCompletedEventAttributes).length;
      return tasks > tasksBefore ? true : undefined;
    }, 'the pass for the unchanged snapshot');
    await e.settled('person-eco-quiet');
    assert.equal(
      ownSearchAttributeUpserts(await history('person-eco-quiet'), PersonIdKey.name),
      upsertsBefore,
      'nothing changed: no upsert',
    );

    // A plan more: its group is held now, and the held groups are searchable.
    await e.tellPerson(
      'eco-quiet',
      billingEvent(billing({ id: 'eco-b3', productId: 'office', centerId: 'berlin' }), iso(now + 2000)),
    );
    await e.eventually(
      async () =>
        (await e.saltoUser(BERLIN_SITE, 'eco-quiet@example.com'))?.groups.length === 3 ? true : undefined,
      'the second plan applied',
    );
    await e.settled('person-eco-quiet');
    assert.ok(
      ownSearchAttributeUpserts(await history('person-eco-quiet'), PersonIdKey.name) > upsertsBefore,
      'a held group more: upserted',
    );
    const described = await e.client.workflow.getHandle('person-eco-quiet').describe();
    const held = described.typedSearchAttributes.get(HeldGroupsKey) ?? [];
    assert.ok(
      held.some((k) => k.includes('ag-berlin-private-offices')),
      `the held groups published: ${held.join(', ')}`,
    );
  });
});
