// A short activity that runs past a second heartbeats, so a dead worker's work is retried within
// the heartbeat timeout; a local activity cannot heartbeat (the SDK answers UnknownActivity and
// logs a warning for each), so it must not try.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { LIVENESS_INTERVAL_MS, withLiveness } from '../../src/activities/activity-liveness';

/** Runs an activity that takes `ms` in the mock environment and counts its heartbeats. */
async function heartbeatsOf(isLocal: boolean, ms: number): Promise<{ result: string; heartbeats: number }> {
  const env = new MockActivityEnvironment({ isLocal });
  let heartbeats = 0;
  env.on('heartbeat', () => heartbeats++);
  const slow = withLiveness(async (name: string) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `done ${name}`;
  });
  const result: string = await env.run(slow, 'x');
  return { result, heartbeats };
}

describe('activity liveness', () => {
  it('a regular activity running past the interval heartbeats, and its answer is kept', async () => {
    const { result, heartbeats } = await heartbeatsOf(false, LIVENESS_INTERVAL_MS * 2.5);
    assert.equal(result, 'done x');
    assert.equal(heartbeats, 2);
  });

  it('a local activity never heartbeats, however long it runs', async () => {
    const { result, heartbeats } = await heartbeatsOf(true, LIVENESS_INTERVAL_MS * 2.5);
    assert.equal(result, 'done x');
    assert.equal(heartbeats, 0);
  });

  it('an activity that ends within the interval does not heartbeat at all', async () => {
    const { heartbeats } = await heartbeatsOf(false, LIVENESS_INTERVAL_MS / 4);
    assert.equal(heartbeats, 0);
  });
});
