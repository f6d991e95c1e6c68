// The simulator enforces what SALTO KS enforces, keeps its state across a restart, and
// `npm run simulator` starts and stops cleanly. Raw HTTP here, so the client cannot hide anything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEMO_SEED, DEMO_SITE_BERLIN_ID } from '../../src/simulator/demo-seed';
import { activityRunner } from './helpers/activities';
import { makeClient, sleep } from './helpers/client';
import {
  baseSeed,
  SITE_A,
  SITE_B,
  TestSimulator,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_PASSWORD,
  TEST_USERNAME,
} from './helpers/simulator';

const basic = `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString('base64')}`;

async function passwordToken(url: string, scope = 'user_api.full_access'): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { Authorization: basic },
    body: new URLSearchParams({
      grant_type: 'password',
      username: TEST_USERNAME,
      password: TEST_PASSWORD,
      scope,
    }),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

async function api(url: string, token: string | null, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null,
  };
}

describe('SALTO KS simulator', () => {
  let sim: TestSimulator;
  let token: string;
  before(async () => {
    sim = await TestSimulator.start();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await sim.reset();
    token = String((await passwordToken(sim.url)).access_token);
  });

  /** The id of site A's `site_user` role, which a new user needs. */
  const siteUserRoleId = async (): Promise<string | undefined> => {
    const roles = await api(
      sim.url,
      token,
      'GET',
      `/v1.2/sites/${SITE_A}/roles?$filter=${encodeURIComponent("code eq 'site_user'")}`,
    );
    return (roles.json?.items as { id: string }[])[0]?.id;
  };

  describe('identity server', () => {
    it('issues a JWT-shaped bearer token, and a refresh token only with offline_access', async () => {
      const plain = await passwordToken(sim.url);
      assert.match(String(plain.access_token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.deepEqual(
        [plain.expires_in, plain.token_type, plain.refresh_token],
        [3600, 'Bearer', undefined],
      );
      const offline = await passwordToken(sim.url, 'user_api.full_access offline_access');
      assert.equal(typeof offline.refresh_token, 'string');
    });

    it('refuses unknown clients (401 invalid_client), bad scopes and unknown grants (400)', async () => {
      const post = (headers: Record<string, string>, form: Record<string, string>) =>
        fetch(`${sim.url}/connect/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
      const noClient = await post(
        {},
        { grant_type: 'password', username: TEST_USERNAME, password: TEST_PASSWORD },
      );
      assert.equal(noClient.status, 401);
      assert.deepEqual(await noClient.json(), { error: 'invalid_client' });
      const scope = await post(
        { Authorization: basic },
        { grant_type: 'password', username: TEST_USERNAME, password: TEST_PASSWORD, scope: 'admin' },
      );
      assert.deepEqual(
        [scope.status, ((await scope.json()) as { error: string }).error],
        [400, 'invalid_scope'],
      );
      const grant = await post({ Authorization: basic }, { grant_type: 'client_credentials' });
      assert.deepEqual(
        [grant.status, ((await grant.json()) as { error: string }).error],
        [400, 'unsupported_grant_type'],
      );
    });

    it('shows the sign-in form only for a PKCE S256 request', async () => {
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: TEST_CLIENT_ID,
        redirect_uri: 'http://localhost:3000/api/salto/callback',
        scope: 'user_api.full_access offline_access',
        state: 'st',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      const page = await fetch(`${sim.url}/connect/authorize?${params.toString()}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /name="password"/);
      params.set('code_challenge_method', 'plain');
      const plain = await fetch(`${sim.url}/connect/authorize?${params.toString()}`);
      assert.equal(plain.status, 400);
      assert.match(await plain.text(), /S256/);
    });

    it('lets bearer tokens expire (401 1500)', async () => {
      await sim.reset(baseSeed({ tokenTtlSeconds: 1 }));
      const shortLived = String((await passwordToken(sim.url)).access_token);
      assert.equal((await api(sim.url, shortLived, 'GET', '/v1.2/sites')).status, 200);
      await sleep(1100);
      const expired = await api(sim.url, shortLived, 'GET', '/v1.2/sites');
      assert.equal(expired.status, 401);
      assert.equal(expired.json?.ErrorCode, '1500');
      assert.equal((await api(sim.url, null, 'GET', '/v1.2/sites')).status, 401);
    });
  });

  describe('Connect API rules', () => {
    it('pages at 100 with an absolute next_page_link, counts with $inlinecount=allpages', async () => {
      const seed = baseSeed();
      seed.sites![0]!.access_groups = Array.from({ length: 130 }, (_, i) => ({ id: `g${i}`, name: `G${i}` }));
      await sim.reset(seed);
      token = String((await passwordToken(sim.url)).access_token);
      const first = await api(
        sim.url,
        token,
        'GET',
        `/v1.2/sites/${SITE_A}/access_groups?$top=500&$inlinecount=allpages`,
      );
      assert.equal(first.status, 200);
      assert.equal((first.json?.items as unknown[]).length, 100, '$top is capped at 100');
      assert.equal(first.json?.count, 130);
      const next = new URL(String(first.json?.next_page_link));
      assert.equal(next.origin, new URL(sim.url).origin, 'absolute, on the origin the client used');
      const second = await api(sim.url, token, 'GET', next.pathname + next.search);
      assert.equal((second.json?.items as unknown[]).length, 30);
      assert.equal(second.json?.next_page_link, null);
      const uncounted = await api(sim.url, token, 'GET', `/v1.2/sites/${SITE_A}/access_groups`);
      assert.equal(uncounted.json?.count, null);
    });

    it("filters by user/email with '' escapes, and answers 1102 to a bad filter", async () => {
      const seed = baseSeed();
      seed.sites![0]!.users = [{ email: "o'hara@example.com" }, { email: 'other@example.com' }];
      await sim.reset(seed);
      token = String((await passwordToken(sim.url)).access_token);
      const users = `/v1.2/sites/${SITE_A}/users`;
      const filter = (f: string) => `${users}?$filter=${encodeURIComponent(f)}`;
      const found = await api(sim.url, token, 'GET', filter("user/email eq 'O''Hara@example.com'"));
      assert.deepEqual(
        (found.json?.items as { user: { email: string } }[]).map((u) => u.user.email),
        ["o'hara@example.com"],
      );
      for (const bad of ["user/email eq 'o'hara@example.com'", 'user/email contains x', "user/shoe eq 'x'"]) {
        const answer = await api(sim.url, token, 'GET', filter(bad));
        assert.deepEqual([answer.status, answer.json?.ErrorCode], [400, '1102'], bad);
      }
    });

    it('answers 400 1100 to a site_uid in the path and 404 2202 to unknown ids', async () => {
      const byUid = await api(sim.url, token, 'GET', '/v1.2/sites/DE4520168385/users');
      assert.deepEqual([byUid.status, byUid.json?.ErrorCode], [400, '1100']);
      const unknownSite = await api(
        sim.url,
        token,
        'GET',
        '/v1.2/sites/00000000-0000-4000-8000-000000000000',
      );
      assert.deepEqual([unknownSite.status, unknownSite.json?.ErrorCode], [404, '2202']);
      const unknownGroup = await api(sim.url, token, 'GET', `/v1.2/sites/${SITE_A}/access_groups/nope/users`);
      assert.deepEqual([unknownGroup.status, unknownGroup.json?.ErrorCode], [404, '2202']);
      const notJson = await api(sim.url, token, 'POST', `/v1.2/sites/${SITE_A}/users`, '{not json');
      assert.deepEqual([notJson.status, notJson.json?.ErrorCode], [400, '1100']);
    });

    it('refuses a duplicate e-mail whatever its case, and a site-user id on a group endpoint', async () => {
      const roleId = await siteUserRoleId();
      const create = (email: string) =>
        api(sim.url, token, 'POST', `/v1.2/sites/${SITE_A}/users`, {
          first_name: 'A',
          last_name: 'B',
          email,
          role_ids: [roleId],
        });
      const created = await create('Case@Example.com');
      assert.equal(created.status, 201);
      const duplicate = await create('case@example.COM');
      assert.deepEqual(duplicate.json, {
        ErrorCode: '1101',
        Message: 'Validation failed: This email address is already in use.',
      });
      const siteUserId = String(created.json?.id);
      const groupAdd = await api(
        sim.url,
        token,
        'POST',
        `/v1.2/sites/${SITE_A}/access_groups/ag-a-floor/users`,
        { user_id: siteUserId },
      );
      assert.deepEqual([groupAdd.status, groupAdd.json?.ErrorCode], [404, '2202']);
      const notMember = await api(
        sim.url,
        token,
        'DELETE',
        `/v1.2/sites/${SITE_A}/access_groups/ag-a-floor/users/${String((created.json?.user as { id: string }).id)}`,
      );
      assert.deepEqual([notMember.status, notMember.json?.ErrorCode], [404, '2202']);
    });

    it('keeps its lookups in step with its state through deletes, group changes and resets', async () => {
      const seed = baseSeed();
      seed.sites![0]!.users = [{ email: 'seeded@example.com', groups: ['ag-a-floor'] }];
      await sim.reset(seed);
      token = String((await passwordToken(sim.url)).access_token);
      const roleId = await siteUserRoleId();
      const users = `/v1.2/sites/${SITE_A}/users`;
      const create = (email: string) =>
        api(sim.url, token, 'POST', users, { first_name: 'A', last_name: 'B', email, role_ids: [roleId] });
      const groupsOfA = async () =>
        Object.fromEntries(
          (await sim.state()).sites
            .find((s) => s.id === SITE_A)!
            .access_groups.map((g) => [g.id, [...g.members].sort()]),
        );
      const seeded = (await sim.state()).sites.find((s) => s.id === SITE_A)!.users[0]!;
      assert.equal((await create('SEEDED@example.com')).json?.ErrorCode, '1101', 'a seeded e-mail is taken');

      const created = await create('new@example.com');
      assert.equal(created.status, 201);
      const newPlatformId = String((created.json?.user as { id: string }).id);
      const office = `/v1.2/sites/${SITE_A}/access_groups/ag-a-office/users`;
      assert.equal((await api(sim.url, token, 'POST', office, { user_id: newPlatformId })).status, 200);
      assert.equal((await api(sim.url, token, 'POST', office, { user_id: newPlatformId })).status, 200);
      const bulk = await api(
        sim.url,
        token,
        'PATCH',
        `/v1.1/sites/${SITE_A}/access_groups/ag-a-office/users`,
        {
          add_ids: [seeded.userId],
          remove_ids: [newPlatformId, 'not-a-member'],
        },
      );
      assert.equal(bulk.status, 204);
      assert.deepEqual(await groupsOfA(), {
        'ag-a-entrance': [],
        'ag-a-floor': [seeded.userId],
        'ag-a-office': [seeded.userId],
      });

      assert.equal((await api(sim.url, token, 'DELETE', `${users}/${seeded.id}`)).status, 202);
      assert.equal((await api(sim.url, token, 'GET', `${users}/${seeded.id}`)).status, 404);
      const byEmail = async (email: string) =>
        (
          (
            await api(
              sim.url,
              token,
              'GET',
              `${users}?$filter=${encodeURIComponent(`user/email eq '${email}'`)}`,
            )
          ).json?.items as { id: string }[]
        ).map((u) => u.id);
      assert.deepEqual(await byEmail('seeded@example.com'), [], 'a deleted user is not found by e-mail');
      assert.deepEqual(await groupsOfA(), { 'ag-a-entrance': [], 'ag-a-floor': [], 'ag-a-office': [] });
      const groupAdd = await api(sim.url, token, 'POST', office, { user_id: seeded.userId });
      assert.equal(groupAdd.status, 404, 'a deleted user is no group candidate');
      const again = await create('Seeded@Example.com');
      assert.equal(again.status, 201, "a deleted user's e-mail is free again");
      assert.equal((await api(sim.url, token, 'GET', `${users}/${String(again.json?.id)}`)).status, 200);
      assert.deepEqual(await byEmail('SEEDED@example.com'), [String(again.json?.id)]);

      // One platform user per e-mail across the account: the same e-mail on site B gets the same one.
      const siteBRoles = await api(sim.url, token, 'GET', `/v1.2/sites/${SITE_B}/roles`);
      const siteBRole = (siteBRoles.json?.items as { id: string; code: string }[]).find(
        (r) => r.code === 'site_user',
      )!.id;
      const onB = await api(sim.url, token, 'POST', `/v1.2/sites/${SITE_B}/users`, {
        first_name: 'A',
        last_name: 'B',
        email: 'NEW@example.com',
        role_ids: [siteBRole],
      });
      assert.equal((onB.json?.user as { id: string }).id, newPlatformId);

      await sim.reset();
      token = String((await passwordToken(sim.url)).access_token);
      const roleAfterReset = await siteUserRoleId();
      const afterReset = await api(sim.url, token, 'POST', users, {
        first_name: 'A',
        last_name: 'B',
        email: 'new@example.com',
        role_ids: [roleAfterReset],
      });
      assert.equal(afterReset.status, 201, 'a reset forgets the users it replaced');
      assert.notEqual((afterReset.json?.user as { id: string }).id, newPlatformId);
    });

    it('injects faults by count and by fraction, with Retry-After on 429', async () => {
      await sim.faults({ errors: [{ status: 429, count: 2, retryAfterSeconds: 3 }] });
      const limited = await fetch(`${sim.url}/v1.2/sites`, { headers: { Authorization: `Bearer ${token}` } });
      assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '3']);
      assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 429);
      assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 200, 'the count is used up');
      await sim.faults({ errors: [{ status: 500, fraction: 1 }] });
      assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 500);
      assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 500);
      await sim.faults({});
      assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 200);
    });

    it('answers after a random latency within the range given', async () => {
      await sim.faults({ latencyMs: 100, latencyMaxMs: 300 });
      const took: number[] = [];
      for (let i = 0; i < 8; i++) {
        const t0 = performance.now();
        assert.equal((await api(sim.url, token, 'GET', '/v1.2/sites')).status, 200);
        took.push(performance.now() - t0);
      }
      assert.ok(Math.min(...took) >= 95, `never under 100 ms: ${took.map(Math.round).join(', ')}`);
      // Most answers within the range (a little over its 300 ms top for the round trip); one or two
      // may wait for a core on a busy machine, never seconds.
      assert.ok(
        took.filter((t) => t < 400).length >= 6,
        `within the range, give or take the machine: ${took.map(Math.round).join(', ')}`,
      );
      assert.ok(Math.max(...took) < 2000, `no answer seconds late: ${took.map(Math.round).join(', ')}`);
      assert.ok(new Set(took.map((t) => Math.round(t / 20))).size > 1, 'not always the same');
      await sim.faults({});
    });

    it('hangs a request: carried out, its answer held back, then the connection dropped', async () => {
      const roleId = await siteUserRoleId();
      await sim.faults({ hangs: { fraction: 1, ms: 300 } });
      const t0 = performance.now();
      await assert.rejects(
        api(sim.url, token, 'POST', `/v1.2/sites/${SITE_A}/users`, {
          first_name: 'Han',
          last_name: 'Ging',
          email: 'hanging@example.com',
          role_ids: [roleId],
        }),
        'no answer: the connection is dropped',
      );
      assert.ok(performance.now() - t0 >= 290, 'held back for the time given');
      await sim.faults({});
      const users = (await sim.state()).sites.find((s) => s.id === SITE_A)!.users;
      assert.deepEqual(
        users.map((u) => u.email),
        ['hanging@example.com'],
        'the request was carried out',
      );
    });
  });

  describe('/__sim controls', () => {
    it('resets to the start seed without a body and to an empty account with {}', async () => {
      await sim.reset(baseSeed({ sites: [] }));
      const back = await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
      assert.equal(((await back.json()) as { sites: unknown[] }).sites.length, 2);
      const empty = await fetch(`${sim.url}/__sim/reset`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.deepEqual(await empty.json(), { sites: [] });
      const bad = await fetch(`${sim.url}/__sim/reset`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sites: [{ users: [{ email: 'a@b.c', groups: ['missing'] }] }] }),
      });
      assert.equal(bad.status, 400);
    });

    it('logs requests with method, path and status, and forgets them on DELETE', async () => {
      await sim.clearRequests();
      await api(sim.url, token, 'GET', `/v1.2/sites/${SITE_A}?x=1`);
      await api(sim.url, null, 'GET', '/v1.2/sites');
      const log = await sim.requests();
      assert.deepEqual(
        log.map((r) => [r.method, r.path, r.query, r.status]),
        [
          ['GET', `/v1.2/sites/${SITE_A}`, 'x=1', 200],
          ['GET', '/v1.2/sites', '', 401],
        ],
      );
      assert.deepEqual(await sim.requestCount(), { served: 2, kept: 2 });
      await sim.clearRequests();
      assert.deepEqual(await sim.requests(), []);
      assert.deepEqual(await sim.requestCount(), { served: 0, kept: 0 });
    });
  });
});

describe('SALTO KS simulator state file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salto-sim-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: users, memberships and issued tokens', async () => {
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await TestSimulator.start({ stateFile });
    const t = makeClient(first.url);
    const runner = activityRunner(t.client);
    const user = await runner.run('ensureSaltoUser', {
      siteId: SITE_A,
      personId: 'p-1',
      profile: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    });
    await runner.run('applySaltoGroupDiff', {
      siteId: SITE_A,
      siteUserId: user.siteUserId,
      platformUserId: user.platformUserId,
      add: ['ag-a-floor'],
      remove: [],
    });
    const before = await first.state();
    await first.close();

    // A different seed is ignored: the file wins.
    const second = await TestSimulator.start({ stateFile, seed: { sites: [] } });
    try {
      assert.deepEqual(await second.state(), before);
      assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(join(dir, 'nested')), ['state.json'], 'no temporary file left behind');
      // The client's token from before the restart still works (it is on another port now: same tokens).
      const sameTokens = makeClient(second.url, { store: t.store });
      assert.equal((await sameTokens.client.listSites()).length, 2);
      assert.equal((await second.tokenRequests()).length, 0);
    } finally {
      await second.close();
    }
  });

  it('`npm run simulator` serves the demo account, keeps it in the state file and stops on SIGTERM', async () => {
    const port = await freePort();
    const stateFile = join(dir, 'demo-state.json');
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'src', 'simulator-main.js')], {
      env: { ...process.env, SALTO_SIMULATOR_PORT: String(port), SALTO_SIMULATOR_STATE_FILE: stateFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      for (let i = 0; i < 100 && !output.includes('listening on'); i++) await sleep(50);
      assert.match(output, new RegExp(`listening on http://localhost:${port}`));
      const demo = DEMO_SEED;
      const response = await fetch(`http://127.0.0.1:${port}/connect/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${Object.keys(demo.clients)[0]}:${Object.values(demo.clients)[0]}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'password',
          username: Object.keys(demo.systemUsers)[0]!,
          password: Object.values(demo.systemUsers)[0]!,
          scope: 'user_api.full_access',
        }),
      });
      const { access_token } = (await response.json()) as { access_token: string };
      const sites = await api(`http://127.0.0.1:${port}`, access_token, 'GET', '/v1.2/sites');
      assert.deepEqual(
        (sites.json as unknown as { customer_reference: string }[]).map((s) => s.customer_reference),
        ['Berlin Mitte', 'Brooklyn Navy Yard'],
      );
      const groups = await api(
        `http://127.0.0.1:${port}`,
        access_token,
        'GET',
        `/v1.2/sites/${DEMO_SITE_BERLIN_ID}/access_groups`,
      );
      assert.ok((groups.json?.items as { id: string }[]).some((g) => g.id === 'ag-berlin-main-entrance'));
      assert.ok(existsSync(stateFile));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
