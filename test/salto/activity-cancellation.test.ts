// A worker shutting down cancels its activities after the grace time: the cancellation must reach
// the SALTO KS call in flight (abort it), not wait for the request timeout. Real HTTP against a
// simulator that answers only after 20 s; the activity runs in the SDK's activity environment.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { currentActivityCancellation } from '../../src/activities/activity-cancellation';
import { createSaltoActivities } from '../../src/activities/salto-activities';
import { makeClient } from './helpers/client';
import { SITE_A, TestSimulator } from './helpers/simulator';

describe('an activity cancelled while SALTO KS has not answered', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await TestSimulator.start();
  });
  after(async () => {
    await sim.faults({});
    await sim.close();
  });

  it('aborts the request at once and ends cancelled, not after the 15 s request timeout', async () => {
    const { client } = makeClient(sim.url, { timeoutMs: 15_000, abortSignal: currentActivityCancellation });
    await client.listSites(); // signed in before the slow answers start
    await sim.faults({ latencyMs: 20_000 });
    const activities = createSaltoActivities(client);
    const env = new MockActivityEnvironment();
    const started = Date.now();
    const running = env.run((input: { siteId: string }) => activities.readSaltoSiteState(input), {
      siteId: SITE_A,
    });
    setTimeout(() => env.cancel('WORKER_SHUTDOWN'), 300);
    await assert.rejects(running, (err: unknown) => err instanceof CancelledFailure);
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 3_000, `cancelled after ${tookMs} ms`);
  });

  it('outside an activity there is no cancellation signal (the API process)', () => {
    assert.equal(currentActivityCancellation(), undefined);
  });
});
