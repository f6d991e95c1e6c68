// The SALTO KS activities against the real simulator: what they do, how few requests they
// need (exact counts from the simulator's request log), idempotency, and their failures.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { EnsureUserInput } from '../../src/activities/types';
import { activityRunner, type ActivityRunner } from './helpers/activities';
import { makeClient, rejection } from './helpers/client';
import { baseSeed, SITE_A, SITE_B, TestSimulator } from './helpers/simulator';

const ensureInput = (personId: string, email: string): EnsureUserInput => ({
  siteId: SITE_A,
  personId,
  profile: { firstName: 'Ada', lastName: 'Lovelace', email },
});

const USERS = `/v1.2/sites/${SITE_A}/users`;
const ROLES = `/v1.2/sites/${SITE_A}/roles`;
const bulk = (group: string) => `PATCH /v1.1/sites/${SITE_A}/access_groups/${group}/users`;

describe('SALTO KS activities', () => {
  let sim: TestSimulator;
  let runner: ActivityRunner;

  before(async () => {
    sim = await TestSimulator.start();
  });
  after(async () => {
    await sim.close();
  });

  /** Fresh state and a fresh, signed-in client (cold role cache), with the request log emptied. */
  async function freshStart(seed = baseSeed()): Promise<void> {
    await sim.reset(seed);
    const { client } = makeClient(sim.url);
    await client.listSites();
    runner = activityRunner(client);
    await sim.clearRequests();
  }

  beforeEach(async () => {
    await freshStart();
  });

  const siteA = async () => (await sim.state()).sites.find((s) => s.id === SITE_A)!;

  describe('ensureSaltoUser', () => {
    it('adopts a user who already exists (e-mail matched case-insensitively) and marks it: 2 requests', async () => {
      const seed = baseSeed();
      seed.sites![0]!.users = [
        { id: 'su-grace', first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' },
      ];
      await freshStart(seed);

      const result = await runner.run('ensureSaltoUser', ensureInput('p-7', 'Grace@Example.COM'));
      assert.equal(result.adopted, true);
      assert.equal(result.siteUserId, 'su-grace');
      assert.deepEqual(await sim.apiRequests(), [`GET ${USERS}`, `PATCH ${USERS}/su-grace`]);
      const users = (await siteA()).users;
      assert.equal(users.length, 1, 'not duplicated');
      assert.equal(users[0]?.alias, 'deskworks:p-7');
    });

    it('finds its own user again with one request and changes nothing', async () => {
      const first = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const before = await sim.state();
      await sim.clearRequests();

      const again = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      assert.deepEqual(await sim.apiRequests(), [`GET ${USERS}`]);
      assert.deepEqual(await sim.state(), before);
      assert.equal(first.created, true);
      assert.deepEqual(again, { ...first, adopted: false, created: false });
    });

    it('creates a new user with the site_user role and the deskworks alias: 3 requests, then 2 with the role cached', async () => {
      const created = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      assert.deepEqual(await sim.apiRequests(), [`GET ${USERS}`, `GET ${ROLES}`, `POST ${USERS}`]);
      assert.equal(created.adopted, false);
      assert.equal(created.created, true);
      assert.equal(created.subscriptionState, 'subscribed');
      assert.equal(created.warning, null);
      assert.notEqual(created.siteUserId, created.platformUserId);

      await sim.clearRequests();
      await runner.run('ensureSaltoUser', ensureInput('p-2', 'charles@example.com'));
      assert.deepEqual(await sim.apiRequests(), [`GET ${USERS}`, `POST ${USERS}`]);

      const users = (await siteA()).users;
      assert.deepEqual(
        users.map((u) => [u.email, u.alias, u.id, u.userId]),
        [
          ['ada@example.com', 'deskworks:p-1', created.siteUserId, created.platformUserId],
          ['charles@example.com', 'deskworks:p-2', users[1]?.id, users[1]?.userId],
        ],
      );
    });

    it('a user it creates gets groupsIfCreated in the same call: one PATCH per group, nothing more', async () => {
      const input = {
        ...ensureInput('p-1', 'ada@example.com'),
        groupsIfCreated: ['ag-a-floor', 'ag-a-entrance'],
      };
      const created = await runner.run('ensureSaltoUser', input);
      assert.equal(created.created, true);
      assert.deepEqual(created.granted, {
        added: ['ag-a-entrance', 'ag-a-floor'],
        removed: [],
        refused: [],
        userMissing: false,
      });
      assert.deepEqual(await sim.apiRequests(), [
        `GET ${USERS}`,
        `GET ${ROLES}`,
        `POST ${USERS}`,
        bulk('ag-a-entrance'),
        bulk('ag-a-floor'),
      ]);
      const groups = (await siteA()).access_groups;
      for (const id of ['ag-a-entrance', 'ag-a-floor'])
        assert.deepEqual(groups.find((g) => g.id === id)?.members, [created.platformUserId], id);

      // Found again (a retry, or another pass): given nothing, so the workflow diffs what SALTO KS shows.
      await sim.clearRequests();
      const again = await runner.run('ensureSaltoUser', input);
      assert.equal(again.created, false);
      assert.equal(again.granted, undefined);
      assert.deepEqual(await sim.apiRequests(), [`GET ${USERS}`]);
    });

    it('a user it adopts is given nothing: groupsIfCreated is for a user this call created', async () => {
      const seed = baseSeed();
      seed.sites![0]!.users = [
        { id: 'su-grace', first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' },
      ];
      await freshStart(seed);
      const adopted = await runner.run('ensureSaltoUser', {
        ...ensureInput('p-7', 'grace@example.com'),
        groupsIfCreated: ['ag-a-floor'],
      });
      assert.equal(adopted.adopted, true);
      assert.equal(adopted.granted, undefined);
      assert.deepEqual((await siteA()).access_groups.find((g) => g.id === 'ag-a-floor')?.members, []);
    });

    it('SALTO KS still settling after the create: the user is created, its groups left to the workflow', async () => {
      await sim.faults({ eventualConsistencyMs: 60_000 });
      const created = await runner.run('ensureSaltoUser', {
        ...ensureInput('p-1', 'ada@example.com'),
        groupsIfCreated: ['ag-a-floor'],
      });
      assert.equal(created.created, true, 'the create is not lost to a failed grant');
      assert.equal(created.granted, undefined);
      assert.equal((await siteA()).users.length, 1);
    });

    it('a group deleted in SALTO KS is refused by name in the grant of a new user; the others are given', async () => {
      const res = await fetch(`${sim.url}/__sim/sites/${SITE_A}/access_groups/ag-a-entrance`, {
        method: 'DELETE',
      });
      assert.equal(res.status, 204);
      const created = await runner.run('ensureSaltoUser', {
        ...ensureInput('p-1', 'ada@example.com'),
        groupsIfCreated: ['ag-a-entrance', 'ag-a-floor'],
      });
      assert.deepEqual(created.granted?.added, ['ag-a-floor']);
      assert.deepEqual(
        created.granted?.refused.map((r) => [r.groupId, r.action]),
        [['ag-a-entrance', 'add']],
      );
    });

    it("works for an e-mail with a ' in it", async () => {
      const email = "siobhan.o'brien@example.com";
      const created = await runner.run('ensureSaltoUser', ensureInput('p-3', email));
      const again = await runner.run('ensureSaltoUser', ensureInput('p-3', "Siobhan.O'Brien@example.com"));
      assert.equal(again.siteUserId, created.siteUserId);
      assert.deepEqual(
        (await siteA()).users.map((u) => u.email),
        [email],
      );
    });

    it('two concurrent ensures of one person (two workers) create one user; the loser adopts it', async () => {
      const second = activityRunner(makeClient(sim.url).client);
      await second.run('listSaltoSites'); // sign the second worker in before the race
      // Latency makes both look-ups miss: both create, SALTO refuses the second with 400 1101.
      await sim.faults({ latencyMs: 150 });
      await sim.clearRequests();

      const [a, b] = await Promise.all([
        runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com')),
        second.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com')),
      ]);
      assert.equal(a.siteUserId, b.siteUserId);
      assert.equal(a.platformUserId, b.platformUserId);
      assert.equal((await siteA()).users.length, 1);
      const creates = (await sim.requests())
        .filter((r) => r.method === 'POST' && r.path === USERS)
        .map((r) => r.status);
      assert.deepEqual(creates.sort(), [201, 400], 'the race really happened');
    });

    it('reports a suspended subscription (no free seat) as a warning', async () => {
      const seed = baseSeed();
      seed.sites![0]!.seats = 1;
      seed.sites![0]!.users = [{ email: 'first@example.com' }];
      await freshStart(seed);
      const result = await runner.run('ensureSaltoUser', ensureInput('p-9', 'second@example.com'));
      assert.equal(result.subscriptionState, 'suspended');
      assert.match(result.warning ?? '', /no free seat.*suspended/);
    });

    it('fails a malformed e-mail as not retryable (400 1101)', async () => {
      const failure = await rejection(runner.run('ensureSaltoUser', ensureInput('p-1', 'not-an-email')));
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.nonRetryable, true);
      assert.equal(failure.type, 'SaltoValidationFailed');
      assert.match(failure.message, /400 ErrorCode 1101/);
      assert.equal((await siteA()).users.length, 0);
    });
  });

  describe('applySaltoGroupDiff', () => {
    it('uses one bulk PATCH per group; a remove of a non-member is success; a second run changes nothing', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      await sim.clearRequests();
      const diff = {
        siteId: SITE_A,
        siteUserId: user.siteUserId,
        platformUserId: user.platformUserId,
        add: ['ag-a-floor', 'ag-a-entrance'],
        remove: ['ag-a-office'],
      };

      await runner.run('applySaltoGroupDiff', diff);
      // Revocations first, then grants.
      const expected = [bulk('ag-a-office'), bulk('ag-a-entrance'), bulk('ag-a-floor')];
      assert.deepEqual(await sim.apiRequests(), expected);
      const membersOf = async () =>
        Object.fromEntries((await siteA()).access_groups.map((g) => [g.id, g.members]));
      assert.deepEqual(await membersOf(), {
        'ag-a-entrance': [user.platformUserId],
        'ag-a-floor': [user.platformUserId],
        'ag-a-office': [],
      });

      const before = await sim.state();
      await sim.clearRequests();
      await runner.run('applySaltoGroupDiff', diff);
      assert.deepEqual(await sim.apiRequests(), expected);
      assert.deepEqual(await sim.state(), before);

      await sim.clearRequests();
      await runner.run('applySaltoGroupDiff', { ...diff, add: [], remove: ['ag-a-floor'] });
      assert.deepEqual(await sim.apiRequests(), [bulk('ag-a-floor')]);
      assert.deepEqual((await membersOf())['ag-a-floor'], []);
    });

    it('retries a 404 2202 right after the create, but not once SALTO had time to settle', async () => {
      await sim.faults({ eventualConsistencyMs: 60_000 });
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const diff = {
        siteId: SITE_A,
        siteUserId: user.siteUserId,
        platformUserId: user.platformUserId,
        add: ['ag-a-floor'],
        remove: [],
      };

      const fresh = await rejection(runner.run('applySaltoGroupDiff', diff));
      assert.ok(fresh instanceof ApplicationFailure);
      assert.equal(fresh.type, 'SaltoNotFound');
      assert.equal(fresh.nonRetryable, false);
      assert.match(fresh.message, /settling/);

      // Once SALTO had time to settle, the group is refused for good: reported, not retried.
      const late = await runner.runWith(
        { scheduledTimestampMs: Date.now() - 120_000 },
        'applySaltoGroupDiff',
        diff,
      );
      assert.deepEqual(late.added, []);
      assert.deepEqual(
        late.refused.map((r) => [r.groupId, r.action]),
        [['ag-a-floor', 'add']],
      );

      await sim.faults({});
      await runner.run('applySaltoGroupDiff', diff);
      assert.deepEqual((await siteA()).access_groups.find((g) => g.id === 'ag-a-floor')?.members, [
        user.platformUserId,
      ]);
    });

    it('refuses a site-user id where the platform id belongs (404 2202)', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const result = await runner.runWith({ scheduledTimestampMs: 1 }, 'applySaltoGroupDiff', {
        siteId: SITE_A,
        siteUserId: user.siteUserId,
        platformUserId: user.siteUserId,
        add: ['ag-a-floor'],
        remove: [],
      });
      assert.deepEqual(result.added, []);
      assert.equal(result.refused.length, 1);
      assert.match(result.refused[0]!.message, /not found/i);
    });
  });

  describe('one refusal never holds back the rest (issue 9 item 3) and users deleted by hand (item 4)', () => {
    const deleteGroup = async (groupId: string) => {
      const res = await fetch(`${sim.url}/__sim/sites/${SITE_A}/access_groups/${groupId}`, {
        method: 'DELETE',
      });
      assert.equal(res.status, 204);
    };
    const membersOf = async () =>
      Object.fromEntries((await siteA()).access_groups.map((g) => [g.id, g.members]));

    it('a group deleted in SALTO KS is refused by name; every other group is still applied, removals first', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const ref = { siteId: SITE_A, siteUserId: user.siteUserId, platformUserId: user.platformUserId };
      await runner.run('applySaltoGroupDiff', { ...ref, add: ['ag-a-office'], remove: [] });
      await deleteGroup('ag-a-entrance');
      await sim.clearRequests();

      const result = await runner.run('applySaltoGroupDiff', {
        ...ref,
        add: ['ag-a-entrance', 'ag-a-floor'],
        remove: ['ag-a-office'],
      });
      assert.deepEqual(result.removed, ['ag-a-office']);
      assert.deepEqual(result.added, ['ag-a-floor']);
      assert.equal(result.userMissing, false);
      assert.deepEqual(
        result.refused.map((r) => [r.groupId, r.action]),
        [['ag-a-entrance', 'add']],
      );
      assert.match(result.refused[0]!.message, /ag-a-entrance does not exist/);
      const members = await membersOf();
      assert.deepEqual(members['ag-a-floor'], [user.platformUserId]);
      assert.deepEqual(members['ag-a-office'], []);
      const firstTwo = (await sim.apiRequests()).slice(0, 2);
      assert.deepEqual(firstTwo, [bulk('ag-a-office'), bulk('ag-a-entrance')], 'the removal went first');
    });

    it('a passing fault on one group is retried after every other group was tried', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const ref = { siteId: SITE_A, siteUserId: user.siteUserId, platformUserId: user.platformUserId };
      await sim.faults({ errors: [{ status: 503, count: 1, method: 'PATCH' }] });
      const failure = await rejection(
        runner.run('applySaltoGroupDiff', { ...ref, add: ['ag-a-entrance', 'ag-a-floor'], remove: [] }),
      );
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.nonRetryable, false);
      assert.deepEqual(
        (await membersOf())['ag-a-floor'],
        [user.platformUserId],
        'the second group was applied',
      );
    });

    it('a user deleted by hand is reported missing: by a group add, a patch and a read', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const ref = { siteId: SITE_A, siteUserId: user.siteUserId, platformUserId: user.platformUserId };
      await runner.run('deleteSaltoUser', { siteId: SITE_A, siteUserId: user.siteUserId });

      const result = await runner.runWith({ scheduledTimestampMs: 1 }, 'applySaltoGroupDiff', {
        ...ref,
        add: ['ag-a-floor'],
        remove: [],
      });
      assert.equal(result.userMissing, true);
      assert.deepEqual(result.added, []);

      const patch = await rejection(
        runner.run('setSaltoUserBlocked', { siteId: SITE_A, siteUserId: user.siteUserId, blocked: true }),
      );
      assert.ok(patch instanceof ApplicationFailure);
      assert.equal(patch.type, 'SaltoUserMissing');
      assert.equal(patch.nonRetryable, true);

      assert.deepEqual(await runner.run('readSaltoUserGroups', ref), {
        exists: false,
        ownerId: null,
        groupIds: [],
      });
    });

    it('never takes over a user that another Deskworks record owns: it names the owner instead', async () => {
      const member = await runner.run('ensureSaltoUser', ensureInput('m-1', 'same@example.com'));
      assert.equal(member.ownedBy, null);
      await sim.clearRequests();
      const contact = await runner.run('ensureSaltoUser', ensureInput('nm-1', 'SAME@example.com'));
      assert.equal(contact.ownedBy, 'm-1');
      assert.equal(contact.siteUserId, member.siteUserId);
      const users = (await siteA()).users;
      assert.equal(users.length, 1);
      assert.equal(users[0]!.alias, 'deskworks:m-1', 'the alias still names the first record');
      assert.ok(
        (await sim.apiRequests()).every((r) => r.startsWith('GET')),
        'nothing was written',
      );
    });
  });

  describe('profile, block, delete', () => {
    it('patches names and the blocked flag with one request each, idempotently', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      await sim.clearRequests();
      const ref = { siteId: SITE_A, siteUserId: user.siteUserId };
      await runner.run('updateSaltoUserProfile', {
        ...ref,
        profile: { firstName: 'Augusta Ada', lastName: 'King', email: 'ada@example.com' },
      });
      await runner.run('setSaltoUserBlocked', { ...ref, blocked: true });
      await runner.run('setSaltoUserBlocked', { ...ref, blocked: true });
      assert.deepEqual(await sim.apiRequests(), Array<string>(3).fill(`PATCH ${USERS}/${user.siteUserId}`));
      const stored = (await siteA()).users[0];
      assert.deepEqual(
        [stored?.first_name, stored?.last_name, stored?.blocked],
        ['Augusta Ada', 'King', true],
      );
      await runner.run('setSaltoUserBlocked', { ...ref, blocked: false });
      assert.equal((await siteA()).users[0]?.blocked, false);
    });

    it('retries a 403 2203 on a patch right after the create', async () => {
      await sim.faults({ eventualConsistencyMs: 60_000 });
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const failure = await rejection(
        runner.run('setSaltoUserBlocked', { siteId: SITE_A, siteUserId: user.siteUserId, blocked: true }),
      );
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, 'SaltoNotAllowed');
      assert.equal(failure.nonRetryable, false);
    });

    it('deletes a user (and its memberships); deleting again is success', async () => {
      const user = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      await runner.run('applySaltoGroupDiff', {
        siteId: SITE_A,
        siteUserId: user.siteUserId,
        platformUserId: user.platformUserId,
        add: ['ag-a-floor'],
        remove: [],
      });
      await sim.clearRequests();
      await runner.run('deleteSaltoUser', { siteId: SITE_A, siteUserId: user.siteUserId });
      await runner.run('deleteSaltoUser', { siteId: SITE_A, siteUserId: user.siteUserId });
      assert.deepEqual(
        (await sim.requests()).map((r) => `${r.method} ${r.status}`),
        ['DELETE 202', 'DELETE 404'],
      );
      const site = await siteA();
      assert.deepEqual(site.users, []);
      assert.ok(site.access_groups.every((g) => g.members.length === 0));
    });
  });

  describe('reading', () => {
    it("reads one user's groups and a whole site's state", async () => {
      const ada = await runner.run('ensureSaltoUser', ensureInput('p-1', 'ada@example.com'));
      const bob = await runner.run('ensureSaltoUser', ensureInput('p-2', 'bob@example.com'));
      const add = (user: { siteUserId: string; platformUserId: string }, groups: string[]) =>
        runner.run('applySaltoGroupDiff', { siteId: SITE_A, ...user, add: groups, remove: [] });
      await add(ada, ['ag-a-office', 'ag-a-entrance']);
      await add(bob, ['ag-a-floor']);
      await sim.clearRequests();

      assert.deepEqual(
        await runner.run('readSaltoUserGroups', {
          siteId: SITE_A,
          siteUserId: ada.siteUserId,
          platformUserId: ada.platformUserId,
        }),
        { exists: true, ownerId: 'p-1', groupIds: ['ag-a-entrance', 'ag-a-office'] },
      );
      assert.equal((await sim.apiRequests()).length, 5, 'the user, the group list and three member lists');

      const state = await runner.run('readSaltoSiteState', { siteId: SITE_A });
      assert.deepEqual(state, {
        siteId: SITE_A,
        users: [
          {
            siteUserId: ada.siteUserId,
            platformUserId: ada.platformUserId,
            email: 'ada@example.com',
            alias: 'deskworks:p-1',
            blocked: false,
            groupIds: ['ag-a-entrance', 'ag-a-office'],
          },
          {
            siteUserId: bob.siteUserId,
            platformUserId: bob.platformUserId,
            email: 'bob@example.com',
            alias: 'deskworks:p-2',
            blocked: false,
            groupIds: ['ag-a-floor'],
          },
        ],
        accessGroups: [
          { id: 'ag-a-entrance', name: 'Entrance' },
          { id: 'ag-a-floor', name: 'Floor' },
          { id: 'ag-a-office', name: 'Office' },
        ],
      });
    });

    it('heartbeats on every page while it reads a large site, so a long read is not timed out, keeping the resume point', async () => {
      const seed = baseSeed();
      seed.sites![0]!.users = Array.from({ length: 250 }, (_, i) => ({
        email: `member-${i}@example.com`,
        groups: ['ag-a-floor'],
      }));
      await freshStart(seed);
      // A reconciliation reads its site inside its own attempt: the heartbeats of the read keep
      // the point where that attempt's retry resumes telling people.
      const resumePoint = { phase: 0, after: 'person-0042' };
      const env = new MockActivityEnvironment({ heartbeatDetails: resumePoint });
      const details: unknown[] = [];
      env.on('heartbeat', (d: unknown) => details.push(d));
      const read = (): ReturnType<typeof runner.activities.readSaltoSiteState> =>
        runner.activities.readSaltoSiteState({ siteId: SITE_A });
      type Answer = Awaited<ReturnType<typeof read>>;
      const state = await env.run<[], Answer, typeof read>(read);
      assert.equal(state.users.length, 250);
      assert.equal(state.users.filter((u) => u.groupIds.includes('ag-a-floor')).length, 250);
      const pages = (await sim.apiRequests()).filter(
        (r) => r.startsWith('GET ') && r.endsWith('/users'),
      ).length;
      assert.ok(pages >= 6, `the 250 users and the floor's 250 members take several pages (${pages})`);
      assert.ok(
        details.length >= pages,
        `${details.length} heartbeats for ${pages} pages of users and members`,
      );
      assert.ok(
        details.every((d) => JSON.stringify(d) === JSON.stringify(resumePoint)),
        'every heartbeat keeps the resume point',
      );
    });

    it('lists sites and access groups for the set-up page', async () => {
      assert.deepEqual(await runner.run('listSaltoSites'), [
        { id: SITE_A, name: 'Site A', timeZone: 'Europe/Berlin' },
        { id: SITE_B, name: 'Site B', timeZone: 'America/New_York' },
      ]);
      assert.deepEqual(await runner.run('listSaltoAccessGroups', { siteId: SITE_B }), [
        { id: 'ag-b-lobby', name: 'Lobby' },
      ]);
    });
  });

  describe('failures as Temporal sees them', () => {
    it('429 with Retry-After: 2 asks Temporal to wait 2 s before the next attempt', async () => {
      await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 2 }] });
      const failure = await rejection(runner.run('listSaltoSites'));
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, 'SaltoRateLimited');
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.nextRetryDelay, 2000);
    });

    it('a 503 is retryable, a 400 is not', async () => {
      await sim.faults({ errors: [{ status: 503, count: 1 }] });
      const unavailable = await rejection(runner.run('listSaltoSites'));
      assert.ok(unavailable instanceof ApplicationFailure);
      assert.deepEqual([unavailable.type, unavailable.nonRetryable], ['SaltoServerError', false]);

      const badRequest = await rejection(runner.run('listSaltoAccessGroups', { siteId: 'DE4520168385' }));
      assert.ok(badRequest instanceof ApplicationFailure);
      assert.deepEqual([badRequest.type, badRequest.nonRetryable], ['SaltoMalformedRequest', true]);
      assert.deepEqual(badRequest.details, [
        {
          method: 'GET',
          path: '/v1.2/sites/DE4520168385/access_groups',
          status: 400,
          errorCode: '1100',
          kind: 'malformed_request',
        },
      ]);
    });
  });
});
