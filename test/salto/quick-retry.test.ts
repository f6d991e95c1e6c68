// Passing SALTO KS faults tried again within the call (SALTO_KS_QUICK_RETRIES), against the real
// simulator: what reached it, in which order and when; and the policy's rules on their own.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SaltoError, type SaltoErrorKind } from '../../src/salto/errors';
import { QUICK_RETRY_MAX_WAIT_MS, quickRetryDelayMs } from '../../src/salto/quick-retry';
import { makeClient, rejection, type TestClient } from './helpers/client';
import { SITE_A, TestSimulator } from './helpers/simulator';

function fault(kind: SaltoErrorKind, retryable: boolean, retryAfterMs: number | null = null): SaltoError {
  return new SaltoError(
    {
      method: 'GET',
      path: '/v1.2/sites',
      status: 500,
      errorCode: null,
      kind,
      retryable,
      retryAfterMs,
      mayBeEventualConsistency: false,
    },
    'test',
  );
}

describe('quick retry policy', () => {
  it('backs off from about 100 ms, doubling, with jitter between half and one and a half times', () => {
    const server = fault('server_error', true);
    assert.equal(
      quickRetryDelayMs(server, 1, 2, () => 0),
      50,
    );
    assert.equal(
      quickRetryDelayMs(server, 1, 2, () => 0.999),
      150,
    );
    assert.equal(
      quickRetryDelayMs(server, 2, 2, () => 0.5),
      200,
    );
    assert.equal(quickRetryDelayMs(server, 3, 2), null, 'no third retry when two are allowed');
    assert.equal(quickRetryDelayMs(server, 1, 0), null, 'none when none are allowed');
  });

  it('waits what a short Retry-After asks, and leaves a longer one to the activity retry', () => {
    assert.equal(quickRetryDelayMs(fault('rate_limited', true, 1000), 1, 2), 1000);
    assert.equal(
      quickRetryDelayMs(fault('rate_limited', true, QUICK_RETRY_MAX_WAIT_MS), 1, 2),
      QUICK_RETRY_MAX_WAIT_MS,
    );
    assert.equal(quickRetryDelayMs(fault('rate_limited', true, QUICK_RETRY_MAX_WAIT_MS + 1), 1, 2), null);
  });

  it('tries a request that got no answer once more at most, and never one SALTO KS refused for itself', () => {
    assert.notEqual(quickRetryDelayMs(fault('timeout', true), 1, 2), null);
    assert.equal(quickRetryDelayMs(fault('timeout', true), 2, 2), null);
    assert.notEqual(quickRetryDelayMs(fault('network_error', true), 2, 2), null);
    for (const kind of ['validation_failed', 'not_found', 'not_allowed', 'reconnect_required'] as const)
      assert.equal(quickRetryDelayMs(fault(kind, kind === 'not_allowed'), 1, 2), null, kind);
    assert.equal(quickRetryDelayMs(fault('server_error', false), 1, 2), null, 'classified final');
  });
});

describe('SALTO KS client with quick retries, against the simulator', () => {
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
    await t.client.changeAccessGroupMembers(SITE_A, 'ag-a-office', { addIds: [user.user.id], removeIds: [] });
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
