// Every endpoint the client speaks, paging and error classification, against the real simulator.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SaltoError } from '../../src/salto/errors';
import { makeClient, rejection, type TestClient } from './helpers/client';
import { baseSeed, SITE_A, SITE_B, TestSimulator } from './helpers/simulator';

function manyUsersAndGroups(users: number, groups: number) {
  const seed = baseSeed();
  const site = seed.sites![0]!;
  site.access_groups = Array.from({ length: groups }, (_, i) => ({ id: `ag-${i}`, name: `Group ${i}` }));
  site.users = Array.from({ length: users }, (_, i) => ({
    first_name: 'User',
    last_name: String(i),
    email: `user${i}@example.com`,
    groups: i < 150 ? ['ag-0'] : [],
  }));
  return seed;
}

describe('SALTO KS client', () => {
  let sim: TestSimulator;
  let t: TestClient;
  before(async () => {
    sim = await TestSimulator.start();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await sim.reset();
    t = makeClient(sim.url);
  });

  it('follows next_page_link through 250 users and 120 groups, 100 at a time', async () => {
    await sim.reset(manyUsersAndGroups(250, 120));
    await t.client.listSites(); // sign in first, so only list requests are counted below
    await sim.clearRequests();

    const users = await t.client.listSiteUsers(SITE_A);
    assert.equal(users.length, 250);
    assert.equal(new Set(users.map((u) => u.id)).size, 250);
    const groups = await t.client.listAccessGroups(SITE_A);
    assert.equal(groups.length, 120);
    assert.deepEqual(
      groups.map((g) => g.id),
      Array.from({ length: 120 }, (_, i) => `ag-${i}`),
    );
    const members = await t.client.listAccessGroupMembers(SITE_A, 'ag-0');
    assert.equal(members.length, 150);

    const log = await sim.requests();
    assert.deepEqual(
      log.map((r) => `${r.path} ${decodeURIComponent(r.query)}`),
      [
        `/v1.2/sites/${SITE_A}/users $top=100`,
        `/v1.2/sites/${SITE_A}/users $top=100&$skip=100`,
        `/v1.2/sites/${SITE_A}/users $top=100&$skip=200`,
        `/v1.2/sites/${SITE_A}/access_groups $top=100`,
        `/v1.2/sites/${SITE_A}/access_groups $top=100&$skip=100`,
        `/v1.2/sites/${SITE_A}/access_groups/ag-0/users $top=100`,
        `/v1.2/sites/${SITE_A}/access_groups/ag-0/users $top=100&$skip=100`,
      ],
    );
  });

  it('tells whether one user is in a group of 150 with one short filtered request, not every page', async () => {
    await sim.reset(manyUsersAndGroups(250, 1));
    const users = await t.client.listSiteUsers(SITE_A);
    const member = users.find((u) => u.user.email === 'user149@example.com')!.user.id;
    const outsider = users.find((u) => u.user.email === 'user150@example.com')!.user.id;
    await sim.clearRequests();
    assert.equal(await t.client.isAccessGroupMember(SITE_A, 'ag-0', member), true);
    assert.equal(await t.client.isAccessGroupMember(SITE_A, 'ag-0', outsider), false);
    assert.deepEqual(
      (await sim.requests()).map((r) => [r.path, new URLSearchParams(r.query).get('$filter')]),
      [member, outsider].map((id) => [`/v1.2/sites/${SITE_A}/access_groups/ag-0/users`, `id eq '${id}'`]),
    );
  });

  it('reads the bare array of sites and one site', async () => {
    const sites = await t.client.listSites();
    assert.deepEqual(
      sites.map((s) => [s.id, s.customer_reference, s.time_zone]),
      [
        [SITE_A, 'Site A', 'Europe/Berlin'],
        [SITE_B, 'Site B', 'America/New_York'],
      ],
    );
    assert.equal((await t.client.getSite(SITE_B)).site_uid, 'US7730251946');
    assert.deepEqual(
      (await t.client.listRoles(SITE_A)).map((r) => r.code),
      ['site_user', 'site_manager'],
    );
  });

  it("finds a user by an e-mail with a ' in it, case-insensitively", async () => {
    const seed = baseSeed();
    seed.sites![0]!.users = [
      { first_name: 'Siobhan', last_name: "O'Brien", email: "siobhan.o'brien@example.com" },
      { first_name: 'Other', last_name: 'Person', email: 'siobhan.obrien@example.com' },
    ];
    await sim.reset(seed);
    const found = await t.client.findSiteUsersByEmail(SITE_A, "Siobhan.O'Brien@Example.com");
    assert.deepEqual(
      found.map((u) => u.user.email),
      ["siobhan.o'brien@example.com"],
    );
  });

  it('creates, reads, patches and deletes a site user; group membership goes by the platform id', async () => {
    const roleId = await t.client.siteUserRoleId(SITE_A);
    const created = await t.client.createSiteUser(SITE_A, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      role_ids: [roleId],
      alias: 'deskworks:p-1',
    });
    assert.notEqual(created.id, created.user.id, 'two ids per person');
    assert.equal((await t.client.getSiteUser(SITE_A, created.id)).alias, 'deskworks:p-1');
    const patched = await t.client.updateSiteUser(SITE_A, created.id, { blocked: true, last_name: 'King' });
    assert.equal(patched?.blocked, true);
    assert.equal(patched?.user.last_name, 'King');

    await t.client.addAccessGroupMember(SITE_A, 'ag-a-floor', created.user.id);
    await t.client.changeAccessGroupMembers(SITE_A, 'ag-a-office', {
      addIds: [created.user.id],
      removeIds: [],
    });
    assert.deepEqual(
      (await t.client.listAccessGroupMembers(SITE_A, 'ag-a-office')).map((m) => m.platformUserId),
      [created.user.id],
    );
    await t.client.removeAccessGroupMember(SITE_A, 'ag-a-floor', created.user.id);
    assert.deepEqual(await t.client.listAccessGroupMembers(SITE_A, 'ag-a-floor'), []);

    const siteUserIdInstead = await rejection(
      t.client.addAccessGroupMember(SITE_A, 'ag-a-floor', created.id),
    );
    assert.ok(siteUserIdInstead instanceof SaltoError);
    assert.equal(siteUserIdInstead.status, 404);
    assert.equal(siteUserIdInstead.errorCode, '2202');

    await t.client.deleteSiteUser(SITE_A, created.id);
    assert.deepEqual(
      await t.client.listAccessGroupMembers(SITE_A, 'ag-a-office'),
      [],
      'delete leaves every group',
    );
    const gone = await rejection(t.client.getSiteUser(SITE_A, created.id));
    assert.ok(gone instanceof SaltoError && gone.kind === 'not_found');
  });

  it('caches the site_user role per site: one roles request however many asks', async () => {
    await t.client.listSites();
    await sim.clearRequests();
    const ids = await Promise.all([t.client.siteUserRoleId(SITE_A), t.client.siteUserRoleId(SITE_A)]);
    await t.client.siteUserRoleId(SITE_A);
    assert.equal(ids[0], ids[1]);
    assert.deepEqual(await sim.apiRequests(), [`GET /v1.2/sites/${SITE_A}/roles`]);
  });

  it('classifies a duplicate e-mail as 400 1101, not retryable', async () => {
    const roleId = await t.client.siteUserRoleId(SITE_A);
    const body = { first_name: 'A', last_name: 'B', email: 'dup@example.com', role_ids: [roleId] };
    await t.client.createSiteUser(SITE_A, body);
    const error = await rejection(t.client.createSiteUser(SITE_A, { ...body, email: 'DUP@example.com' }));
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'validation_failed');
    assert.equal(error.retryable, false);
    assert.equal(error.isDuplicateOrInvalidEmail, true);
    assert.match(error.message, /^SALTO KS POST \/v1\.2\/sites\/[0-9a-f-]+\/users: 400 ErrorCode 1101: /);
  });

  it('classifies a site_uid in the path as 400 1100 and an unknown site as 404 2202', async () => {
    const uid = await rejection(t.client.listAccessGroups('DE4520168385'));
    assert.ok(uid instanceof SaltoError);
    assert.equal(uid.kind, 'malformed_request');
    assert.equal(uid.errorCode, '1100');
    const unknown = await rejection(t.client.listAccessGroups('99999999-9999-4999-8999-999999999999'));
    assert.ok(unknown instanceof SaltoError);
    assert.equal(unknown.kind, 'not_found');
    assert.equal(unknown.errorCode, '2202');
  });

  it('refuses ".", ".." and ids with a slash before any request: they would name another resource', async () => {
    await t.client.listSites(); // signed in, so any request would show in the log
    await sim.clearRequests();
    for (const id of ['.', '..', '', 'a/b', '..\\x']) {
      for (const call of [
        () => t.client.getSiteUser(SITE_A, id),
        () => t.client.listAccessGroups(id),
        () => t.client.deleteSiteUser(SITE_A, id),
        () => t.client.removeAccessGroupMember(SITE_A, id, 'p-1'),
      ]) {
        const error = await rejection(call());
        assert.ok(error instanceof SaltoError, `${id}: ${String(error)}`);
        assert.equal(error.retryable, false);
        assert.match(error.message, /refused the id/);
      }
    }
    assert.deepEqual(await sim.apiRequests(), [], 'nothing reached SALTO KS');
  });

  it('turns 429 with Retry-After: 2 into a retryable error that says 2000 ms', async () => {
    await t.client.listSites();
    await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 2 }] });
    const error = await rejection(t.client.listSites());
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(
      (await t.client.listSites()).length,
      2,
      'the client itself did not retry; the next call works',
    );
    assert.deepEqual(
      (await sim.requests()).filter((r) => r.path === '/v1.2/sites').map((r) => r.status),
      [200, 429, 200],
    );
  });

  it('classifies 500 and 503 as retryable server errors', async () => {
    await t.client.listSites();
    await sim.faults({
      errors: [
        { status: 500, count: 1 },
        { status: 503, count: 1, retryAfterSeconds: 1 },
      ],
    });
    const first = await rejection(t.client.listSites());
    const second = await rejection(t.client.listSites());
    assert.ok(first instanceof SaltoError && second instanceof SaltoError);
    assert.deepEqual([first.status, first.kind, first.retryable], [500, 'server_error', true]);
    assert.deepEqual([second.status, second.retryAfterMs, second.retryable], [503, 1000, true]);
  });

  it('times out a request that takes longer than the timeout', async () => {
    const slow = makeClient(sim.url, { timeoutMs: 200 });
    await slow.client.listSites();
    // The answer would come after 3 s: giving up well before it is giving up at the timeout, with
    // room for a busy machine.
    await sim.faults({ latencyMs: 3_000 });
    const started = Date.now();
    const error = await rejection(slow.client.listSites());
    assert.ok(Date.now() - started < 2_000, 'gave up at the timeout, not at the answer');
    assert.ok(error instanceof SaltoError);
    assert.deepEqual([error.kind, error.retryable, error.status], ['timeout', true, null]);
    assert.match(error.message, /no answer within 200 ms/);
  });

  it('reports an unreachable server as a retryable network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // The identity server answers, the API port has nobody listening.
    const error = await rejection(
      makeClient(`http://127.0.0.1:${port}`, { oauth: { identityUrl: sim.url } }).client.listSites(),
    );
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'network_error');
    assert.equal(error.retryable, true);
  });

  it('never follows a next_page_link to another host (the token would go with it)', async () => {
    const foreign = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          items: [{ id: 'g1', customer_reference: 'G' }],
          next_page_link: 'http://evil.example/steal',
        }),
      );
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = foreign.address() as AddressInfo;
      const client = makeClient(`http://127.0.0.1:${port}`, { oauth: { identityUrl: sim.url } }).client;
      const error = await rejection(client.listAccessGroups(SITE_A));
      assert.ok(error instanceof SaltoError);
      assert.match(error.message, /next_page_link points at another host/);
    } finally {
      foreign.closeAllConnections();
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });

  describe('with quick retries (SALTO_KS_QUICK_RETRIES)', () => {
    beforeEach(async () => {
      t = makeClient(sim.url, { quickRetries: 2 });
      await t.client.listSites(); // signed in: only the calls under test are counted
      await sim.clearRequests();
    });

    const statusesOf = async (path: string) =>
      (await sim.requests()).filter((r) => r.path === path).map((r) => r.status);

    it('gets through two 5xx in one call, and the group add reaches SALTO KS', async () => {
      const roleId = await t.client.siteUserRoleId(SITE_A);
      const user = await t.client.createSiteUser(SITE_A, {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        role_ids: [roleId],
      });
      await sim.clearRequests();
      await sim.faults({
        errors: [
          { status: 503, count: 1 },
          { status: 500, count: 1 },
        ],
      });
      await t.client.changeAccessGroupMembers(SITE_A, 'ag-a-office', {
        addIds: [user.user.id],
        removeIds: [],
      });
      const path = `/v1.1/sites/${SITE_A}/access_groups/ag-a-office/users`;
      const statuses = await statusesOf(path);
      assert.deepEqual(statuses.slice(0, 2), [503, 500]);
      assert.equal(statuses.length, 3, `three tries: ${statuses.join(', ')}`);
      assert.ok(statuses[2]! < 300, `the third try succeeded: ${statuses[2]}`);
      assert.deepEqual(
        (await t.client.listAccessGroupMembers(SITE_A, 'ag-a-office')).map((m) => m.platformUserId),
        [user.user.id],
      );
    });

    it('gives up to its caller after the allowed tries, with the last fault', async () => {
      await sim.faults({ errors: [{ status: 500, count: 5 }] });
      const error = await rejection(t.client.listSites());
      assert.ok(error instanceof SaltoError);
      assert.deepEqual([error.kind, error.retryable], ['server_error', true]);
      assert.deepEqual(await statusesOf('/v1.2/sites'), [500, 500, 500]);
    });

    it('waits out a 429 of Retry-After: 1 within the call', async () => {
      await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 1 }] });
      assert.equal((await t.client.listSites()).length, 2);
      const answers = (await sim.requests()).filter((r) => r.path === '/v1.2/sites');
      assert.deepEqual(
        answers.map((r) => r.status),
        [429, 200],
      );
      const gap = answers[1]!.at - answers[0]!.at;
      assert.ok(gap >= 950, `tried again after ${gap} ms: sooner than Retry-After allows`);
    });

    it('hands a 429 asking for longer than 2 s straight back, saying how long', async () => {
      await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 3 }] });
      const error = await rejection(t.client.listSites());
      assert.ok(error instanceof SaltoError);
      assert.equal(error.retryAfterMs, 3000);
      assert.deepEqual(await statusesOf('/v1.2/sites'), [429]);
    });

    it('never sends a refused request again (a duplicate e-mail)', async () => {
      const roleId = await t.client.siteUserRoleId(SITE_A);
      const body = { first_name: 'A', last_name: 'B', email: 'twice@example.com', role_ids: [roleId] };
      await t.client.createSiteUser(SITE_A, body);
      await sim.clearRequests();
      const error = await rejection(t.client.createSiteUser(SITE_A, body));
      assert.ok(error instanceof SaltoError && error.isDuplicateOrInvalidEmail);
      assert.deepEqual(await statusesOf(`/v1.2/sites/${SITE_A}/users`), [400]);
    });

    it('tries a request that timed out once more, not twice', async () => {
      const outcomes: string[] = [];
      const slow = makeClient(sim.url, {
        quickRetries: 2,
        timeoutMs: 300,
        onExchange: (e) => outcomes.push(`${e.endpoint} ${e.outcome}`),
      });
      await slow.client.listSites();
      outcomes.length = 0;
      await sim.faults({ hangs: { fraction: 1, ms: 1000 } });
      const error = await rejection(slow.client.listSites());
      assert.ok(error instanceof SaltoError && error.kind === 'timeout');
      // A hung request is never answered, so the simulator's log cannot show it: the client's exchanges do.
      assert.deepEqual(outcomes, ['/v1.2/sites timeout', '/v1.2/sites timeout']);
    });

    it('stops waiting at once when the call is cancelled (a pass preempted for a revocation)', async () => {
      const controller = new AbortController();
      const cancellable = makeClient(sim.url, { quickRetries: 2, abortSignal: () => controller.signal });
      await cancellable.client.listSites();
      await sim.clearRequests();
      await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 2 }] });
      const reason = new Error('cancelled by the workflow');
      const started = Date.now();
      const pending = rejection(cancellable.client.listSites());
      setTimeout(() => controller.abort(reason), 200);
      assert.equal(await pending, reason);
      assert.ok(Date.now() - started < 1500, `gave up after ${Date.now() - started} ms, not at the abort`);
      assert.deepEqual(await statusesOf('/v1.2/sites'), [429]);
    });
  });
});
