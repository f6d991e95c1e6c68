// Ids that name a property every JavaScript object inherits ("constructor", "__proto__", …) are
// refused with a 400 naming the field, at the webhook and in the set-up: before, a set-up change
// for center "constructor" made the set-up workflow fail every task from then on, and with it
// every later change (found by `npm run fuzz`). The whole product: dev server, worker, API,
// simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { billing, memberCreated, memberSnapshot } from '../../src/demo/event-builders';
import { SETUP_WORKFLOW_ID } from '../../src/shared/ids';
import { BERLIN, GROUPS, localDay, mapTestSetup, PRODUCT_DESK } from '../e2e/e2e-support';
import { startStack, type Stack } from '../helpers/stack';

interface Refusal {
  error: string;
  issues?: { path: string; message: string }[];
}

const fieldsOf = (body: unknown): string[] => ((body as Refusal).issues ?? []).map((i) => i.path);

void describe('ids named after what every object inherits', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  void it('are refused in set-up changes, naming the field, and the set-up keeps working', async () => {
    for (const centerId of ['constructor', '__proto__', 'toString']) {
      const answer = await stack.api('PUT', `/api/setup/centers/${centerId}`, {
        saltoSiteId: BERLIN.siteId,
        name: 'Odd',
        timeZone: BERLIN.timeZone,
      });
      assert.equal(answer.status, 400, `${centerId}: ${JSON.stringify(answer.body)}`);
      assert.ok(fieldsOf(answer.body).includes('centerId'), JSON.stringify(answer.body));
    }
    await mapTestSetup(stack);
    const answer = await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/hasOwnProperty`, {
      accessGroupIds: GROUPS.deskBerlin,
    });
    assert.equal(answer.status, 400);
    assert.ok(fieldsOf(answer.body).includes('productId'), JSON.stringify(answer.body));
    // Still answering changes, and no task of the set-up workflow ever failed.
    const policy = await stack.api('PATCH', '/api/setup/policy', { reservationLeadMinutes: 20 });
    assert.equal(policy.status, 200);
    const history = await stack.client.workflow.getHandle(SETUP_WORKFLOW_ID).fetchHistory();
    assert.equal((history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length, 0);
  });

  void it('are refused in webhook events, naming the path', async () => {
    const member = memberSnapshot({
      id: 'constructor',
      centerId: BERLIN.centerId,
      firstName: 'Con',
      lastName: 'Structor',
      email: 'con@example.com',
      recurringBillings: [
        billing({
          id: '__proto__',
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone),
        }),
      ],
    });
    const answer = await stack.sendEvent(memberCreated(member));
    assert.equal(answer.status, 400);
    assert.deepEqual(fieldsOf(answer.body).sort(), ['data.id', 'data.recurringBillings.0.id']);
  });
});
