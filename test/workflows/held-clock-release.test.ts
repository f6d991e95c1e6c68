// A stalled skip of server time on the time-skipping test server (test/helpers/stalled-skip.ts):
// while an activity holds the clock, the skip waits and says so; once the run is terminated with
// its activity still scheduled, the server keeps that hold for good (an sdk-java test-server
// defect), and the watcher gives it back so the skip ends in seconds, not in the skipped time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { reportWhileStalled, testServerClockHolds } from '../helpers/stalled-skip';
import { QUIET_BUNDLER_LOGGER } from '../helpers/stack';

const HOUR_MS = 3_600_000;
const LOOK_EVERY_MS = 500;

describe('a skip of server time whose clock stays held', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;
  before(async () => {
    env = await createTimeSkippingEnv();
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../helpers/held-clock-workflows'),
      logger: QUIET_BUNDLER_LOGGER,
    });
  });
  after(async () => {
    await env?.teardown();
  });

  it('waits while an activity holds it, and releases the hold a terminated run leaks', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'held-clock',
      workflowBundle,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('waitsOnAnUnpolledActivity', {
        taskQueue: 'held-clock',
        workflowId: 'held-clock',
      });
      for (;;) {
        const described = await handle.describe();
        if ((described.raw.pendingActivities ?? []).length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const before = await env.currentTimeMs();
      const said: string[] = [];
      let ended = false;
      const watched = reportWhileStalled(env.sleep(HOUR_MS), 'a skip of 1 h', env.client, {
        holds: testServerClockHolds(env),
        checkEveryMs: LOOK_EVERY_MS,
        say: (line) => said.push(line),
      }).finally(() => (ended = true));

      // The scheduled activity holds the clock: the skip waits, names it, and releases nothing.
      await new Promise((r) => setTimeout(r, 8 * LOOK_EVERY_MS));
      assert.equal(ended, false, 'a held clock does not skip an hour');
      assert.ok(
        said.some((line) => line.includes('held-clock: neverPicked (attempt 1)')),
        `the activity is named: ${said.join(' | ')}`,
      );
      assert.ok(!said.some((line) => line.includes('released')), 'nothing released while it is open');

      // Terminated with its activity still scheduled: the server keeps that activity's hold.
      await handle.terminate('the test leaves the activity scheduled');
      const startedAt = Date.now();
      const { released } = await watched;
      assert.equal(released, 1, `one leaked hold released: ${said.join(' | ')}`);
      assert.ok(Date.now() - startedAt < 30_000, 'the skip ends in seconds once the hold is given back');
      assert.ok((await env.currentTimeMs()) - before >= HOUR_MS, 'the whole hour passed on the server');
      assert.ok(said.some((line) => line.includes('a hold the test server leaked')));

      // The next skip is free again: the release left the server's holds balanced.
      const next = Date.now();
      await env.sleep(HOUR_MS);
      assert.ok(Date.now() - next < 5_000, 'a later skip is not held');
    });
  });
});
