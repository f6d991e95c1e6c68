// What the webhook promises Deskworks, end to end: a bad signature or an invalid body changes
// nothing anywhere; an event delivered twice acts once in SALTO KS; while Temporal is down the
// API answers 503 with Retry-After, and the same event is accepted and applied once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { signDeskworksPayload } from '../../src/api/signature';
import { billing, memberCreated, memberSnapshot } from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import type { LoggedRequest } from '../../src/simulator';
import { startStack, WEBHOOK_SECRET, type Stack } from '../helpers/stack';
import {
  BERLIN,
  clearSaltoRequests,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  saltoRequests,
  saltoState,
  saltoUserCount,
  saltoUsersByEmail,
  uniqueId,
  waitForSaltoGroups,
  waitUntilPersonIdle,
  writesAmong,
} from './e2e-support';
import { startOutageHarness, type OutageHarness } from './outage-harness';

function deskMember(id = uniqueId('m')) {
  return memberSnapshot({
    id,
    centerId: BERLIN.centerId,
    firstName: 'Dup',
    lastName: 'Licate',
    email: emailOf(id),
    recurringBillings: [
      billing({
        id: `b-${id}`,
        productId: PRODUCT_DESK,
        centerId: BERLIN.centerId,
        startDate: localDay(BERLIN.timeZone),
      }),
    ],
  });
}

function userCreations(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.method === 'POST' && r.path === `/v1.2/sites/${BERLIN.siteId}/users`);
}

describe('webhook guarantees on the whole product', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
  });

  after(async () => {
    await stack?.stop();
  });

  /** POSTs exactly these bytes with this signature header (or none). */
  async function postRaw(body: string, signature: string | null): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${stack.apiUrl}/webhooks/deskworks`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(signature ? { 'Deskworks-Signature': signature } : {}),
      },
      body,
    });
    return { status: res.status, body: await res.json() };
  }

  async function assertNoWorkflowFor(personId: string): Promise<void> {
    await assert.rejects(
      stack.client.workflow.getHandle(personWorkflowId(personId)).describe(),
      WorkflowNotFoundError,
      `no workflow may exist for ${personId}`,
    );
    assert.equal((await stack.api('GET', `/api/people/${personId}/access`)).status, 404);
  }

  it('a missing, wrong, stale or mismatched signature is a 401 and changes nothing', async () => {
    const saltoBefore = await saltoState(stack);
    await clearSaltoRequests(stack);
    const member = deskMember();
    const event = memberCreated(member);
    const raw = JSON.stringify(event);
    const nowSeconds = Math.floor(Date.now() / 1000);

    const attempts: [string, Promise<{ status: number; body: unknown }>][] = [
      ['no header', postRaw(raw, null)],
      ['another secret', stack.sendEvent(event, { secret: 'not-the-webhook-secret-0123456789' })],
      ['older than 300 s', stack.sendEvent(event, { tSeconds: nowSeconds - 301 })],
      [
        'signed for other bytes',
        postRaw(
          raw.replace(member.email, 'mallory@e2e.example'),
          signDeskworksPayload(raw, WEBHOOK_SECRET, nowSeconds),
        ),
      ],
    ];
    for (const [why, attempt] of attempts) {
      const answer = await attempt;
      assert.equal(answer.status, 401, why);
      assert.deepEqual(answer.body, { error: 'invalid_signature' }, why);
    }

    await assertNoWorkflowFor(member.id);
    assert.deepEqual(await saltoState(stack), saltoBefore, 'SALTO KS is unchanged');
    assert.deepEqual(await saltoRequests(stack), [], 'not one request reached SALTO KS');
  });

  it('an invalid body with a valid signature is a 400 naming the field, and changes nothing', async () => {
    const saltoBefore = await saltoState(stack);
    await clearSaltoRequests(stack);
    const member = deskMember();
    const badEmail = { ...memberCreated(member), data: { ...member, email: 'not-an-email' } };
    const unknownType = { ...memberCreated(member), type: 'member.teleported' };
    // An id no Temporal workflow id can carry (a lone surrogate): a 400, never a 503 retried forever.
    const loneSurrogateId = { ...memberCreated(member), data: { ...member, id: '\ud800' } };
    const tooLongId = { ...memberCreated(member), data: { ...member, id: 'm'.repeat(201) } };

    const cases: [unknown, string][] = [
      [badEmail, 'data.email'],
      [unknownType, 'type'],
      [loneSurrogateId, 'data.id'],
      [tooLongId, 'data.id'],
    ];
    for (const [event, path] of cases) {
      const answer = await stack.sendEvent(event);
      assert.equal(answer.status, 400, path);
      const body = answer.body as { error: string; issues: { path: string }[] };
      assert.equal(body.error, 'invalid_event');
      assert.ok(
        body.issues.some((i) => i.path === path),
        `issues name ${path}: ${JSON.stringify(body.issues)}`,
      );
    }
    const notJson = '{"id": "evt_1", "type": "member.created",';
    const answer = await postRaw(
      notJson,
      signDeskworksPayload(notJson, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
    );
    assert.equal(answer.status, 400, 'not JSON');

    await assertNoWorkflowFor(member.id);
    assert.deepEqual(await saltoState(stack), saltoBefore, 'SALTO KS is unchanged');
    assert.deepEqual(await saltoRequests(stack), [], 'not one request reached SALTO KS');
  });

  it('a snapshot with one impossible billing is accepted: that billing grants nothing, the rest applies (item 8)', async () => {
    const member = deskMember();
    const impossible = billing({
      id: `b-bad-${member.id}`,
      productId: PRODUCT_DESK,
      centerId: BERLIN.centerId,
      startDate: '2099-05-02',
      endDate: '2099-05-01',
    });
    const event = memberCreated({ ...member, recurringBillings: [...member.recurringBillings, impossible] });
    assert.equal((await stack.sendEvent(event)).status, 202);
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
    await waitUntilPersonIdle(stack, member.id, 1);
    const view = await stack.client.workflow
      .getHandle(personWorkflowId(member.id))
      .query<{ warnings: string[] }>('access');
    assert.ok(
      view.warnings.some((w) => w.startsWith(`billing b-bad-${member.id}:`)),
      `a warning names the billing: ${JSON.stringify(view.warnings)}`,
    );
  });

  it('the same event delivered again acts once: no second user, no second SALTO KS write', async () => {
    await clearSaltoRequests(stack);
    const member = deskMember();
    const event = memberCreated(member);

    assert.equal((await stack.sendEvent(event)).status, 202);
    const user = await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
    await waitUntilPersonIdle(stack, member.id, 1);
    const firstWrites = writesAmong(await saltoRequests(stack));
    assert.equal(userCreations(firstWrites).length, 1, `one user created: ${JSON.stringify(firstWrites)}`);

    // Deskworks retries: the same id and bytes again.
    await clearSaltoRequests(stack);
    const again = await stack.sendEvent(event);
    assert.ok(again.status === 202 || again.status === 200, `resend answered ${again.status}`);
    await waitUntilPersonIdle(stack, member.id, 2);

    assert.deepEqual(writesAmong(await saltoRequests(stack)), [], 'the resend wrote nothing to SALTO KS');
    const users = await saltoUsersByEmail(stack, BERLIN.siteId, member.email);
    assert.deepEqual(
      users.map((u) => u.userId),
      [user.userId],
    );
  });

  it('the same event delivered twice at once (a retry racing the original) creates one user', async () => {
    await clearSaltoRequests(stack);
    const member = deskMember();
    const event = memberCreated(member);

    const answers = await Promise.all([stack.sendEvent(event), stack.sendEvent(event)]);
    for (const answer of answers)
      assert.ok(answer.status === 202 || answer.status === 200, `answered ${answer.status}`);
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
    await waitUntilPersonIdle(stack, member.id, 2);

    const writes = writesAmong(await saltoRequests(stack));
    assert.equal(userCreations(writes).length, 1, `one user created: ${JSON.stringify(writes)}`);
    const groupWrites = writes.filter((r) => r.path.includes('/access_groups/'));
    assert.ok(
      groupWrites.length > 0 && groupWrites.length <= GROUPS.deskBerlin.length,
      JSON.stringify(groupWrites),
    );
    assert.equal((await saltoUsersByEmail(stack, BERLIN.siteId, member.email)).length, 1);
  });
});

describe('while Temporal is down', () => {
  let harness: OutageHarness;

  before(async () => {
    harness = await startOutageHarness();
  });

  after(async () => {
    await harness?.stop();
  });

  it('answers 503 with Retry-After (and /healthz 503), then 202 once Temporal is back; the retried event reaches SALTO KS', async () => {
    const member = deskMember();
    const event = memberCreated(member);

    // Both wait out their deadline against the dead address, so they run side by side.
    const [refused, health] = await Promise.all([harness.sendEvent(event), harness.get('/healthz')]);
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, { error: 'unavailable' });
    assert.ok(Number(refused.headers.get('Retry-After')) > 0, 'Retry-After tells Deskworks when to retry');
    assert.equal(health.status, 503);
    assert.equal(await saltoUserCount(harness), 0, 'nothing reached SALTO KS');

    await harness.startTemporal();
    await harness.eventually(
      async () => ((await harness.get('/healthz')).status === 200 ? true : undefined),
      30_000,
      '/healthz to answer 200',
    );
    await mapTestSetup(harness);

    // Deskworks retries the event it got a 503 for: the same id, now accepted and applied.
    const accepted = await harness.eventually(
      async () => {
        const answer = await harness.sendEvent(event);
        return answer.status === 202 ? answer : undefined;
      },
      30_000,
      'the webhook to accept the event',
    );
    assert.deepEqual(accepted.body, { accepted: true, eventId: event.id });
    const user = await waitForSaltoGroups(harness, BERLIN.siteId, member.email, GROUPS.deskBerlin);
    assert.equal(user.alias, `deskworks:${member.id}`);
  });
});
