// The activity side of a pass's set-up check (src/activities/setup-check.ts): the checked variant
// of an activity runs it only while the set-up is still the version its pass decided on; otherwise
// it refuses, for good, before the activity acts, hands the set-up as it is now back, and says on
// which attempt (a later attempt may follow one that acted and lost its answer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { checkedVariants } from '../../src/activities/setup-check';
import { SETUP_CHANGED } from '../../src/activities/types';
import { emptySetup } from '../../src/core/setup-rules';
import type { Setup } from '../../src/core/types';
import { setupFingerprint } from '../../src/core/setup-fingerprint';

function recorder(current: Setup) {
  const seen: unknown[] = [];
  let reads = 0;
  const variants = checkedVariants(
    {
      grant(input: { siteId: string }): Promise<string> {
        seen.push(input);
        return Promise.resolve(`granted on ${input.siteId}`);
      },
    },
    () => {
      reads++;
      return Promise.resolve(current);
    },
  );
  return { grant: variants['grantChecked']!, names: Object.keys(variants), seen, reads: () => reads };
}

const refusalOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => null,
    (err: unknown) => err,
  );

describe('the checked variant of an activity', () => {
  const current: Setup = { ...emptySetup(15, 15), version: 7 };
  const expect = (setup: Setup) => ({
    expectSetupVersion: setup.version,
    expectSetupFingerprint: setupFingerprint(setup),
  });
  const older: Setup = { ...current, version: 6 };

  it('is registered under the name with its suffix, so no worker without the check runs it', () => {
    assert.deepEqual(recorder(current).names, ['grantChecked']);
  });

  it('runs the activity when the set-up is still that version, without the version in its input', async () => {
    const r = recorder(current);
    const input = { siteId: 's1', ...expect(current) };
    assert.equal(await new MockActivityEnvironment().run(r.grant, input), 'granted on s1');
    assert.deepEqual(r.seen, [{ siteId: 's1' }]);
    assert.equal(r.reads(), 1);
  });

  it('refuses for good when the set-up moved, before the activity acts, with the set-up now', async () => {
    const r = recorder(current);
    const refused = await refusalOf(
      new MockActivityEnvironment().run(r.grant, { siteId: 's1', ...expect(older) }),
    );
    assert.ok(refused instanceof ApplicationFailure);
    assert.equal(refused.type, SETUP_CHANGED);
    assert.equal(refused.nonRetryable, true);
    assert.deepEqual(refused.details, [current, { attempt: 1 }]);
    assert.match(refused.message, /version 7, not 6/);
    assert.deepEqual(r.seen, [], 'nothing reached the activity');
  });

  it('refuses when the version came back with other content (a set-up workflow reset or started again)', async () => {
    const r = recorder(current);
    const other: Setup = { ...current, noAccessPolicy: 'block' };
    const refused = await refusalOf(
      new MockActivityEnvironment().run(r.grant, { siteId: 's1', ...expect(other) }),
    );
    assert.ok(refused instanceof ApplicationFailure);
    assert.equal(refused.type, SETUP_CHANGED);
    assert.match(refused.message, /version 7 with other content/);
    assert.deepEqual(r.seen, []);
  });

  it('says when it refused on a later attempt, which may follow one that acted', async () => {
    const r = recorder(current);
    const refused = await refusalOf(
      new MockActivityEnvironment({ attempt: 3 }).run(r.grant, { siteId: 's1', ...expect(older) }),
    );
    assert.ok(refused instanceof ApplicationFailure);
    assert.deepEqual(refused.details?.[1], { attempt: 3 });
  });

  it('refuses an input without a version, naming the activity', async () => {
    const r = recorder(current);
    const refused = await refusalOf(r.grant({ siteId: 's1' } as never));
    assert.ok(refused instanceof ApplicationFailure);
    assert.match(refused.message, /grantChecked: no expectSetupVersion or expectSetupFingerprint/);
    assert.deepEqual(r.seen, []);
  });
});
