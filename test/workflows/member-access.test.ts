// Rule 1 (members hold their plans' groups, on time, in each center's time zone), rule 5
// (no group left: the user is kept, blocked or deleted by policy) and rule 6 (adopt by e-mail;
// name edits reach every site), proven on the time-skipping server against the simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
// Calendar arithmetic of the model (test/model/tz.ts), not the engine's: the expected instants must
// not come from the code under test.
import { addDays, localDate, startOfDay } from '../model/tz';
import { BERLIN_SITE, BROOKLYN_SITE, startEngine, type Engine } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, statusEvent, DAY } from '../helpers/events';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import { createUserInSalto } from '../helpers/salto-by-hand';
import { CLAIM_CONFIRM_MS } from '../../src/workflows/person-sync';
import { localActivityTypes, scheduledActivityTypes } from '../helpers/history-events';
import { DEMO_EMAIL_LOOKUP_KEY, emailLookupKey } from '../../src/shared/email-lookup';
import { EmailKeyKey } from '../../src/shared/search-attributes';

describe('member access (rule 1, 5, 6)', { timeout: 120_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapCenter('brooklyn', BROOKLYN_SITE, 'America/New_York');
    await e.mapProduct('berlin', 'flex', ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance']);
    await e.mapProduct('berlin', 'office', ['ag-berlin-private-offices']);
    await e.mapProduct('brooklyn', 'flex', ['ag-brooklyn-open-desks']);
  });
  after(async () => {
    try {
      // The adoption claim (patch 'adoption-claims') in the replay test's histories.
      if (e) await recordHistoriesIfAsked(e.client, ['person-pre-existing']);
    } finally {
      await e?.stop();
    }
  });

  it('a new member costs one activity task per site and one read: the set-up and the e-mail hash together, the create carries the groups', async () => {
    // The set-up changes of `before` tell every person started up to 2 minutes before them again,
    // 30 s later (the catch-up fan-out): a pass this test does not count. Server time moves past
    // both first, so this member is started after them and told nothing.
    await e.passSetupCatchUp();
    const now = await e.now();
    await e.tellPerson(
      'one-task',
      memberSnapshot('one-task', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-ber', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-bro', productId: 'flex', centerId: 'brooklyn' }),
        ],
      }),
    );
    await e.eventually(async () => {
      const [ber, bro] = [
        await e.saltoUser(BERLIN_SITE, 'one-task@example.com'),
        await e.saltoUser(BROOKLYN_SITE, 'one-task@example.com'),
      ];
      return ber?.groups.length === 2 && bro?.groups.length === 1 ? true : undefined;
    }, 'both sites');
    await e.settled('person-one-task');
    assert.equal((await e.access('one-task')).inSync, true);
    const history = await e.client.workflow.getHandle('person-one-task').fetchHistory();
    assert.deepEqual(
      scheduledActivityTypes(history),
      ['loadSetupAndEmailKey', 'ensureSaltoUser', 'ensureSaltoUser'],
      'the set-up read and the e-mail hashed by one activity',
    );
    assert.deepEqual(localActivityTypes(history), [], 'no local activity (ACTIVITY_TASKS_ONLY_PATCH)');
    const described = await e.client.workflow.getHandle('person-one-task').describe();
    assert.equal(
      described.typedSearchAttributes.get(EmailKeyKey),
      emailLookupKey('one-task@example.com', DEMO_EMAIL_LOOKUP_KEY),
      'the e-mail hash that the people list searches by',
    );
  });

  it('gives a member with two plans at two centers the groups of both sites', async () => {
    const now = await e.now();
    await e.tellPerson(
      'two-plans',
      memberSnapshot('two-plans', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-berlin', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-brooklyn', productId: 'flex', centerId: 'brooklyn' }),
        ],
      }),
    );
    const berlin = await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, 'two-plans@example.com');
      return u?.groups.length === 2 ? u : undefined;
    }, 'Berlin groups');
    assert.deepEqual(berlin.groups, ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance']);
    assert.equal(berlin.alias, 'deskworks:two-plans');
    const brooklyn = await e.eventually(async () => {
      const u = await e.saltoUser(BROOKLYN_SITE, 'two-plans@example.com');
      return u?.groups.length === 1 ? u : undefined;
    }, 'Brooklyn groups');
    assert.deepEqual(brooklyn.groups, ['ag-brooklyn-open-desks']);
    await e.settled('person-two-plans');
    const view = await e.access('two-plans');
    assert.equal(view.inSync, true);
    // The query says why: the Berlin floor comes from billing b-berlin.
    assert.deepEqual(view.reasons[BERLIN_SITE]?.['ag-berlin-coworking-floor'], [
      { kind: 'billing', billingId: 'b-berlin', productId: 'flex', centerId: 'berlin' },
    ]);
    // The same product id maps differently per center.
    assert.deepEqual(view.applied[BROOKLYN_SITE], ['ag-brooklyn-open-desks']);
    // Nothing else on either site: exactly one user each, nobody else touched.
    assert.equal(
      (await e.saltoUsers(BERLIN_SITE)).filter((u) => u.alias === 'deskworks:two-plans').length,
      1,
    );
  });

  it('starts a future billing at 00:00 of its start date in the center time zone, with no event', async () => {
    const now = await e.now();
    const tomorrow = addDays(localDate(now, 'Europe/Berlin'), 1);
    const midnight = startOfDay(tomorrow, 'Europe/Berlin');
    await e.tellPerson(
      'future',
      memberSnapshot('future', {
        updatedAt: iso(now),
        billings: [billing({ id: 'b-future', productId: 'office', centerId: 'berlin', startDate: tomorrow })],
      }),
    );
    await e.settled('person-future');
    assert.equal((await e.access('future')).nextChangeAt, iso(midnight));
    assert.equal(
      await e.saltoUser(BERLIN_SITE, 'future@example.com'),
      null,
      'no user before the plan starts',
    );

    await e.advance(midnight - (await e.now()) - MINUTE);
    assert.equal(
      await e.saltoUser(BERLIN_SITE, 'future@example.com'),
      null,
      'still nothing a minute before midnight',
    );
    await e.advance(2 * MINUTE);
    const user = await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'future@example.com')) ?? undefined,
      'user at midnight',
    );
    assert.deepEqual(user.groups, ['ag-berlin-private-offices']);
  });

  it('takes access away after 23:59:59 of the end date, and keeps the user (policy keep)', async () => {
    const now = await e.now();
    const today = localDate(now, 'America/New_York');
    const end = startOfDay(addDays(today, 1), 'America/New_York');
    await e.tellPerson(
      'ending',
      memberSnapshot('ending', {
        updatedAt: iso(now),
        homeCenterId: 'brooklyn',
        billings: [billing({ id: 'b-end', productId: 'flex', centerId: 'brooklyn', endDate: today })],
      }),
    );
    await e.eventually(
      async () => (await e.saltoUser(BROOKLYN_SITE, 'ending@example.com'))?.groups.length === 1,
      'granted',
    );
    await e.advance(end - (await e.now()) - MINUTE);
    assert.deepEqual((await e.saltoUser(BROOKLYN_SITE, 'ending@example.com'))?.groups, [
      'ag-brooklyn-open-desks',
    ]);
    await e.advance(2 * MINUTE);
    const user = await e.eventually(async () => {
      const u = await e.saltoUser(BROOKLYN_SITE, 'ending@example.com');
      return u && u.groups.length === 0 ? u : undefined;
    }, 'groups removed after the end date');
    assert.equal(user.blocked, false, 'policy keep: the user stays, unblocked');
  });

  it('removes the groups of a cancelled plan and keeps the others', async () => {
    const now = await e.now();
    await e.tellPerson(
      'cancel',
      memberSnapshot('cancel', {
        updatedAt: iso(now - 10 * MINUTE),
        billings: [
          billing({ id: 'b-flex', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-office', productId: 'office', centerId: 'berlin' }),
        ],
      }),
    );
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'cancel@example.com'))?.groups.length === 3,
      'three groups',
    );
    await e.tellPerson(
      'cancel',
      billingEvent(
        billing({ id: 'b-office', productId: 'office', centerId: 'berlin', status: 'cancelled' }),
        iso(now),
      ),
    );
    const user = await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, 'cancel@example.com');
      return u?.groups.length === 2 ? u : undefined;
    }, 'office group removed');
    assert.deepEqual(user.groups, ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance']);
  });

  it('removes every group on deactivation and gives them back on re-activation', async () => {
    const now = await e.now();
    await e.tellPerson(
      'toggle',
      memberSnapshot('toggle', {
        updatedAt: iso(now - 5 * MINUTE),
        billings: [billing({ id: 'b-t', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'toggle@example.com'))?.groups.length === 2,
      'granted',
    );
    await e.tellPerson('toggle', statusEvent('inactive', iso(now - 4 * MINUTE)));
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'toggle@example.com'))?.groups.length === 0,
      'removed',
    );
    await e.tellPerson('toggle', statusEvent('active', iso(now - 3 * MINUTE)));
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'toggle@example.com'))?.groups.length === 2,
      'given back',
    );
    // One user throughout: re-activation reuses it.
    assert.equal((await e.saltoUsers(BERLIN_SITE)).filter((u) => u.email === 'toggle@example.com').length, 1);
  });

  it('adopts a SALTO KS user that already had the e-mail, instead of creating a second one', async () => {
    const now = await e.now();
    // Created by hand in SALTO KS before the integration, with another case in the e-mail.
    await createUserInSalto(e.sim, BERLIN_SITE, {
      firstName: 'Pre',
      lastName: 'Existing',
      email: 'pre.existing@example.com',
      groups: [],
    });
    await e.tellPerson(
      'pre-existing',
      memberSnapshot('pre-existing', {
        updatedAt: iso(now),
        profile: { firstName: 'Pre', lastName: 'Existing', email: 'Pre.Existing@Example.com' },
        billings: [billing({ id: 'b-pre', productId: 'office', centerId: 'berlin' })],
      }),
    );
    await e.eventually(
      async () =>
        (await e.saltoUser(BERLIN_SITE, 'pre.existing@example.com'))?.alias === 'deskworks:pre-existing',
      'claimed',
    );
    await e.settled('person-pre-existing');
    await e.advance(CLAIM_CONFIRM_MS + MINUTE); // the claim is confirmed before anything is written
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'pre.existing@example.com'))?.groups.length === 1,
      'granted',
    );
    const users = (await e.saltoUsers(BERLIN_SITE)).filter(
      (u) => u.email.toLowerCase() === 'pre.existing@example.com',
    );
    assert.equal(users.length, 1);
  });

  it('sends a name edit to every site where the person has a user', async () => {
    const now = await e.now();
    await e.tellPerson(
      'renamed',
      memberSnapshot('renamed', {
        updatedAt: iso(now - MINUTE),
        billings: [
          billing({ id: 'b-r1', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-r2', productId: 'flex', centerId: 'brooklyn' }),
        ],
      }),
    );
    await e.eventually(
      async () => (await e.saltoUser(BROOKLYN_SITE, 'renamed@example.com')) ?? undefined,
      'users on both sites',
    );
    await e.tellPerson(
      'renamed',
      memberSnapshot('renamed', {
        updatedAt: iso(now),
        profile: { firstName: 'Grace', lastName: 'Hopper', email: 'renamed@example.com' },
        billings: [
          billing({ id: 'b-r1', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-r2', productId: 'flex', centerId: 'brooklyn' }),
        ],
      }),
    );
    for (const site of [BERLIN_SITE, BROOKLYN_SITE]) {
      const user = await e.eventually(async () => {
        const u = await e.saltoUser(site, 'renamed@example.com');
        return u?.firstName === 'Grace' ? u : undefined;
      }, `renamed on ${site}`);
      assert.equal(user.lastName, 'Hopper');
    }
  });

  it('blocks, then deletes, a user with no group left as the no-access policy says', async () => {
    const now = await e.now();
    await e.setPolicy({ noAccessPolicy: 'block' });
    await e.tellPerson(
      'policy',
      memberSnapshot('policy', {
        updatedAt: iso(now - 2 * DAY),
        billings: [billing({ id: 'b-p', productId: 'office', centerId: 'berlin' })],
      }),
    );
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'policy@example.com'))?.groups.length === 1,
      'granted',
    );
    await e.tellPerson('policy', statusEvent('inactive', iso(now - DAY)));
    const blocked = await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, 'policy@example.com');
      return u?.blocked ? u : undefined;
    }, 'blocked');
    assert.deepEqual(blocked.groups, []);
    await e.tellPerson('policy', statusEvent('active', iso(now - DAY / 2)));
    await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, 'policy@example.com');
      return u && !u.blocked && u.groups.length === 1;
    }, 'unblocked with its group back');
    await e.setPolicy({ noAccessPolicy: 'delete' });
    await e.tellPerson('policy', statusEvent('inactive', iso(now)));
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'policy@example.com')) === null,
      'deleted',
    );
    await e.setPolicy({ noAccessPolicy: 'keep' });
  });
});
