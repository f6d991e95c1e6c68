// The webhook starts people and reservations with a 5 s workflow task timeout, not Temporal's
// 10 s: a task left by a killed worker goes to another one sooner, and a door due to close waits
// less (src/shared/workflow-task-timeout.ts). Read back from the server, as each execution holds it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { deliver, type RouterOptions } from '../../src/api/event-router';
import { personWorkflowId, reservationWorkflowId } from '../../src/shared/ids';
import { memberSnapshot, reservationSnapshot } from '../helpers/events';
import { createTimeSkippingEnv } from '../helpers/temporal-env';

describe('the workflow task timeout of the workflows events start', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function taskTimeoutSeconds(workflowId: string): Promise<number> {
    const { raw } = await env.client.workflow.getHandle(workflowId).describe();
    const timeout = raw.executionConfig?.defaultWorkflowTaskTimeout;
    return Number(timeout?.seconds ?? 0) + (timeout?.nanos ?? 0) / 1e9;
  }

  // No worker polls this queue: the start is all that is looked at.
  const router = (): RouterOptions => ({
    client: env.client,
    taskQueue: 'task-timeout-no-worker',
    setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
  });

  it('is 5 s for a person', async () => {
    const now = new Date().toISOString();
    await deliver(router(), {
      workflow: 'person',
      personId: 'wtt-1',
      event: memberSnapshot('wtt-1', { updatedAt: now }),
    });
    assert.equal(await taskTimeoutSeconds(personWorkflowId('wtt-1')), 5);
  });

  it('is 5 s for a reservation', async () => {
    const now = Date.now();
    const event = reservationSnapshot({
      id: 'wtt-r1',
      start: new Date(now + 3_600_000).toISOString(),
      end: new Date(now + 7_200_000).toISOString(),
      updatedAt: new Date(now).toISOString(),
    });
    await deliver(router(), { workflow: 'reservation', reservationId: 'wtt-r1', event });
    assert.equal(await taskTimeoutSeconds(reservationWorkflowId('wtt-r1')), 5);
  });
});
