// Rule 7 (a set-up change reaches every affected person with no Deskworks event) through the
// real visibility fan-out, and reconciliation repairing drift made by hand in SALTO KS — both
// on the dev server, the only one with list-by-query visibility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { billing, memberCreated, memberSnapshot } from '../../src/demo/event-builders';
import { changeSaltoByHand } from '../helpers/salto-by-hand';
import { startStack, type Stack } from '../helpers/stack';
import type { reconcileAllSitesWorkflow, ReconcileResult } from '../../src/workflows/reconcile';
import {
  BERLIN,
  emailOf,
  GROUPS,
  mapTestSetup,
  PRODUCT_DESK,
  uniqueId,
  waitForSaltoGroups,
} from './e2e-support';

describe('set-up changes and reconciliation (dev server)', { timeout: 120_000 }, () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  it('moves existing members to a product’s new groups with no Deskworks event (rule 7)', async () => {
    const ids = [uniqueId('fan'), uniqueId('fan')];
    for (const id of ids) {
      const member = memberSnapshot({
        id,
        centerId: BERLIN.centerId,
        firstName: 'Fan',
        lastName: 'Out',
        email: emailOf(id),
        recurringBillings: [
          billing({
            id: `b-${id}`,
            productId: PRODUCT_DESK,
            centerId: BERLIN.centerId,
            startDate: '2020-01-01',
          }),
        ],
      });
      assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    }
    for (const id of ids) await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
    // Visibility is eventually consistent: wait until the list query sees both people.
    await stack.eventually(
      async () => {
        const listed = await stack.api('GET', `/api/people?center=${BERLIN.centerId}&pageSize=100`);
        const items = (listed.body as { items: { personId: string }[] }).items.map((i) => i.personId);
        return ids.every((id) => items.includes(id)) ? true : undefined;
      },
      20_000,
      'people visible',
    );

    const changed = await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
      accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-meeting-room-spree'],
    });
    assert.equal(changed.status, 200);
    for (const id of ids) {
      await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), [
        'ag-berlin-main-entrance',
        'ag-berlin-meeting-room-spree',
      ]);
    }
    await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
      accessGroupIds: GROUPS.deskBerlin,
    });
    for (const id of ids) await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
  });

  it('repairs drift made by hand: a removed group comes back, an added one goes', async () => {
    const id = uniqueId('drift');
    const member = memberSnapshot({
      id,
      centerId: BERLIN.centerId,
      firstName: 'Dri',
      lastName: 'Ft',
      email: emailOf(id),
      recurringBillings: [
        billing({
          id: `b-${id}`,
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: '2020-01-01',
        }),
      ],
    });
    assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    const user = await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
    const groupsPath = `/v1.2/sites/${BERLIN.siteId}/access_groups`;
    await changeSaltoByHand(
      stack.sim.url,
      'DELETE',
      `${groupsPath}/ag-berlin-main-entrance/users/${user.userId}`,
    );
    await changeSaltoByHand(stack.sim.url, 'POST', `${groupsPath}/ag-berlin-private-offices/users`, {
      user_id: user.userId,
    });
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), [
      'ag-berlin-coworking-floor',
      'ag-berlin-private-offices',
    ]);

    // What the Temporal Schedule runs every RECONCILE_INTERVAL_MINUTES, run now.
    const result: ReconcileResult = await stack.client.workflow.execute<typeof reconcileAllSitesWorkflow>(
      'reconcileAllSitesWorkflow',
      {
        workflowId: uniqueId('reconcile'),
        taskQueue: stack.taskQueue,
      },
    );
    assert.ok(result.peopleTold >= 1);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
  });
});
