// Rule 7 (a set-up change reaches every affected person with no Deskworks event) through the
// real visibility fan-out, and reconciliation repairing drift made by hand in SALTO KS — both
// on the dev server, the only one with list-by-query visibility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { billing, billingChanged, memberCreated } from '../../src/demo/event-builders';
import { scheduledActivityTypes, workflowTaskOpen } from '../helpers/history-events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CATCH_UP_DELAY_MS } from '../../src/core/setup-fan-out';
import { personFactsQuery } from '../../src/workflows/messages';
import { changeSaltoByHand } from '../helpers/salto-by-hand';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import { startStack, type Stack } from '../helpers/stack';
import { personWorkflowId } from '../../src/shared/ids';
import type { reconcileAllSitesWorkflow, ReconcileResult } from '../../src/workflows/reconcile';
import {
  BERLIN,
  berlinDeskMember,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  syncedBerlinMember,
  uniqueId,
  waitForSaltoGroups,
} from './e2e-support';

describe('set-up changes and reconciliation (dev server)', { timeout: 180_000 }, () => {
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
      assert.equal((await stack.sendEvent(memberCreated(berlinDeskMember(id, 'Fan', 'Out')))).status, 202);
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

  it('a pass that changes no door and no center reads no set-up once its set-up was found current; a change at its center still reaches it (rule 7)', async () => {
    const member = await syncedBerlinMember(stack, uniqueId('quiet'), 'Quiet', 'Pass');
    const handle = stack.client.workflow.getHandle(personWorkflowId(member.id));
    // A confirmation counts once visibility has had time to list the centers the person published
    // (CATCH_UP_DELAY_MS); by then the catch-up fan-outs of the case before have reached it too.
    await sleep(CATCH_UP_DELAY_MS + 5_000);
    /** The activities the person scheduled, once it holds the plan `billingId` (if any) and is quiet. */
    const activitiesOnceQuiet = (billingId?: string): Promise<string[]> =>
      stack.eventually(
        async () => {
          if (billingId !== undefined && !(await handle.query(personFactsQuery)).billings[billingId])
            return undefined;
          const h = await handle.fetchHistory();
          const d = await handle.describe();
          const busy =
            (d.raw.pendingActivities?.length ?? 0) > 0 ||
            Boolean(d.raw.pendingWorkflowTask) ||
            workflowTaskOpen(h.events ?? []);
          return busy ? undefined : scheduledActivityTypes(h);
        },
        20_000,
        'the person quiet',
      );
    /** A desk plan at Berlin that starts in `days`: no door changes now, no new center. */
    const laterPlan = async (id: string, days: number): Promise<string[]> => {
      const plan = billing({
        id,
        productId: PRODUCT_DESK,
        centerId: BERLIN.centerId,
        startDate: localDay(BERLIN.timeZone, days),
      });
      assert.equal((await stack.sendEvent(billingChanged(member.id, 'billing.created', plan))).status, 202);
      return activitiesOnceQuiet(id);
    };
    const atStart = (await activitiesOnceQuiet()).length;
    // The first may read the set-up after it: unless a pass since the wait found it current (the
    // catch-up fan-out of the case before can bring one), nothing did with Berlin listed.
    const afterFirst = await laterPlan(`b-${member.id}-2`, 30);
    assert.ok(
      ['[]', '["loadSetup"]'].includes(JSON.stringify(afterFirst.slice(atStart))),
      `a read at most: ${afterFirst.slice(atStart).join(', ')}`,
    );
    assert.deepEqual(
      (await laterPlan(`b-${member.id}-3`, 40)).slice(afterFirst.length),
      [],
      'found current with Berlin listed: a newer set-up reaches this person by fan-out',
    );

    try {
      const changed = await stack.api(
        'PUT',
        `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`,
        {
          accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-meeting-room-spree'],
        },
      );
      assert.equal(changed.status, 200);
      await waitForSaltoGroups(stack, BERLIN.siteId, member.email, [
        'ag-berlin-main-entrance',
        'ag-berlin-meeting-room-spree',
      ]);
    } finally {
      // As the cases after expect it, whatever happened above.
      await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
        accessGroupIds: GROUPS.deskBerlin,
      });
    }
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
  });

  it('repairs drift made by hand (a removed group comes back, an added one goes), telling only the person it concerns', async () => {
    const [id, inStep] = [uniqueId('drift'), uniqueId('steady')];
    for (const personId of [id, inStep]) {
      assert.equal(
        (await stack.sendEvent(memberCreated(berlinDeskMember(personId, 'Dri', 'Ft')))).status,
        202,
      );
    }
    const user = await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(inStep), GROUPS.deskBerlin);
    // Visibility follows the workflows by a moment: wait until it lists both as holders.
    await stack.eventually(
      async () => {
        const answer = await stack.api(
          'GET',
          `/api/sites/${BERLIN.siteId}/groups/ag-berlin-main-entrance/holders`,
        );
        const holders = (answer.body as { items: { personId: string }[] }).items.map((h) => h.personId);
        return holders.includes(id) && holders.includes(inStep) ? true : undefined;
      },
      20_000,
      'both listed as holders',
    );
    const signals = async (personId: string): Promise<number> => {
      const history = await stack.client.workflow.getHandle(personWorkflowId(personId)).fetchHistory();
      return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    };
    const signalsBefore = { drifted: await signals(id), inStep: await signals(inStep) };
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
    assert.ok(result.usersSeen >= 2);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
    // The reconciliation's signals were all sent before it ended.
    assert.equal(
      await signals(id),
      signalsBefore.drifted + 1,
      'the drifted person is told what SALTO KS shows',
    );
    assert.equal(await signals(inStep), signalsBefore.inStep, 'a person in step is not woken');
  });

  it('answers 503 and changes nothing when SALTO KS cannot be read for a set-up change', async () => {
    const before = (await stack.api('GET', '/api/setup')).body;
    await setSimulatorFaults(stack.sim.url, { errors: [{ status: 503, fraction: 1, method: 'GET' }] });
    let answer: { status: number; body: unknown };
    try {
      answer = await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
        accessGroupIds: ['ag-berlin-main-entrance'],
      });
    } finally {
      await setSimulatorFaults(stack.sim.url, {});
    }
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    const body = answer.body as { error: string; message: string };
    assert.equal(body.error, 'salto_unavailable');
    assert.match(
      body.message,
      /^SALTO KS could not be read, so nothing was changed \(try again in a moment\): .*503/,
    );
    assert.deepEqual((await stack.api('GET', '/api/setup')).body, before);
  });

  it('finishes a reconciliation through a SALTO KS failure longer than an activity’s four attempts', async () => {
    // The first four reads of the sites fail: a SALTO KS call's usual retries would give up.
    await setSimulatorFaults(stack.sim.url, {
      errors: [{ status: 503, count: 4, method: 'GET', pathPrefix: '/v1.2/sites' }],
    });
    try {
      const result: ReconcileResult = await stack.client.workflow.execute<typeof reconcileAllSitesWorkflow>(
        'reconcileAllSitesWorkflow',
        { workflowId: uniqueId('reconcile'), taskQueue: stack.taskQueue },
      );
      assert.ok(result.sites >= 1, JSON.stringify(result));
    } finally {
      await setSimulatorFaults(stack.sim.url, {});
    }
  });
});
