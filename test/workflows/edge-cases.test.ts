// Issue 9's defects, each as an operator met it: the set-up changed at another center, a running
// reservation moved, a group or user deleted by hand in SALTO KS, co-member events out of order,
// two Deskworks records with one e-mail, an e-mail change, bad data in one part of a snapshot,
// late reservation events after the reservation's workflow finished. Time-skipping server,
// SALTO KS simulator over real HTTP; every assertion is on what SALTO KS holds.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ComemberRemovedEvent, PersonEvent } from '../../src/core/person-events';
import type { Billing } from '../../src/core/types';
import { BERLIN_SITE, BROOKLYN_SITE, startEngine, type Engine, FLEX, SPREE } from '../helpers/engine';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import {
  billing,
  billingEvent,
  DAY,
  HOUR,
  iso,
  memberSnapshot,
  MINUTE,
  nextEventId,
  reservationSnapshot,
  statusEvent,
} from '../helpers/events';
import { CLAIM_CONFIRM_MS } from '../../src/workflows/person-sync';
import { reservationWorkflowId } from '../../src/shared/ids';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import {
  changeSaltoByHand,
  createUserInSalto,
  deleteGroupInSalto,
  deleteUserInSalto,
  setAliasInSalto,
} from '../helpers/salto-by-hand';

const OFFICE = 'ag-berlin-private-offices';
const OPEN_DESKS = 'ag-brooklyn-open-desks';
const STUDIO = 'ag-brooklyn-studio';

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

// Thirty cases, each waiting on SALTO KS and on skips of server time: about 3 minutes alone, and
// more than 5 on a loaded machine (the history recording beside a model run timed out at 5).
describe('issue 9: access right on every edge', { timeout: 900_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapCenter('brooklyn', BROOKLYN_SITE, 'America/New_York');
    await e.mapProduct('berlin', 'flex', FLEX);
    await e.mapProduct('berlin', 'office', [OFFICE]);
    await e.mapUnit('berlin', 'room-spree', [SPREE]);
    await e.mapUnit('brooklyn', 'studio', [STUDIO]);
  });
  // A skip of server time once played out in real time in CI, in a case whose workflows held
  // nothing: some earlier case left the test server's clock held. This names it.
  afterEach(async (t) => {
    await e?.reportHeldClock(t.name);
  });
  after(async () => {
    try {
      // Shared users that change hands while their owner moves (patch 'retiring-shared-user'),
      // with the runs before their latest: a hand-over can come before a continue-as-new.
      if (e)
        await recordHistoriesIfAsked(
          e.client,
          [
            'person-m-owner',
            'person-m-twice-moved',
            'person-m-leaving-owner',
            'person-m-waiting-owner',
            'person-m-two-sharers',
            'person-m-two-sharers-b',
            'person-claim-moved',
            // Orphaned contributions of two e-mails, and a hand-over of them tried again (patches
            // 'orphans-by-email' and 'orphan-handover-again'); a room given with no answer.
            'person-m-orphans',
            'person-m-cut-short',
            'person-nm-cut-short-b',
            'person-nm-cut-short-0',
            'person-m-unanswered',
            'person-nm-orphans-a',
            'person-nm-orphans-b',
            // A contact linked to itself by 0.10.0 takes its user back (patch 'self-link-repair').
            'person-nm-self-linked',
            'person-m-self-linked',
          ],
          { earlierRuns: true },
        );
    } finally {
      await e?.stop();
    }
  });

  const email = (personId: string): string => `${personId}@example.com`;
  const groupsOf = async (siteId: string, address: string): Promise<string[] | null> =>
    (await e.saltoUser(siteId, address))?.groups ?? null;
  /** Waits until the user of that e-mail holds exactly these groups on the site. */
  const holds = (siteId: string, address: string, groups: string[], what: string, timeoutMs?: number) =>
    e.eventually(
      async () => {
        const got = await groupsOf(siteId, address);
        return JSON.stringify(got) === JSON.stringify([...groups].sort()) ? true : undefined;
      },
      `${what}: ${address} holds ${JSON.stringify(groups)} on ${siteId}`,
      timeoutMs,
    );
  /** Tells `id` the whole member, with this e-mail and these billings, as of `at`. */
  const tellWithEmail = (id: string, email: string, at: number, billings: Billing[]) =>
    e.tellPerson(
      id,
      memberSnapshot(id, {
        updatedAt: iso(at),
        profile: { firstName: id, lastName: 'Example', email },
        billings,
      }),
    );
  /** Once SALTO KS gives the entrance again: the third e-mail's user holds the plan, the first two go. */
  const thirdReadyEarlierGone = async (id: string, address: (n: string) => string): Promise<void> => {
    await holds(BERLIN_SITE, address('third'), FLEX, 'the newest user ready');
    for (const n of ['first', 'second'])
      await userGone(BERLIN_SITE, address(n), `the ${n} e-mail's user deleted`, 120_000);
    await e.settled(`person-${id}`);
    assert.equal((await e.access(id)).inSync, true);
  };
  /** Waits until the site has no user of that e-mail. */
  const userGone = (siteId: string, address: string, what: string, timeoutMs?: number) =>
    e.eventually(
      async () => ((await e.saltoUser(siteId, address)) === null ? true : undefined),
      `${what}: no user of ${address} on ${siteId}`,
      timeoutMs,
    );
  /** `id`, a member with the flex plan at Berlin, owns the user of `address` there: its billings. */
  const ownerWithFlex = async (id: string, address: string, at: number): Promise<Billing[]> => {
    const flex = [billing({ id: `b-${id}`, productId: 'flex', centerId: 'berlin' })];
    await tellWithEmail(id, address, at, flex);
    await holds(BERLIN_SITE, address, FLEX, 'the owner’s plan');
    await e.settled(`person-${id}`);
    return flex;
  };
  /** With ENTRANCE_FAILS on: `id` moves to `address`, whose new user gets all but the entrance. */
  const moveWithoutEntrance = async (id: string, address: string, at: number, flex: Billing[]) => {
    await tellWithEmail(id, address, at, flex);
    await holds(BERLIN_SITE, address, [FLEX[0]!], 'the new user holds what it could get');
  };
  /** Once SALTO KS gives the entrance again: `ownerId` at `address`, `heirId` owns the shared user. */
  const handedOverWithRoom = async (ownerId: string, address: string, heirId: string, shared: string) => {
    await holds(BERLIN_SITE, address, FLEX, 'the newest user ready');
    await holds(BERLIN_SITE, shared, [SPREE], 'the shared user keeps only the contact’s room');
    assert.equal((await e.saltoUser(BERLIN_SITE, shared))?.alias, `deskworks:${heirId}`, 'handed over');
    await e.settled(`person-${ownerId}`);
    await e.settled(`person-${heirId}`);
    const owner = await e.access(ownerId);
    assert.equal(
      owner.saltoUsers[BERLIN_SITE]?.siteUserId,
      (await e.saltoUser(BERLIN_SITE, address))?.siteUserId,
    );
    assert.equal(owner.inSync, true);
    const heir = await e.access(heirId);
    assert.deepEqual(heir.sharedWith, {});
    assert.deepEqual(heir.applied[BERLIN_SITE], [SPREE]);
    assert.equal(heir.inSync, true);
  };
  /** SALTO KS refuses (500) every change of the main entrance's members: a new user never gets it. */
  const ENTRANCE_FAILS = {
    errors: [
      {
        status: 500 as const,
        fraction: 1,
        pathPrefix: `/v1.1/sites/${BERLIN_SITE}/access_groups/${FLEX[1]}/`,
      },
    ],
  };
  const requests = async (): Promise<LoggedRequest[]> =>
    (await fetch(`${e.sim.url}/__sim/requests`).then((r) => r.json())) as LoggedRequest[];
  const clearRequests = () => fetch(`${e.sim.url}/__sim/requests`, { method: 'DELETE' });

  it('item 1: a product mapped at a second center after the member synced holds for its next billing there', async () => {
    const now = await e.now();
    await e.tellPerson(
      'two-centers',
      memberSnapshot('two-centers', {
        updatedAt: iso(now - HOUR),
        billings: [billing({ id: 'b-a', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, email('two-centers'), FLEX, 'synced at center A');
    await e.settled('person-two-centers');
    // Mapped at Brooklyn now: the fan-out reaches only people of Brooklyn, and this member is not one yet.
    await e.mapProduct('brooklyn', 'flex', [OPEN_DESKS]);
    await e.settled('setup'); // the fan-out has run, and passed this member by
    await e.tellPerson(
      'two-centers',
      billingEvent(billing({ id: 'b-b', productId: 'flex', centerId: 'brooklyn' }), iso(now)),
    );
    await holds(BROOKLYN_SITE, email('two-centers'), [OPEN_DESKS], 'billing at center B');
  });

  it('item 2: a running reservation moved to another unit, then another center, moves the door at once', async () => {
    const now = await e.now();
    const start = iso(now + 5 * MINUTE);
    const end = iso(now + 2 * HOUR);
    await e.tellReservation(
      'r-move',
      reservationSnapshot(
        { id: 'r-move', start, end, updatedAt: iso(now) },
        { id: 'mover', email: email('mover') },
      ),
    );
    await holds(BERLIN_SITE, email('mover'), [SPREE], 'granted (inside the lead)');
    await e.mapUnit('berlin', 'room-2', [OFFICE]);
    await e.tellReservation(
      'r-move',
      reservationSnapshot(
        { id: 'r-move', start, end, updatedAt: iso(now + 1000), reservationUnitId: 'room-2' },
        { id: 'mover', email: email('mover') },
      ),
    );
    await holds(BERLIN_SITE, email('mover'), [OFFICE], 'moved to another unit');
    await e.tellReservation(
      'r-move',
      reservationSnapshot(
        {
          id: 'r-move',
          start,
          end,
          updatedAt: iso(now + 2000),
          reservationUnitId: 'studio',
          centerId: 'brooklyn',
        },
        { id: 'mover', email: email('mover') },
      ),
    );
    await holds(BROOKLYN_SITE, email('mover'), [STUDIO], 'moved to another center');
    await holds(BERLIN_SITE, email('mover'), [], 'nothing left at the first center');
  });

  it('item 2: a customer e-mail edit carried by reservation.updated moves the non-member to the new address', async () => {
    const now = await e.now();
    const times = { id: 'r-mail', start: iso(now + 5 * MINUTE), end: iso(now + 2 * HOUR) };
    await e.tellReservation(
      'r-mail',
      reservationSnapshot(
        { ...times, updatedAt: iso(now) },
        { id: 'guest-mail', email: 'old-guest@example.com' },
      ),
    );
    await holds(BERLIN_SITE, 'old-guest@example.com', [SPREE], 'granted to the old address');
    await e.tellReservation(
      'r-mail',
      reservationSnapshot(
        { ...times, updatedAt: iso(now + 1000) },
        { id: 'guest-mail', email: 'new-guest@example.com', firstName: 'Renamed' },
      ),
    );
    await holds(BERLIN_SITE, 'new-guest@example.com', [SPREE], 'granted to the new address');
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'old-guest@example.com')) === null,
      'old user gone',
    );
    assert.equal((await e.saltoUser(BERLIN_SITE, 'new-guest@example.com'))?.firstName, 'Renamed');
  });

  it('a reservation handed to another customer leaves the previous non-member its own e-mail', async () => {
    const now = await e.now();
    const open = { start: iso(now + 5 * MINUTE), end: iso(now + 2 * HOUR), updatedAt: iso(now) };
    const stayer = { id: 'guest-stay', email: 'guest-stay@example.com' };
    await e.tellReservation('r-stay', reservationSnapshot({ id: 'r-stay', ...open }, stayer));
    await e.tellReservation('r-handed', reservationSnapshot({ id: 'r-handed', ...open }, stayer));
    await holds(BERLIN_SITE, stayer.email, [SPREE], 'the guest holds the room');
    // r-handed now belongs to someone else; the guest keeps r-stay, and so its user and the room.
    await e.tellReservation(
      'r-handed',
      reservationSnapshot(
        { id: 'r-handed', ...open, updatedAt: iso(now + 1000) },
        { type: 'member', id: 'taker', email: 'taker@example.com', firstName: 'Tak' },
      ),
    );
    await holds(BERLIN_SITE, 'taker@example.com', [SPREE], 'the new customer holds the room');
    await e.settled('person-guest-stay');
    await e.settled('person-taker');
    // Told "revoked" with the new customer's profile, the guest took it as its own and its user moved to taker's e-mail.
    await holds(BERLIN_SITE, stayer.email, [SPREE], 'the guest still holds the room, at its own e-mail');
    assert.equal((await e.saltoUsers(BERLIN_SITE)).filter((u) => u.email === 'taker@example.com').length, 1);
  });

  it('item 5: comember.removed (newer) before the older comember.added leaves a member with no master doors', async () => {
    const now = await e.now();
    await e.tellPerson(
      'boss',
      memberSnapshot('boss', {
        updatedAt: iso(now - HOUR),
        billings: [billing({ id: 'b-boss', productId: 'office', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, email('boss'), [OFFICE], 'master');
    const removed: ComemberRemovedEvent = {
      type: 'comember-removed',
      eventId: nextEventId(),
      updatedAt: iso(now),
      masterId: 'boss',
    };
    await e.tellPerson('late-co', removed);
    await e.tellPerson(
      'late-co',
      memberSnapshot('late-co', {
        updatedAt: iso(now - 10 * MINUTE),
        masterId: 'boss',
        billings: [billing({ id: 'b-own', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, email('late-co'), FLEX, 'own plan');
    await e.settled('person-late-co');
    await e.settled('person-boss');
    const view = await e.access('late-co');
    assert.equal(view.kind, 'member');
    assert.equal(view.masterId, null);
    assert.deepEqual(await groupsOf(BERLIN_SITE, email('late-co')), [...FLEX].sort(), 'no master doors');
  });

  it('item 5: removed and at once re-added to the same master ends linked, with the master groups', async () => {
    const now = await e.now();
    await e.tellPerson(
      'relinked',
      memberSnapshot('relinked', { updatedAt: iso(now - 30 * MINUTE), masterId: 'boss' }),
    );
    await holds(BERLIN_SITE, email('relinked'), [OFFICE], 'linked');
    await e.settled('person-relinked');
    const events: PersonEvent[] = [
      {
        type: 'comember-removed',
        eventId: nextEventId(),
        updatedAt: iso(now - 20 * MINUTE),
        masterId: 'boss',
      },
      memberSnapshot('relinked', { updatedAt: iso(now - 10 * MINUTE), masterId: 'boss' }),
    ];
    // Both arrive while the person is inside a slow SALTO KS call, so one pass folds them together.
    await setSimulatorFaults(e.sim.url, { latencyMs: 400 });
    await e.tellPerson('relinked', { type: 'resync', eventId: nextEventId() });
    await new Promise((r) => setTimeout(r, 150));
    for (const event of events) await e.tellPerson('relinked', event);
    await e.settled('person-relinked');
    await setSimulatorFaults(e.sim.url, {});
    await e.settled('person-boss');
    await e.settled('person-relinked');
    assert.equal((await e.access('relinked')).masterId, 'boss');
    await holds(BERLIN_SITE, email('relinked'), [OFFICE], 're-linked');
  });

  it('item 6: a member and a non-member contact with one e-mail: the user holds the union, and the plan survives the reservation', async () => {
    const now = await e.now();
    const shared = 'shared@example.com';
    await e.tellPerson(
      'm-shared',
      memberSnapshot('m-shared', {
        updatedAt: iso(now),
        profile: { firstName: 'Sam', lastName: 'Member', email: shared },
        billings: [billing({ id: 'b-shared', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, shared, FLEX, 'the member plan');
    const times = { id: 'r-shared', start: iso(now + 5 * MINUTE), end: iso(now + HOUR) };
    await e.tellReservation(
      'r-shared',
      reservationSnapshot(
        { ...times, updatedAt: iso(now) },
        { id: 'nm-shared', email: 'Shared@Example.com' },
      ),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'plan and room');
    await e.tellReservation('r-shared', {
      type: 'cancelled',
      eventId: nextEventId(),
      updatedAt: iso(now + 1000),
    });
    await holds(BERLIN_SITE, shared, FLEX, 'cancelled: the plan stays');
    const users = (await e.saltoUsers(BERLIN_SITE)).filter((u) => u.email.toLowerCase() === shared);
    assert.equal(users.length, 1, 'one SALTO KS user per e-mail');
    assert.equal(users[0]!.alias, 'deskworks:m-shared');
    await e.settled('person-nm-shared');
    assert.deepEqual((await e.access('nm-shared')).sharedWith, { [BERLIN_SITE]: 'm-shared' });
  });

  it('item 6: when the owner of a shared user moves to another e-mail, the other record takes the user over', async () => {
    const now = await e.now();
    const shared = 'handover@example.com';
    await e.tellPerson(
      'm-owner',
      memberSnapshot('m-owner', {
        updatedAt: iso(now - HOUR),
        profile: { firstName: 'Olga', lastName: 'Owner', email: shared },
        billings: [billing({ id: 'b-owner', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, shared, FLEX, 'the owner plan');
    const times = { id: 'r-heir', start: iso(now + 5 * MINUTE), end: iso(now + 2 * HOUR) };
    await e.tellReservation(
      'r-heir',
      reservationSnapshot({ ...times, updatedAt: iso(now) }, { id: 'nm-heir', email: shared }),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'union');
    await e.settled('person-nm-heir');
    await clearRequests();
    await e.tellPerson(
      'm-owner',
      memberSnapshot('m-owner', {
        updatedAt: iso(now),
        profile: { firstName: 'Olga', lastName: 'Owner', email: 'olga-new@example.com' },
        billings: [billing({ id: 'b-owner', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, 'olga-new@example.com', FLEX, 'the owner at the new address');
    await holds(BERLIN_SITE, shared, [SPREE], 'the old address keeps only the contact room');
    const user = await e.saltoUser(BERLIN_SITE, shared);
    assert.equal(user?.alias, 'deskworks:nm-heir', 'the contact owns the user now');
    await e.settled('person-nm-heir');
    const heir = await e.access('nm-heir');
    assert.deepEqual(heir.sharedWith, {});
    assert.deepEqual(heir.applied[BERLIN_SITE], [SPREE]);
    // The contact's room stayed on the user throughout: never taken away and given back.
    const roomWrites = (await requests()).filter(
      (r) => r.method !== 'GET' && r.path.includes(`/access_groups/${SPREE}/`),
    );
    assert.deepEqual(roomWrites, [], 'no write to the contact’s room while the user changed hands');
  });

  it('item 6: two records that adopt one pre-existing user at once agree on one owner, which holds the union', async () => {
    const now = await e.now();
    const shared = 'adopted-twice@example.com';
    // Made in the SALTO KS app before the integration: no alias, and a group no rule gives.
    const siteUserId = await createUserInSalto(e.sim, BERLIN_SITE, {
      firstName: 'Ada',
      lastName: 'Twice',
      email: shared,
      groups: [SPREE],
    });
    const aliasNow = async (): Promise<string | null | undefined> =>
      (await e.saltoUser(BERLIN_SITE, shared))?.alias;
    await e.tellPerson(
      'm-adopt-a',
      memberSnapshot('m-adopt-a', {
        updatedAt: iso(now),
        profile: { firstName: 'Ada', lastName: 'Twice', email: shared },
        billings: [billing({ id: 'b-adopt-a', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await e.eventually(async () => (await aliasNow()) === 'deskworks:m-adopt-a', 'the first claim');
    await e.settled('person-m-adopt-a');
    assert.deepEqual(await groupsOf(BERLIN_SITE, shared), [SPREE], 'nothing written before the claim stands');
    assert.ok((await e.access('m-adopt-a')).claimsConfirmAt[BERLIN_SITE], 'the claim is shown as pending');
    // The second record read the user before the first one's alias landed (no compare-and-set in
    // SALTO KS): the race, made deterministic by clearing the alias it did not see.
    await setAliasInSalto(e.sim, BERLIN_SITE, siteUserId, null);
    await e.tellPerson(
      'm-adopt-b',
      memberSnapshot('m-adopt-b', {
        updatedAt: iso(now),
        profile: { firstName: 'Ada', lastName: 'Twice', email: shared },
        billings: [billing({ id: 'b-adopt-b', productId: 'office', centerId: 'berlin' })],
      }),
    );
    await e.eventually(async () => (await aliasNow()) === 'deskworks:m-adopt-b', 'the second claim');
    await e.settled('person-m-adopt-b');
    await e.advance(CLAIM_CONFIRM_MS + MINUTE);
    await holds(
      BERLIN_SITE,
      shared,
      [...FLEX, OFFICE],
      'one owner holds the union, and not the hand-given room',
    );
    const users = (await e.saltoUsers(BERLIN_SITE)).filter((u) => u.email === shared);
    assert.equal(users.length, 1, 'one SALTO KS user per e-mail');
    assert.equal(users[0]!.alias, 'deskworks:m-adopt-b', 'the alias that stood names the owner');
    await e.settled('person-m-adopt-a');
    const loser = await e.access('m-adopt-a');
    assert.deepEqual(loser.sharedWith, { [BERLIN_SITE]: 'm-adopt-b' });
    assert.deepEqual(loser.saltoUsers, {}, 'the other record keeps no user of its own');
    assert.equal(loser.inSync, true);
    assert.equal((await e.access('m-adopt-b')).inSync, true);
  });

  it('item 6: groups sent to a claim that then lost go on to the record that owns the user', async () => {
    const now = await e.now();
    const shared = 'three-records@example.com';
    const siteUserId = await createUserInSalto(e.sim, BERLIN_SITE, {
      firstName: 'Tri',
      lastName: 'Records',
      email: shared,
      groups: [],
    });
    const aliasNow = async (): Promise<string | null | undefined> =>
      (await e.saltoUser(BERLIN_SITE, shared))?.alias;
    await e.tellPerson(
      'm-tri-a',
      memberSnapshot('m-tri-a', {
        updatedAt: iso(now),
        profile: { firstName: 'Tri', lastName: 'Records', email: shared },
        billings: [billing({ id: 'b-tri-a', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await e.eventually(async () => (await aliasNow()) === 'deskworks:m-tri-a', 'the first claim');
    await e.settled('person-m-tri-a');
    // A guest with the same e-mail finds the user under the first claim's alias and sends its room there.
    const times = { id: 'r-tri', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
    await e.tellReservation(
      'r-tri',
      reservationSnapshot({ ...times, updatedAt: iso(now) }, { id: 'nm-tri', email: shared }),
    );
    await e.eventually(
      async () => ((await e.access('nm-tri')).sharedWith[BERLIN_SITE] === 'm-tri-a' ? true : undefined),
      'the guest contributes to the first claim',
    );
    await e.settled('person-nm-tri');
    // A second member claimed the same user in the same instant (the race of the test above), and wins.
    await setAliasInSalto(e.sim, BERLIN_SITE, siteUserId, null);
    await e.tellPerson(
      'm-tri-b',
      memberSnapshot('m-tri-b', {
        updatedAt: iso(now),
        profile: { firstName: 'Tri', lastName: 'Records', email: shared },
        billings: [billing({ id: 'b-tri-b', productId: 'office', centerId: 'berlin' })],
      }),
    );
    await e.eventually(async () => (await aliasNow()) === 'deskworks:m-tri-b', 'the second claim');
    await e.settled('person-m-tri-b');
    await e.advance(CLAIM_CONFIRM_MS + MINUTE);
    await holds(BERLIN_SITE, shared, [...FLEX, OFFICE, SPREE], 'the owner holds all three records’ groups');
    assert.equal(await aliasNow(), 'deskworks:m-tri-b');
    await e.settled('person-m-tri-a');
    await e.settled('person-nm-tri');
    assert.deepEqual((await e.access('nm-tri')).sharedWith, { [BERLIN_SITE]: 'm-tri-b' }, 'told the owner');
    const loser = await e.access('m-tri-a');
    assert.deepEqual(loser.sharedWith, { [BERLIN_SITE]: 'm-tri-b' });
    assert.deepEqual(loser.desired[BERLIN_SITE], [...FLEX].sort(), 'holds nothing for the guest any more');
  });

  it('item 7: an e-mail change gives the new user its groups before the old user goes, also where nothing is held', async () => {
    const now = await e.now();
    await e.tellPerson(
      'mover-mail',
      memberSnapshot('mover-mail', {
        updatedAt: iso(now - HOUR),
        profile: { firstName: 'Mo', lastName: 'Ver', email: 'mo-old@example.com' },
        billings: [
          billing({ id: 'b-mo', productId: 'flex', centerId: 'berlin' }),
          // Brooklyn: a plan that ended: the user is kept there (policy keep) with no group.
          billing({
            id: 'b-mo-nyc',
            productId: 'flex',
            centerId: 'brooklyn',
            startDate: '2020-01-01',
            endDate: '2020-12-31',
          }),
        ],
      }),
    );
    await holds(BERLIN_SITE, 'mo-old@example.com', FLEX, 'old address');
    await e.settled('person-mover-mail');
    // A user at Brooklyn holding nothing, as an earlier plan there would have left it.
    await e.tellPerson(
      'mover-mail',
      billingEvent(
        billing({ id: 'b-mo-nyc', productId: 'flex', centerId: 'brooklyn' }),
        iso(now - 30 * MINUTE),
      ),
    );
    await holds(BROOKLYN_SITE, 'mo-old@example.com', [OPEN_DESKS], 'brooklyn plan');
    await e.tellPerson(
      'mover-mail',
      billingEvent(
        billing({ id: 'b-mo-nyc', productId: 'flex', centerId: 'brooklyn', endDate: '2020-12-31' }),
        iso(now - 20 * MINUTE),
      ),
    );
    await holds(BROOKLYN_SITE, 'mo-old@example.com', [], 'brooklyn plan over, user kept');
    await e.settled('person-mover-mail');
    await clearRequests();
    await e.tellPerson(
      'mover-mail',
      memberSnapshot('mover-mail', {
        updatedAt: iso(now),
        profile: { firstName: 'Mo', lastName: 'Ver', email: 'mo-new@example.com' },
        billings: [
          billing({ id: 'b-mo', productId: 'flex', centerId: 'berlin' }),
          billing({ id: 'b-mo-nyc', productId: 'flex', centerId: 'brooklyn', endDate: '2020-12-31' }),
        ],
      }),
    );
    await holds(BERLIN_SITE, 'mo-new@example.com', FLEX, 'new address');
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, 'mo-old@example.com')) === null,
      'old Berlin user gone',
    );
    await e.eventually(
      async () => (await e.saltoUser(BROOKLYN_SITE, 'mo-new@example.com')) !== null,
      'new Brooklyn user',
    );
    await e.eventually(
      async () => (await e.saltoUser(BROOKLYN_SITE, 'mo-old@example.com')) === null,
      'old Brooklyn user gone',
    );
    const log = (await requests()).filter((r) => r.path.includes(BERLIN_SITE) && r.method !== 'GET');
    const lastAdd = Math.max(
      ...log.flatMap((r, i) => (r.path.includes('/access_groups/') && r.method === 'PATCH' ? [i] : [])),
    );
    const deleteOld = log.findIndex((r) => r.method === 'DELETE' && r.path.includes('/users/'));
    assert.ok(
      deleteOld > lastAdd,
      `the old user was deleted after the new one got its groups: ${JSON.stringify(log)}`,
    );
  });

  it('item 8: a billing with an impossible date range grants nothing and warns; the rest of the snapshot applies', async () => {
    const now = await e.now();
    await e.tellPerson(
      'half-bad',
      memberSnapshot('half-bad', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-good', productId: 'flex', centerId: 'berlin' }),
          billing({
            id: 'b-bad',
            productId: 'office',
            centerId: 'berlin',
            startDate: '2099-05-02',
            endDate: '2099-05-01',
          }),
          billing({ id: 'b-unmapped', productId: 'lounge', centerId: 'berlin' }),
        ],
      }),
    );
    await holds(BERLIN_SITE, email('half-bad'), FLEX, 'the valid billing');
    await e.settled('person-half-bad');
    const view = await e.access('half-bad');
    assert.equal(view.inSync, true);
    assert.ok(
      view.warnings.some((w) => w.startsWith('billing b-bad:')),
      JSON.stringify(view.warnings),
    );
    assert.ok(
      view.warnings.some((w) => w.startsWith('billing b-unmapped:')),
      JSON.stringify(view.warnings),
    );
  });

  it('item 12: a reservation.updated long after the reservation finished still acts (keys, not run counters)', async () => {
    const now = await e.now();
    const customer = { id: 'returner', email: email('returner') };
    await e.tellReservation(
      'r-late',
      reservationSnapshot(
        { id: 'r-late', start: iso(now + 5 * MINUTE), end: iso(now + HOUR), updatedAt: iso(now) },
        customer,
      ),
    );
    await holds(BERLIN_SITE, email('returner'), [SPREE], 'first window');
    await e.advance(HOUR + 20 * MINUTE);
    await holds(BERLIN_SITE, email('returner'), [], 'first window over');
    // The workflow lingers a day, then completes; a new run starts for the late update.
    await e.advance(2 * DAY);
    const finished = await e.client.workflow.getHandle(reservationWorkflowId('r-late')).describe();
    assert.equal(finished.status.name, 'COMPLETED', 'the first run is over before the late update');
    const later = await e.now();
    await e.tellReservation(
      'r-late',
      reservationSnapshot(
        { id: 'r-late', start: iso(later + 5 * MINUTE), end: iso(later + HOUR), updatedAt: iso(later) },
        customer,
      ),
    );
    await holds(BERLIN_SITE, email('returner'), [SPREE], 'the moved reservation opens again');
  });

  it('item 4: a user deleted by hand comes back with its groups on resync, and on reconciliation', async () => {
    const now = await e.now();
    await e.tellPerson(
      'vanished',
      memberSnapshot('vanished', {
        updatedAt: iso(now),
        billings: [billing({ id: 'b-v', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, email('vanished'), FLEX, 'synced');
    await e.settled('person-vanished');
    await deleteUserInSalto(e.sim, BERLIN_SITE, 'vanished');
    await e.tellPerson('vanished', { type: 'resync', eventId: nextEventId() });
    await holds(BERLIN_SITE, email('vanished'), FLEX, 'back after a resync');
    await e.settled('person-vanished');

    await deleteUserInSalto(e.sim, BERLIN_SITE, 'vanished');
    await e.client.workflow.execute('reconcileAllSitesWorkflow', {
      workflowId: `reconcile-${now}`,
      taskQueue: e.taskQueue,
    });
    await holds(BERLIN_SITE, email('vanished'), FLEX, 'back after a reconciliation');
    await e.settled('person-vanished');
    assert.equal((await e.access('vanished')).inSync, true);
  });

  it('a reconciliation’s reading overtaken by the person’s own write never counts as held (a lost grant in chaos)', async () => {
    const now = await e.now();
    const id = 'overtaken';
    await e.tellPerson(
      id,
      memberSnapshot(id, {
        updatedAt: iso(now - HOUR),
        billings: [billing({ id: 'b-over', productId: 'flex', centerId: 'berlin' })],
      }),
    );
    await holds(BERLIN_SITE, email(id), FLEX, 'synced');
    await e.settled(`person-${id}`);
    // What a reconciliation reads now; its signal reaches the person only after the next write.
    const user = (await e.saltoUser(BERLIN_SITE, email(id)))!;
    const reading: PersonEvent = {
      type: 'observed-groups',
      eventId: nextEventId(),
      siteId: BERLIN_SITE,
      siteUserId: user.siteUserId,
      platformUserId: user.platformUserId,
      groups: user.groups,
    };
    await setSimulatorFaults(e.sim.url, { latencyMs: 1_500 });
    try {
      await e.tellPerson(id, statusEvent('inactive', iso(now - 30 * MINUTE)));
      // The pass that takes the groups away is writing (slowly): the reading and a reactivation
      // come meanwhile, and the next pass takes both at once.
      await e.eventually(async () => {
        const { raw } = await e.client.workflow.getHandle(`person-${id}`).describe();
        return (raw.pendingActivities?.length ?? 0) > 0 ? true : undefined;
      }, 'the deactivation being written');
      await e.tellPerson(id, reading);
      await e.tellPerson(id, statusEvent('active', iso(now - 20 * MINUTE)));
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    // Believed, the reading would say FLEX is held, and the reactivation would write nothing.
    await holds(BERLIN_SITE, email(id), FLEX, 'given back after the reactivation');
    await e.settled(`person-${id}`);
    assert.equal((await e.access(id)).inSync, true);
    assert.deepEqual((await groupsOf(BERLIN_SITE, email(id)))?.sort(), [...FLEX].sort());
  });

  // Found by the model-based test (2026-12-06, seed -1278022182): the e-mail changed and changed
  // back while the first e-mail's user still waited to retire. The second e-mail's user was
  // forgotten with its groups, and the first e-mail's user, the person's again, was deleted.
  it('item 7: an e-mail changed back before the old user retired makes it the person’s user again', async () => {
    const now = await e.now();
    const id = 'changed-back';
    const first = 'changed-back-first@example.com';
    const second = 'changed-back-second@example.com';
    const flex = [billing({ id: 'b-back', productId: 'flex', centerId: 'berlin' })];
    await tellWithEmail(id, first, now - HOUR, flex);
    await holds(BERLIN_SITE, first, FLEX, 'synced');
    await e.settled(`person-${id}`);
    const before = (await e.saltoUser(BERLIN_SITE, first))!;
    // The new user cannot get one of its groups: the first e-mail's user keeps waiting to retire.
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      await tellWithEmail(id, second, now - 30 * MINUTE, flex);
      await holds(BERLIN_SITE, second, [FLEX[0]!], 'the new user holds what it could get');
      await e.eventually(async () => ((await e.access(id)).lastError ? true : undefined), 'the pass failed');
      await holds(BERLIN_SITE, first, FLEX, 'the old user kept until the new one is ready');
      await tellWithEmail(id, first, now, flex);
      await userGone(BERLIN_SITE, second, 'the user in between deleted');
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await e.settled(`person-${id}`);
    const after = await e.saltoUser(BERLIN_SITE, first);
    assert.equal(after?.siteUserId, before.siteUserId, 'the first e-mail’s user is the person’s again');
    assert.deepEqual(after?.groups, [...FLEX].sort());
    const view = await e.access(id);
    assert.equal(view.inSync, true);
    assert.equal(view.saltoUsers[BERLIN_SITE]?.siteUserId, before.siteUserId);
  });

  it('item 7: a third e-mail before the first one’s user retired: both earlier users go once the newest is ready', async () => {
    const now = await e.now();
    const id = 'three-emails';
    const address = (n: string) => `three-emails-${n}@example.com`;
    const flex = [billing({ id: 'b-three', productId: 'flex', centerId: 'berlin' })];
    await tellWithEmail(id, address('first'), now - HOUR, flex);
    await holds(BERLIN_SITE, address('first'), FLEX, 'synced');
    await e.settled(`person-${id}`);
    // No new user can get one of its groups: each earlier e-mail's user has to wait.
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      await tellWithEmail(id, address('second'), now - 30 * MINUTE, flex);
      await holds(BERLIN_SITE, address('second'), [FLEX[0]!], 'the second user holds what it could get');
      await tellWithEmail(id, address('third'), now, flex);
      await holds(BERLIN_SITE, address('third'), [FLEX[0]!], 'the third user holds what it could get');
      await holds(BERLIN_SITE, address('first'), FLEX, 'the first user kept until a new one is ready');
      await holds(BERLIN_SITE, address('second'), [FLEX[0]!], 'the second user kept too');
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await thirdReadyEarlierGone(id, address);
  });

  it('item 7: a plan ending while the users of three e-mails wait: each loses its group at once, and keeps the rest until the newest is ready', async () => {
    const now = await e.now();
    const id = 'three-waiting';
    const address = (n: string) => `three-waiting-${n}@example.com`;
    const flex = billing({ id: 'b-wait-flex', productId: 'flex', centerId: 'berlin' });
    const office = billing({ id: 'b-wait-office', productId: 'office', centerId: 'berlin' });
    const both = [...FLEX, OFFICE];
    await tellWithEmail(id, address('first'), now - HOUR, [flex, office]);
    await holds(BERLIN_SITE, address('first'), both, 'synced');
    await e.settled(`person-${id}`);
    // No new user can get one of its groups: no earlier user can retire.
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    const withoutEntrance = [FLEX[0]!, OFFICE];
    try {
      await tellWithEmail(id, address('second'), now - 40 * MINUTE, [flex, office]);
      await holds(BERLIN_SITE, address('second'), withoutEntrance, 'the second user holds what it could get');
      await tellWithEmail(id, address('third'), now - 20 * MINUTE, [flex, office]);
      await holds(BERLIN_SITE, address('third'), withoutEntrance, 'the third user holds what it could get');
      // The office plan ends: each user loses the office now, although the grant still fails, and
      // the first one, the only one with the entrance, keeps the flex plan's groups.
      await tellWithEmail(id, address('third'), now, [flex]);
      const slow = 45_000; // a pass in the failing grant's retries ends it first (time-skipping server)
      await holds(BERLIN_SITE, address('first'), FLEX, 'the first user without the office', slow);
      for (const n of ['second', 'third'])
        await holds(BERLIN_SITE, address(n), [FLEX[0]!], `the ${n} user without the office`, slow);
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await thirdReadyEarlierGone(id, address);
  });

  it('item 6 with item 7: an e-mail changed while the adoption claim waits: the adopted user retires once the new one holds the plan', async () => {
    const now = await e.now();
    const id = 'claim-moved';
    const first = 'claim-moved-first@example.com';
    const second = 'claim-moved-second@example.com';
    const flex = [billing({ id: 'b-claim-moved', productId: 'flex', centerId: 'berlin' })];
    // Made in the SALTO KS app before the integration, with a room no rule gives: adopted, so claimed.
    await createUserInSalto(e.sim, BERLIN_SITE, {
      firstName: id,
      lastName: 'Example',
      email: first,
      groups: [SPREE],
    });
    await tellWithEmail(id, first, now - 30 * MINUTE, flex);
    await e.eventually(
      async () => ((await e.saltoUser(BERLIN_SITE, first))?.alias === `deskworks:${id}` ? true : undefined),
      'the claim',
    );
    await e.settled(`person-${id}`);
    assert.ok((await e.access(id)).claimsConfirmAt[BERLIN_SITE], 'the claim is pending');
    // The e-mail changes before the claim is read back.
    await tellWithEmail(id, second, now, flex);
    await e.settled(`person-${id}`);
    assert.deepEqual(await groupsOf(BERLIN_SITE, first), [SPREE], 'nothing written to the claimed user');
    await e.advance(CLAIM_CONFIRM_MS + MINUTE);
    await holds(BERLIN_SITE, second, FLEX, 'the new address holds the plan');
    await userGone(BERLIN_SITE, first, 'the adopted user of the earlier e-mail retired');
    await e.settled(`person-${id}`);
    const view = await e.access(id);
    assert.deepEqual(view.claimsConfirmAt, {}, 'no claim left');
    assert.equal(
      view.saltoUsers[BERLIN_SITE]?.siteUserId,
      (await e.saltoUser(BERLIN_SITE, second))?.siteUserId,
    );
    assert.equal(view.inSync, true);
    const users = (await e.saltoUsers(BERLIN_SITE)).filter((u) => u.email === first || u.email === second);
    assert.deepEqual(
      users.map((u) => [u.email, u.alias]),
      [[second, `deskworks:${id}`]],
      'one user, of the new address, and the person’s',
    );
  });

  it('item 6 with item 7: the owner of a shared user moves twice while no new user can be ready: the shared user is handed over and the one in between retires', async () => {
    const now = await e.now();
    const [id, contact] = ['m-twice-moved', 'nm-twice-moved'];
    const shared = 'twice-moved-shared@example.com';
    const address = (n: string) => `twice-moved-${n}@example.com`;
    const flex = await ownerWithFlex(id, shared, now - HOUR);
    const times = { id: 'r-twice-moved', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
    await e.tellReservation(
      'r-twice-moved',
      reservationSnapshot({ ...times, updatedAt: iso(now - HOUR) }, { id: contact, email: shared }),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'the contact’s room on the shared user');
    await e.settled(`person-${contact}`);
    await e.settled(`person-${id}`);
    // No new user of the owner can get the entrance: the shared user waits to be handed over.
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      await moveWithoutEntrance(id, address('second'), now - 30 * MINUTE, flex);
      await moveWithoutEntrance(id, address('third'), now, flex);
      await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'the shared user keeps the owner’s plan meanwhile');
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await userGone(BERLIN_SITE, address('second'), 'the user in between retired', 120_000);
    await handedOverWithRoom(id, address('third'), contact, shared);
  });

  it('item 6 with item 7: a room a contact books while the shared user waits to be handed over reaches that user at once', async () => {
    const now = await e.now();
    const [id, contact] = ['m-leaving-owner', 'nm-late-booker'];
    const shared = 'leaving-owner@example.com';
    const flex = await ownerWithFlex(id, shared, now - HOUR);
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      await moveWithoutEntrance(id, 'leaving-owner-new@example.com', now - 30 * MINUTE, flex);
      // The old address's user waits for the new one; a contact with that address books the room now.
      const times = { id: 'r-late-booker', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
      await e.tellReservation(
        'r-late-booker',
        reservationSnapshot({ ...times, updatedAt: iso(now) }, { id: contact, email: shared }),
      );
      await holds(
        BERLIN_SITE,
        shared,
        [...FLEX, SPREE],
        'the room on the waiting user, before any hand-over',
      );
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await handedOverWithRoom(id, 'leaving-owner-new@example.com', contact, shared);
  });

  it('item 6 with item 7: a contact cancelling while the shared user waits to be handed over loses the room at once', async () => {
    const now = await e.now();
    const [id, contact] = ['m-waiting-owner', 'nm-canceller'];
    const shared = 'waiting-owner@example.com';
    const flex = await ownerWithFlex(id, shared, now - HOUR);
    const booking = { id: 'r-canceller', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
    await e.tellReservation(
      'r-canceller',
      reservationSnapshot({ ...booking, updatedAt: iso(now - HOUR) }, { id: contact, email: shared }),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'the contact’s room on the shared user');
    await e.settled(`person-${contact}`);
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      await moveWithoutEntrance(id, 'waiting-owner-new@example.com', now - 30 * MINUTE, flex);
      await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'the shared user waits with the room');
      await e.tellReservation(
        'r-canceller',
        reservationSnapshot(
          { ...booking, status: 'cancelled', updatedAt: iso(now) },
          { id: contact, email: shared },
        ),
      );
      await holds(BERLIN_SITE, shared, FLEX, 'the room gone at once, before any hand-over');
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await holds(BERLIN_SITE, 'waiting-owner-new@example.com', FLEX, 'the new user ready');
    await userGone(BERLIN_SITE, shared, 'nobody shares the old address’s user any more: it retired');
    await e.settled(`person-${id}`);
    assert.equal((await e.access(id)).inSync, true);
  });

  it('item 6 with item 7: a shared user handed over to one of two other records ends with both of their groups', async () => {
    const now = await e.now();
    const owner = 'm-two-sharers';
    const shared = 'two-sharers@example.com';
    const flex = await ownerWithFlex(owner, shared, now - HOUR);
    // Two more records with that address: a member with an office, and a contact with the room.
    await tellWithEmail('m-two-sharers-b', shared, now - HOUR, [
      billing({ id: 'b-two-sharers-b', productId: 'office', centerId: 'berlin' }),
    ]);
    await holds(BERLIN_SITE, shared, [...FLEX, OFFICE], 'the second member’s office on the shared user');
    const room = { id: 'r-two-sharers', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
    await e.tellReservation(
      'r-two-sharers',
      reservationSnapshot({ ...room, updatedAt: iso(now - HOUR) }, { id: 'nm-two-sharers', email: shared }),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, OFFICE, SPREE], 'and the contact’s room');
    for (const id of ['m-two-sharers-b', 'nm-two-sharers', owner]) await e.settled(`person-${id}`);
    // The owner moves: the lowest id of the two others (the member) takes the user over.
    await tellWithEmail(owner, 'two-sharers-owner-new@example.com', now, flex);
    await holds(BERLIN_SITE, 'two-sharers-owner-new@example.com', FLEX, 'the owner at the new address');
    await holds(BERLIN_SITE, shared, [OFFICE, SPREE], 'the shared user keeps the two others’ groups');
    for (const id of [owner, 'm-two-sharers-b', 'nm-two-sharers']) await e.settled(`person-${id}`);
    assert.equal((await e.saltoUser(BERLIN_SITE, shared))?.alias, 'deskworks:m-two-sharers-b');
    // The contact's room may be taken away and given back once: the new owner holds it only when
    // the contact, told who owns the user now, sends it again (docs/rules.md, rule B).
    const heir = await e.access('m-two-sharers-b');
    assert.deepEqual(heir.applied[BERLIN_SITE], [OFFICE, SPREE].sort());
    assert.equal(heir.inSync, true);
    assert.deepEqual((await e.access('nm-two-sharers')).sharedWith, { [BERLIN_SITE]: 'm-two-sharers-b' });
  });

  it('item 6 with item 7: a room given to the waiting shared user without an answer still goes at once when its contact cancels', async () => {
    const now = await e.now();
    const [id, contact] = ['m-unanswered', 'nm-unanswered'];
    const shared = 'unanswered@example.com';
    const flex = await ownerWithFlex(id, shared, now - HOUR);
    // No new user can get the entrance, and every write to the room's group is carried out but
    // its answer never comes (held past the client's timeout).
    await setSimulatorFaults(e.sim.url, {
      ...ENTRANCE_FAILS,
      hangs: { fraction: 1, ms: 6_000, pathPrefix: `/v1.1/sites/${BERLIN_SITE}/access_groups/${SPREE}/` },
    });
    try {
      await moveWithoutEntrance(id, 'unanswered-new@example.com', now - 30 * MINUTE, flex);
      const booking = { id: 'r-unanswered', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
      await e.tellReservation(
        'r-unanswered',
        reservationSnapshot(
          { ...booking, updatedAt: iso(now - 20 * MINUTE) },
          { id: contact, email: shared },
        ),
      );
      await holds(
        BERLIN_SITE,
        shared,
        [...FLEX, SPREE],
        'the room reached the waiting user, unanswered',
        60_000,
      );
      await e.tellReservation(
        'r-unanswered',
        reservationSnapshot(
          { ...booking, status: 'cancelled', updatedAt: iso(now - 10 * MINUTE) },
          { id: contact, email: shared },
        ),
      );
      await holds(BERLIN_SITE, shared, FLEX, 'the room gone, although no answer said it was given', 120_000);
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    // The owner's retries wait longer after each failure: a resync (as an operator would ask for)
    // runs its pass now, without a skip of server time (one stalled for minutes in CI).
    await e.tellPerson(id, { type: 'resync', eventId: nextEventId() });
    await holds(BERLIN_SITE, 'unanswered-new@example.com', FLEX, 'the new user ready', 60_000);
    await userGone(BERLIN_SITE, shared, 'nobody shares the old address’s user any more: it retired', 60_000);
    await e.settled(`person-${id}`);
    assert.equal((await e.access(id)).inSync, true);
  });

  /**
   * An owner (`m-<name>`) moves twice while no new user can get the entrance; a contact of each of
   * its first two addresses books the room. The second address's user is deleted by hand, so its
   * hand-over finds no user, and both contacts' groups are left without a user in the owner's
   * state (orphans). `beforeRecovery` runs last while SALTO KS still refuses the entrance. With
   * `lowerFirstContact`, a third contact with the lowest id (`nm-<name>-0`) shares the first address.
   * Returns whatever wrong ownership a watch of SALTO KS saw, every 50 ms, from then to the end.
   */
  const orphansOfTwoEmails = async (
    name: string,
    options: {
      beforeRecovery?: (firstUser: { siteUserId: string }) => Promise<void>;
      lowerFirstContact?: boolean;
    } = {},
  ): Promise<string[]> => {
    const now = await e.now();
    const owner = `m-${name}`;
    // The contact of the second address has the lower id: handed everything, it would be the heir.
    const contacts = { first: `nm-${name}-b`, second: `nm-${name}-a` };
    const address = (n: string) => `${name}-${n}@example.com`;
    const lower = `nm-${name}-0`;
    const book = (n: 'first' | 'second', updatedAt: number, contact = contacts[n]) =>
      e.tellReservation(
        `r-${contact}`,
        reservationSnapshot(
          {
            id: `r-${contact}`,
            start: iso(now + 5 * MINUTE),
            end: iso(now + 3 * HOUR),
            updatedAt: iso(updatedAt),
          },
          { id: contact, email: address(n) },
        ),
      );
    const flex = await ownerWithFlex(owner, address('first'), now - 2 * HOUR);
    await book('first', now - 2 * HOUR);
    await holds(
      BERLIN_SITE,
      address('first'),
      [...FLEX, SPREE],
      'the first contact’s room on the shared user',
    );
    await e.settled(`person-${contacts.first}`);
    if (options.lowerFirstContact) {
      await book('first', now - 2 * HOUR, lower);
      await e.settled(`person-${lower}`);
    }
    const wrong = new Set<string>();
    let watching = true;
    let watch: Promise<void> = Promise.resolve();
    await setSimulatorFaults(e.sim.url, ENTRANCE_FAILS);
    try {
      // The user in between retires first; the first address's user is noted behind it.
      await moveWithoutEntrance(owner, address('second'), now - 90 * MINUTE, flex);
      await book('second', now - 90 * MINUTE);
      await holds(BERLIN_SITE, address('second'), [FLEX[0]!, SPREE], 'the second contact’s room');
      await e.settled(`person-${contacts.second}`);
      await moveWithoutEntrance(owner, address('third'), now - HOUR, flex);
      const first = await e.saltoUser(BERLIN_SITE, address('first'));
      const between = await e.saltoUser(BERLIN_SITE, address('second'));
      assert.ok(first && between, 'the users of the first two addresses are there');
      await changeSaltoByHand(e.sim.url, 'DELETE', `/v1.2/sites/${BERLIN_SITE}/users/${between.siteUserId}`);
      await options.beforeRecovery?.(first);
      // From here on no address's user may belong to another address's contact, and the first
      // address's user, which its contact inherits, is never deleted.
      const watchSalto = async (): Promise<void> => {
        while (watching) {
          const users = await e.saltoUsers(BERLIN_SITE);
          for (const n of ['first', 'second'] as const) {
            const user = users.find((u) => u.email === address(n));
            if (n === 'first' && user?.siteUserId !== first.siteUserId)
              wrong.add('the first address’s user deleted');
            if (user?.alias && ![`deskworks:${owner}`, `deskworks:${contacts[n]}`].includes(user.alias))
              wrong.add(`the ${n} address’s user owned by ${user.alias}`);
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      watch = watchSalto().catch((err: unknown) => {
        wrong.add(`the watch failed: ${String(err)}`);
      });
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    try {
      await holds(BERLIN_SITE, address('third'), FLEX, 'the owner’s newest user ready', 120_000);
      for (const n of ['first', 'second'] as const) {
        await holds(
          BERLIN_SITE,
          address(n),
          [SPREE],
          `the ${n} address’s user holds its contact’s room`,
          120_000,
        );
        assert.equal((await e.saltoUser(BERLIN_SITE, address(n)))?.alias, `deskworks:${contacts[n]}`);
      }
      for (const id of [owner, contacts.second, contacts.first]) await e.settled(`person-${id}`);
      if (options.lowerFirstContact) await e.settled(`person-${lower}`);
    } finally {
      watching = false;
      await watch;
    }
    assert.equal((await e.access(owner)).inSync, true);
    for (const contact of Object.values(contacts)) {
      const view = await e.access(contact);
      assert.deepEqual(view.sharedWith, {}, `${contact} owns its user`);
      assert.deepEqual(view.applied[BERLIN_SITE], [SPREE]);
      assert.equal(view.inSync, true);
    }
    if (options.lowerFirstContact) {
      const view = await e.access(lower);
      assert.deepEqual(view.sharedWith, { [BERLIN_SITE]: contacts.first }, `${lower} shares the heir’s user`);
      assert.equal(view.inSync, true);
    }
    return [...wrong];
  };

  it('item 6 with items 4 and 7: records of two earlier e-mails left without their users each get the user of their own e-mail', async () => {
    assert.deepEqual(await orphansOfTwoEmails('orphans'), []);
  });

  it('item 6 with item 4: a hand-over of a user left without its owner, cut short after its alias write, reaches its heir', async () => {
    // As if an earlier try had written the heir's alias and stopped before telling it (a pass
    // cancelled for a revocation at that moment). The heir stays the heir, although another
    // record of that address, with a lower id, shares the user too.
    const seen = await orphansOfTwoEmails('cut-short', {
      beforeRecovery: (first) =>
        setAliasInSalto(e.sim, BERLIN_SITE, first.siteUserId, 'deskworks:nm-cut-short-b'),
      lowerFirstContact: true,
    });
    assert.deepEqual(seen, []);
  });

  /**
   * A contact that release 0.10.0 linked to itself (an orphan hand-over tried again, person-sync.ts)
   * is repaired by its next pass; with `staleSelfGroups`, it had also sent itself those groups, and
   * they are on its user.
   */
  const selfLinkedContactRepaired = async (key: string, staleSelfGroups: string[]): Promise<void> => {
    const now = await e.now();
    const [owner, contact] = [`m-${key}`, `nm-${key}`];
    const shared = `${key}@example.com`;
    const booking = { id: `r-${key}`, start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR) };
    await ownerWithFlex(owner, shared, now - HOUR);
    await e.tellReservation(
      booking.id,
      reservationSnapshot({ ...booking, updatedAt: iso(now - HOUR) }, { id: contact, email: shared }),
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'the contact’s room on the member’s user');
    for (const id of [owner, contact]) await e.settled(`person-${id}`);
    // What 0.10.0 could leave behind: the user's alias names the contact, which is told that the
    // user it shares is its own, and the member no longer holds it (as after the reconciliation
    // found it missing).
    const user = await e.saltoUser(BERLIN_SITE, shared);
    assert.ok(user, 'the shared user is there');
    await setAliasInSalto(e.sim, BERLIN_SITE, user.siteUserId, `deskworks:${contact}`);
    const toItself = async (): Promise<void> => {
      // A record linked to itself sent its groups to itself, in the same pass as it found the link:
      // these, which it no longer has, are on the user.
      for (const group of staleSelfGroups)
        await changeSaltoByHand(
          e.sim.url,
          'PATCH',
          `/v1.1/sites/${BERLIN_SITE}/access_groups/${group}/users`,
          {
            add_ids: [user.platformUserId],
            remove_ids: [],
          },
        );
      await e.tellPerson(contact, {
        type: 'shared-groups',
        eventId: nextEventId(),
        fromPersonId: contact,
        siteId: BERLIN_SITE,
        email: shared,
        profile: { firstName: 'Self', lastName: 'Linked', email: shared },
        groups: [...staleSelfGroups, SPREE].sort(),
        seq: 1_000,
      });
    };
    const tellSelfLink = () =>
      e.tellPerson(contact, {
        type: 'shared-owner-changed',
        eventId: nextEventId(),
        siteId: BERLIN_SITE,
        ownerId: contact,
      });
    if (staleSelfGroups.length === 0) await tellSelfLink();
    else {
      // The repair's first look-up of the user fails: that pass goes on without it, keeping the
      // link and what it sent itself. The groups sent to itself come meanwhile, and the pass that
      // repairs the link holds them. They carry a number above the one the failed pass sends
      // itself (its room, again): they stand for the newest that 0.10.0 sent.
      await setSimulatorFaults(e.sim.url, {
        errors: [{ status: 500, fraction: 1, method: 'GET', pathPrefix: `/v1.2/sites/${BERLIN_SITE}/users` }],
      });
      try {
        await tellSelfLink();
        await toItself();
        await e.eventually(
          async () => ((await e.access(contact)).lastError !== null ? true : undefined),
          'the repair cut short by SALTO KS',
        );
      } finally {
        await setSimulatorFaults(e.sim.url, {});
      }
      await e.advance(MINUTE);
    }
    await e.settled(`person-${contact}`);
    assert.deepEqual((await e.access(contact)).sharedWith, {}, 'the link repaired');
    const afterRepair = (await groupsOf(BERLIN_SITE, shared)) ?? [];
    for (const group of staleSelfGroups)
      assert.ok(!afterRepair.includes(group), `the pass that repaired the link took ${group} off`);
    await e.tellPerson(owner, { type: 'observed-missing', eventId: nextEventId(), siteId: BERLIN_SITE });
    await e.eventually(
      async () => (await e.access(owner)).sharedWith[BERLIN_SITE] === contact,
      'the member contributes to the contact, whose alias the user bears',
    );
    await holds(BERLIN_SITE, shared, [...FLEX, SPREE], 'both records’ groups on the user, and no other');
    for (const id of [owner, contact]) await e.settled(`person-${id}`);
    // The member's plan ends: a record linked to itself would never write that, and the door
    // would stay open.
    await tellWithEmail(owner, shared, now, []);
    await holds(BERLIN_SITE, shared, [SPREE], 'the plan gone from the user, the room kept');
    await e.tellReservation(
      booking.id,
      reservationSnapshot(
        { ...booking, status: 'cancelled', updatedAt: iso(now) },
        { id: contact, email: shared },
      ),
    );
    await holds(BERLIN_SITE, shared, [], 'the room gone too');
    for (const id of [owner, contact]) await e.settled(`person-${id}`);
    const view = await e.access(contact);
    assert.deepEqual(view.sharedWith, {}, 'the contact owns its user');
    assert.equal(view.saltoUsers[BERLIN_SITE]?.siteUserId, user.siteUserId);
    assert.equal(view.inSync, true);
  };

  it('item 6: a contact that release 0.10.0 linked to itself takes its user back, and what the member drops then goes', async () => {
    await selfLinkedContactRepaired('self-linked', []);
  });

  it('item 6: a contact linked to itself that had sent itself groups it no longer has: the repair takes them off its user', async () => {
    await selfLinkedContactRepaired('self-sent', [OFFICE]);
  });

  // Last: it deletes a group from the simulator for good.
  it('item 3: a group deleted by hand never holds back a revocation on another site; the refusal is named and retried', async () => {
    const now = await e.now();
    await e.mapProduct('brooklyn', 'studio-plan', [STUDIO]);
    await e.tellPerson(
      'refused',
      memberSnapshot('refused', {
        updatedAt: iso(now - HOUR),
        billings: [billing({ id: 'b-nyc', productId: 'studio-plan', centerId: 'brooklyn' })],
      }),
    );
    await holds(BROOKLYN_SITE, email('refused'), [STUDIO], 'the Brooklyn plan');
    await e.settled('person-refused');
    await deleteGroupInSalto(e.sim, BERLIN_SITE, OFFICE);
    // Now: the Brooklyn plan ends (a revocation), a Berlin plan naming the deleted group and flex starts.
    await e.tellPerson(
      'refused',
      memberSnapshot('refused', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-office', productId: 'office', centerId: 'berlin' }),
          billing({ id: 'b-flex', productId: 'flex', centerId: 'berlin' }),
        ],
      }),
    );
    await holds(BROOKLYN_SITE, email('refused'), [], 'the revocation happened');
    await holds(BERLIN_SITE, email('refused'), FLEX, 'the other groups came');
    await e.settled('person-refused');
    const view = await e.access('refused');
    assert.equal(view.inSync, false);
    assert.match(view.lastError ?? '', new RegExp(`group ${OFFICE}`));
  });

  // After item 3 (the office group is gone). Found by the model-based test (seed 20261203, case 1437).
  it('item 7 with item 3: an e-mail change retires the old user although a group it should get is gone', async () => {
    const now = await e.now();
    const plans = [
      billing({ id: 'b-gone-flex', productId: 'flex', centerId: 'berlin' }),
      billing({ id: 'b-gone-office', productId: 'office', centerId: 'berlin' }),
    ];
    const profile = (address: string) => ({ firstName: 'Gus', lastName: 'Gone', email: address });
    await e.tellPerson(
      'm-gone',
      memberSnapshot('m-gone', {
        updatedAt: iso(now - HOUR),
        profile: profile('gone-old@example.com'),
        billings: plans,
      }),
    );
    await holds(BERLIN_SITE, 'gone-old@example.com', FLEX, 'what SALTO KS can give');
    await e.tellPerson(
      'm-gone',
      memberSnapshot('m-gone', {
        updatedAt: iso(now),
        profile: profile('gone-new@example.com'),
        billings: plans,
      }),
    );
    await holds(BERLIN_SITE, 'gone-new@example.com', FLEX, 'the new user holds what it can');
    await e.eventually(
      async () => ((await e.saltoUser(BERLIN_SITE, 'gone-old@example.com')) === null ? true : undefined),
      'the old user is deleted, not kept with its groups until the deleted group comes back',
    );
    await e.settled('person-m-gone');
    assert.match((await e.access('m-gone')).lastError ?? '', new RegExp(`group ${OFFICE}`));
  });

  it('a new person is not reported in sync before its first pass has written its doors', async () => {
    const now = await e.now();
    await setSimulatorFaults(e.sim.url, { latencyMs: 1_500 });
    try {
      await e.tellPerson(
        'first-pass',
        memberSnapshot('first-pass', {
          updatedAt: iso(now),
          billings: [billing({ id: 'b-fp', productId: 'flex', centerId: 'berlin' })],
        }),
      );
      const during = await e.eventually(() => e.access('first-pass'), 'the person answers its query');
      assert.equal(during.lastSyncAt, null, 'asked while its first pass runs');
      assert.equal(during.inSync, false);
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
    await holds(BERLIN_SITE, email('first-pass'), FLEX, 'synced');
    await e.settled('person-first-pass');
    assert.equal((await e.access('first-pass')).inSync, true);
  });
});

// Found by the model-based test (seed 20261206, case 1329): a plan whose group was deleted in SALTO
// KS was retried every few minutes for ever, which kept the server busy around the clock. Its own
// engine: a long skip of server time among the other cases' workflows only adds to what the test
// server must fire (and a test-server defect can stall a skip: test/helpers/stalled-skip.ts).
describe('a refusal for good (a deleted group)', { timeout: 300_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapProduct('berlin', 'flex', FLEX);
    await e.mapProduct('berlin', 'office', [OFFICE]);
  });
  after(async () => {
    await e?.stop();
  });

  it('is retried hourly, not every few minutes, across the runs a long day takes', async () => {
    await deleteGroupInSalto(e.sim, BERLIN_SITE, OFFICE);
    const now = await e.now();
    await e.tellPerson(
      'refused',
      memberSnapshot('refused', {
        updatedAt: iso(now),
        billings: [
          billing({ id: 'b-office', productId: 'office', centerId: 'berlin' }),
          billing({ id: 'b-flex', productId: 'flex', centerId: 'berlin' }),
        ],
      }),
    );
    await e.eventually(
      async () =>
        JSON.stringify((await e.saltoUser(BERLIN_SITE, 'refused@example.com'))?.groups) ===
        JSON.stringify([...FLEX].sort()),
      'the groups SALTO KS can give',
    );
    await e.settled('person-refused');
    const patchesToTheGoneGroup = async (): Promise<number> => {
      const log = (await fetch(`${e.sim.url}/__sim/requests`).then((r) => r.json())) as LoggedRequest[];
      return log.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/access_groups/${OFFICE}/users`))
        .length;
    };
    const before = await patchesToTheGoneGroup();
    const firstRun = (await e.client.workflow.getHandle('person-refused').describe()).runId;
    await e.advance(12 * HOUR);
    const retries = (await patchesToTheGoneGroup()) - before;
    // Every 48–72 minutes (an hour ±20 %): 10 to 16 in 12 hours; every 5 minutes would be 144.
    assert.ok(retries >= 9 && retries <= 17, `${retries} retries in 12 hours`);
    // The 12 hours span more than one run (SHORT_HISTORIES_PATCH): a new run waits for its wake, it
    // does not try again at once (carried.afterPass), or the count above would be off.
    const lastRun = (await e.client.workflow.getHandle('person-refused').describe()).runId;
    assert.notEqual(lastRun, firstRun, 'the person continued as new within the 12 hours');
    const view = await e.access('refused');
    assert.equal(view.inSync, false);
    assert.match(view.lastError ?? '', new RegExp(`group ${OFFICE}`));
  });
});
