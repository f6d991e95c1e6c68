// The activities under Temporal's real retry policy (a dev server and a worker): a 429 with
// Retry-After: 2 is retried after about 2 s and not sooner, a burst of 503s is survived, a 400
// is not retried at all.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createSaltoActivities } from '../../src/activities/salto-activities';
import { createDevServerEnv } from '../helpers/temporal-env';
import { countGroupsWithRetries, countSitesWithRetries } from './fixtures/salto-retry-workflows';
import type { SaltoClient } from '../../src/salto/client';
import { makeClient } from './helpers/client';
import { TestSimulator } from './helpers/simulator';
import { testDataConverter } from '../helpers/test-data-converter';

const TASK_QUEUE = 'salto-retry-test';

describe('SALTO KS activities under Temporal retries', () => {
  let env: TestWorkflowEnvironment;
  let sim: TestSimulator;
  let worker: Worker;
  let running: Promise<void>;
  let client: SaltoClient;
  let runId = 0;

  before(async () => {
    [env, sim] = await Promise.all([createDevServerEnv(), TestSimulator.start()]);
    client = makeClient(sim.url).client;
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('./fixtures/salto-retry-workflows'),
      dataConverter: testDataConverter,
      activities: createSaltoActivities(client),
    });
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await Promise.all([env?.teardown(), sim?.close()]);
  });

  beforeEach(async () => {
    await sim.reset(); // a reset forgets every token: sign in again before counting
    await client.listSites();
    await sim.clearRequests();
  });

  const execute = <A extends unknown[]>(workflow: (...args: A) => Promise<number>, ...args: A) =>
    env.client.workflow.execute(workflow, {
      args,
      taskQueue: TASK_QUEUE,
      workflowId: `salto-retry-${++runId}`,
    });

  const answersTo = async (path: string) => (await sim.requests()).filter((r) => r.path === path);

  it('waits the 2 s of Retry-After before retrying a 429', async () => {
    await sim.faults({ errors: [{ status: 429, count: 1, retryAfterSeconds: 2 }] });
    assert.equal(await execute(countSitesWithRetries), 2);
    const answers = await answersTo('/v1.2/sites');
    assert.deepEqual(
      answers.map((r) => r.status),
      [429, 200],
    );
    const gap = answers[1]!.at - answers[0]!.at;
    assert.ok(gap >= 1900, `retried after ${gap} ms, sooner than Retry-After allows`);
    assert.ok(gap < 6000, `retried after ${gap} ms, far later than Retry-After asked`);
  });

  it('survives a burst of 503s', async () => {
    await sim.faults({ errors: [{ status: 503, count: 3 }] });
    assert.equal(await execute(countSitesWithRetries), 2);
    assert.deepEqual(
      (await answersTo('/v1.2/sites')).map((r) => r.status),
      [503, 503, 503, 200],
    );
  });

  it('does not retry a 400', async () => {
    const error = await execute(countGroupsWithRetries, 'DE4520168385').then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.ok(error.cause instanceof ActivityFailure);
    assert.ok(error.cause.cause instanceof ApplicationFailure);
    assert.equal(error.cause.cause.type, 'SaltoMalformedRequest');
    assert.equal(error.cause.cause.nonRetryable, true);
    assert.equal(
      (await answersTo('/v1.2/sites/DE4520168385/access_groups')).length,
      1,
      'exactly one attempt',
    );
  });
});
