// A pass that decides on the set-up it holds (patch `setup-checked-by-call`): the one the webhook
// sent with the person's start, or the one its previous pass decided on. Its first SALTO KS call
// checks that set-up's version; a call whose set-up moved refuses before it reaches SALTO KS, and
// the pass decides again on the set-up it hands back. A pass that makes no call reads the set-up
// after it, unless the fan-out is sure to reach the person (src/core/fan-out-coverage.ts). Each
// case checks what reached SALTO KS, and which tasks the person's history holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { BERLIN_SITE, BROOKLYN_SITE, FLEX, SPREE, startEngine, type Engine } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot } from '../helpers/events';
import type { Billing } from '../../src/core/types';
import { scheduledActivityTypes } from '../helpers/history-events';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import { personStartSource } from '../../src/api/person-start';
import { DEMO_EMAIL_LOOKUP_KEY, emailLookupKey } from '../../src/shared/email-lookup';
import { EmailKeyKey } from '../../src/shared/search-attributes';
import { SETUP_WORKFLOW_ID } from '../../src/shared/ids';
import type { LoggedRequest } from '../../src/simulator/request-log';
import { personFactsQuery, personHistoryQuery } from '../../src/workflows/messages';

type History = temporal.api.history.v1.IHistory;

const OFFICE = 'ag-berlin-private-offices';
const OPEN_DESKS = 'ag-brooklyn-open-desks';

describe(
  'a pass that decides on the set-up it holds, checked by its first call',
  { timeout: 240_000 },
  () => {
    let e: Engine;
    before(async () => {
      e = await startEngine();
      await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
      await e.mapProduct('berlin', 'flex', FLEX);
      await e.mapProduct('berlin', 'office', [OFFICE]);
      await e.mapProduct('berlin', 'studio', [SPREE]);
      // Changes made before a person starts are told to it 30 s later (the catch-up fan-out): past.
      await e.passSetupCatchUp();
    });
    after(async () => {
      try {
        // A start with the set-up, a refusal for a moved one, a read after a pass with no call.
        if (e)
          await recordHistoriesIfAsked(e.client, [
            'person-hint-new',
            'person-hint-moved',
            'person-hint-quiet',
            'person-hint-diff',
            'person-hint-covered',
          ]);
      } finally {
        await e?.stop();
      }
    });

    const history = (personId: string): Promise<History> =>
      e.client.workflow.getHandle(`person-${personId}`).fetchHistory();
    const workflowTasks = (h: History): number =>
      (h.events ?? []).filter((ev) => ev.workflowTaskCompletedEventAttributes).length;
    const groupsOf = async (siteId: string, email: string): Promise<string[] | undefined> =>
      (await e.saltoUser(siteId, email))?.groups;
    /** Tells the person a new billing and waits until SALTO KS shows its group and the person is quiet. */
    const addPlan = async (
      personId: string,
      plan: Billing,
      [siteId, group, what]: [string, string, string],
    ): Promise<void> => {
      await e.tellPerson(personId, billingEvent(plan, iso(await e.now())));
      await e.eventually(
        async () => ((await groupsOf(siteId, `${personId}@example.com`))?.includes(group) ? true : undefined),
        what,
      );
      await e.settled(`person-${personId}`);
    };
    /** Starts a member with a flex plan at Berlin (no set-up sent) and waits until SALTO KS shows its groups and it is quiet. */
    const startFlexMember = async (personId: string, billingId: string): Promise<void> => {
      await e.tellPerson(
        personId,
        memberSnapshot(personId, {
          updatedAt: iso(await e.now()),
          billings: [billing({ id: billingId, productId: 'flex', centerId: 'berlin' })],
        }),
      );
      await e.eventually(
        async () =>
          (await groupsOf(BERLIN_SITE, `${personId}@example.com`))?.length === 2 ? true : undefined,
        'the flex groups',
      );
      await e.settled(`person-${personId}`);
    };
    /**
     * Tells the person a plan at Berlin that starts `days` from now (no door changes now, no new
     * center), waits until it folded it and is quiet, and returns the activities that cost.
     */
    const quietPlan = async (personId: string, id: string, days: number): Promise<string[]> => {
      const before = scheduledActivityTypes(await history(personId)).length;
      const startDate = iso((await e.now()) + days * 86_400_000).slice(0, 10);
      await e.tellPerson(
        personId,
        billingEvent(billing({ id, productId: 'office', centerId: 'berlin', startDate }), iso(await e.now())),
      );
      await e.eventually(
        async () =>
          (await e.client.workflow.getHandle(`person-${personId}`).query(personFactsQuery)).billings[id]
            ? true
            : undefined,
        `the plan ${id} folded`,
      );
      await e.settled(`person-${personId}`);
      return scheduledActivityTypes(await history(personId)).slice(before);
    };
    const requestsSince = async (at: number): Promise<LoggedRequest[]> =>
      ((await fetch(`${e.sim.url}/__sim/requests`).then((r) => r.json())) as LoggedRequest[]).filter(
        (r) => r.at >= at,
      );

    it('a new member the webhook starts with the set-up takes one activity task and two workflow tasks', async () => {
      const event = memberSnapshot('hint-new', {
        updatedAt: iso(await e.now()),
        billings: [billing({ id: 'hn-b1', productId: 'flex', centerId: 'berlin' })],
      });
      const start = await e.personStart(event);
      assert.ok(start, 'the webhook sends the set-up with a member snapshot');
      assert.equal(start.setup.version, (await e.setup()).version);
      await e.tellPerson('hint-new', event, start);
      const groups = await e.eventually(
        async () => ((await groupsOf(BERLIN_SITE, 'hint-new@example.com'))?.length === 2 ? true : undefined),
        'the flex groups',
      );
      assert.ok(groups);
      assert.deepEqual((await groupsOf(BERLIN_SITE, 'hint-new@example.com'))?.sort(), [...FLEX].sort());
      await e.settled('person-hint-new');
      const view = await e.access('hint-new');
      assert.equal(view.inSync, true);
      assert.equal(view.lastError, null);
      const h = await history('hint-new');
      assert.deepEqual(
        scheduledActivityTypes(h),
        ['ensureSaltoUserChecked'],
        'no read of the set-up, no hash',
      );
      assert.equal(workflowTasks(h), 2, 'the start, and the answer of the one call');
      const described = await e.client.workflow.getHandle('person-hint-new').describe();
      assert.equal(
        described.typedSearchAttributes.get(EmailKeyKey),
        emailLookupKey('hint-new@example.com', DEMO_EMAIL_LOOKUP_KEY),
        'the hash the webhook sent is the one the people list searches by',
      );
    });

    it('a later pass decides on the set-up of the pass before: a plan added costs its one call', async () => {
      const before = scheduledActivityTypes(await history('hint-new')).length;
      await addPlan('hint-new', billing({ id: 'hn-b2', productId: 'office', centerId: 'berlin' }), [
        BERLIN_SITE,
        OFFICE,
        'the office group',
      ]);
      assert.deepEqual(scheduledActivityTypes(await history('hint-new')).slice(before), [
        'applySaltoGroupDiffChecked',
      ]);
      assert.equal((await e.access('hint-new')).inSync, true);
    });

    it('a set-up that moved after the webhook read it: the first call refuses before SALTO KS, and the pass decides on the new one', async () => {
      const event = memberSnapshot('hint-moved', {
        updatedAt: iso(await e.now()),
        billings: [billing({ id: 'hm-b1', productId: 'studio', centerId: 'berlin' })],
      });
      const start = await e.personStart(event);
      assert.ok(start);
      // The studio plan now opens the coworking floor instead of room Spree, which nobody else
      // holds: the set-up the start carries is old.
      await e.mapProduct('berlin', 'studio', ['ag-berlin-coworking-floor']);
      assert.ok((await e.setup()).version > start.setup.version);
      const sentAt = Date.now();
      await e.tellPerson('hint-moved', event, start);
      await e.eventually(
        async () =>
          (await groupsOf(BERLIN_SITE, 'hint-moved@example.com'))?.includes('ag-berlin-coworking-floor')
            ? true
            : undefined,
        'the group of the new set-up',
      );
      await e.settled('person-hint-moved');
      assert.deepEqual(await groupsOf(BERLIN_SITE, 'hint-moved@example.com'), ['ag-berlin-coworking-floor']);
      const touchedSpree = (await requestsSince(sentAt)).filter((r) => r.path.includes(SPREE));
      assert.deepEqual(touchedSpree, [], 'the group of the old set-up never reached SALTO KS');
      const h = await history('hint-moved');
      assert.deepEqual(
        scheduledActivityTypes(h),
        ['ensureSaltoUserChecked', 'ensureSaltoUser'],
        'the refused call, then the call on the set-up it handed back, as on one read for the pass',
      );
      const view = await e.access('hint-moved');
      assert.equal(view.inSync, true);
      assert.equal(view.lastError, null);
      const accessHistory = await e.client.workflow.getHandle('person-hint-moved').query(personHistoryQuery);
      assert.ok(
        !accessHistory.some((entry) => entry.kind === 'failure'),
        'a moved set-up is not a failure of the pass',
      );
    });

    it('a pass that makes no call reads the set-up after it, and passes again when it moved', async () => {
      await e.passSetupCatchUp(); // the change of the case before is told to no one started after this
      await startFlexMember('hint-quiet', 'hq-b1');
      // Past the catch-up's look-back: a change now is told only to the people at its center.
      await e.passSetupCatchUp();
      // Brooklyn is mapped after this person's last pass, and its fan-out tells only the people who
      // touch Brooklyn: not this one, until the billing below.
      await e.mapCenter('brooklyn', BROOKLYN_SITE, 'America/New_York');
      await e.mapProduct('brooklyn', 'desk', [OPEN_DESKS]);
      await e.settled(SETUP_WORKFLOW_ID);
      const before = scheduledActivityTypes(await history('hint-quiet')).length;
      const signalsBefore = (await history('hint-quiet')).events?.filter(
        (ev) => ev.workflowExecutionSignaledEventAttributes,
      ).length;
      assert.equal(signalsBefore, 1, 'the fan-out told this person nothing');
      await addPlan('hint-quiet', billing({ id: 'hq-b2', productId: 'desk', centerId: 'brooklyn' }), [
        BROOKLYN_SITE,
        OPEN_DESKS,
        'the Brooklyn desk, mapped after the set-up this person held',
      ]);
      const h = await history('hint-quiet');
      assert.deepEqual(
        scheduledActivityTypes(h).slice(before),
        ['loadSetup', 'ensureSaltoUser'],
        'no call on the held set-up, so it was read; it had moved, so the pass decided again',
      );
      assert.equal(h.events?.filter((ev) => ev.workflowExecutionSignaledEventAttributes).length, 2);
      assert.equal((await e.access('hint-quiet')).inSync, true);
    });

    it('a pass that makes no call and touches no new center reads nothing once its set-up was found current with those centers published; a change there reaches it by fan-out', async () => {
      await e.passSetupCatchUp(); // the changes of the cases before are told to no one started after this
      const event = memberSnapshot('hint-covered', {
        updatedAt: iso(await e.now()),
        billings: [billing({ id: 'hc-b1', productId: 'flex', centerId: 'berlin' })],
      });
      await e.tellPerson('hint-covered', event, await e.personStart(event));
      await e.eventually(
        async () =>
          (await groupsOf(BERLIN_SITE, 'hint-covered@example.com'))?.length === 2 ? true : undefined,
        'the flex groups',
      );
      await e.settled('person-hint-covered');
      // Past the catch-up's look-back: from now on only the fan-out by center reaches this person.
      await e.passSetupCatchUp();
      // The start's set-up was checked by a call before the person had published its centers:
      // the first quiet pass reads the set-up after it. Found current with Berlin published, the
      // next one needs no read: a newer set-up is told to everyone at Berlin.
      assert.deepEqual(await quietPlan('hint-covered', 'hc-b2', 30), ['loadSetup']);
      assert.deepEqual(
        await quietPlan('hint-covered', 'hc-b3', 40),
        [],
        'no read: the fan-out reaches this person',
      );
      // News of a set-up change ends the reliance, a duplicate too: a set-up workflow started again
      // reuses its versions, and only a read tells its set-up from the one held.
      const news = {
        type: 'setup-changed',
        eventId: 'hint-covered-news',
        version: (await e.setup()).version,
      } as const;
      const tellQuietly = async (): Promise<string[]> => {
        const before = scheduledActivityTypes(await history('hint-covered')).length;
        await e.tellPerson('hint-covered', news);
        await e.settled('person-hint-covered');
        return scheduledActivityTypes(await history('hint-covered')).slice(before);
      };
      assert.deepEqual(await tellQuietly(), ['loadSetup']);
      assert.deepEqual(await quietPlan('hint-covered', 'hc-b4', 50), [], 'found current again');
      assert.deepEqual(await tellQuietly(), ['loadSetup'], 'a duplicate of the news');
      // A change at Berlin now: the fan-out tells the person, whose next pass reads it and gives it.
      await e.mapProduct('berlin', 'flex', [...FLEX, OFFICE]);
      await e.eventually(
        async () =>
          (await groupsOf(BERLIN_SITE, 'hint-covered@example.com'))?.includes(OFFICE) ? true : undefined,
        'the office group the flex plan gives now',
      );
      await e.settled('person-hint-covered');
      assert.equal((await e.access('hint-covered')).inSync, true);
      await e.mapProduct('berlin', 'flex', FLEX); // as the cases after expect it
      await e.settled(SETUP_WORKFLOW_ID);
    });

    it('a set-up found current less than 30 s after the person published its centers does not count: visibility may not list them yet', async () => {
      const event = memberSnapshot('hint-soon', {
        updatedAt: iso(await e.now()),
        billings: [billing({ id: 'hso-b1', productId: 'flex', centerId: 'berlin' })],
      });
      await e.tellPerson('hint-soon', event, await e.personStart(event));
      await e.eventually(
        async () => ((await groupsOf(BERLIN_SITE, 'hint-soon@example.com'))?.length === 2 ? true : undefined),
        'the flex groups',
      );
      await e.settled('person-hint-soon');
      // The server clock stands still while the test polls: both passes come within 30 s of the
      // first publication, so neither read counts.
      assert.deepEqual(await quietPlan('hint-soon', 'hso-b2', 30), ['loadSetup']);
      assert.deepEqual(
        await quietPlan('hint-soon', 'hso-b3', 31),
        ['loadSetup'],
        'found current too soon: read again',
      );
      await e.advance(30_000);
      assert.deepEqual(await quietPlan('hint-soon', 'hso-b4', 32), ['loadSetup']);
      assert.deepEqual(
        await quietPlan('hint-soon', 'hso-b5', 33),
        [],
        'found current once visibility lists Berlin',
      );
    });

    it('a held set-up that moved unannounced: the group diff refuses before SALTO KS, and the pass gives it on the new one', async () => {
      await e.passSetupCatchUp();
      await startFlexMember('hint-diff', 'hd-b1');
      await e.passSetupCatchUp();
      // A change at a center this person does not touch: nobody tells it, and the set-up it holds is old.
      await e.mapProduct('brooklyn', 'hall', [OPEN_DESKS]);
      await e.settled(SETUP_WORKFLOW_ID);
      const before = scheduledActivityTypes(await history('hint-diff')).length;
      const sentAt = Date.now();
      await addPlan('hint-diff', billing({ id: 'hd-b2', productId: 'office', centerId: 'berlin' }), [
        BERLIN_SITE,
        OFFICE,
        'the office group',
      ]);
      assert.deepEqual(
        scheduledActivityTypes(await history('hint-diff')).slice(before),
        ['applySaltoGroupDiffChecked', 'applySaltoGroupDiff'],
        'refused on the old set-up, then given on the new one',
      );
      const officeWrites = (await requestsSince(sentAt)).filter((r) => r.path.includes(OFFICE));
      assert.equal(officeWrites.length, 1, 'one write of the office group reached SALTO KS: the second call');
      assert.equal((await e.access('hint-diff')).inSync, true);
    });

    it('the webhook sends no set-up with other events, none larger than its limit, and reads it again only when it is old', async () => {
      const snapshot = memberSnapshot('hint-source', { updatedAt: iso(await e.now()) });
      const plan = billingEvent(
        billing({ id: 'hs-b1', productId: 'flex', centerId: 'berlin' }),
        iso(await e.now()),
      );
      assert.equal(await e.personStart(plan), undefined, 'a billing names no e-mail');
      const small = personStartSource({ client: e.client, emailSecret: DEMO_EMAIL_LOOKUP_KEY, maxBytes: 64 });
      assert.equal(await small(snapshot), undefined, 'a set-up over the limit is left to the workflow');

      let clock = 1_000_000;
      const cached = personStartSource({
        client: e.client,
        emailSecret: DEMO_EMAIL_LOOKUP_KEY,
        maxAgeMs: 1000,
        now: () => clock,
      });
      const first = await cached(snapshot);
      assert.ok(first);
      assert.equal(first.email, 'hint-source@example.com');
      assert.equal(first.emailKey, emailLookupKey('hint-source@example.com', DEMO_EMAIL_LOOKUP_KEY));
      await e.mapProduct('berlin', 'lab', [SPREE]);
      clock += 999;
      assert.equal((await cached(snapshot))?.setup.version, first.setup.version, 'read less than 1 s ago');
      clock += 1;
      assert.equal((await cached(snapshot))?.setup.version, (await e.setup()).version, 'read again');
      // Its fan-out asks the people for their centers: done before the worker stops.
      await e.settled(SETUP_WORKFLOW_ID);
    });
  },
);
