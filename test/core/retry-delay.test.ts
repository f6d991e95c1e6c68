// When a failed person sync is tried again (issue 9 item 11): close together during the first ten
// minutes of a failure, so access returns within seconds of SALTO KS recovering; then further apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFUSAL_RETRY_DELAY_MS, refusalRetryDelayMs, retryDelayMs } from '../../src/core/retry-delay';

const MIN = 60_000;
const mid = 0.5; // no jitter

describe('retry delays of a failed sync', () => {
  it('2 s, 4 s, then every 8 s while the failure is younger than 10 minutes', () => {
    const delays = [1, 2, 3, 4, 10, 60].map((attempt) => retryDelayMs(attempt, 5 * MIN, mid));
    assert.deepEqual(delays, [2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('no wait over 10 s at any point of a 10-minute outage, whatever the jitter', () => {
    for (let attempt = 1; attempt < 200; attempt++)
      for (const random of [0, 0.3, 0.999])
        assert.ok(retryDelayMs(attempt, 9.9 * MIN, random) <= 10_000, `attempt ${attempt}`);
  });

  it('after 10 minutes of failure, growing with its age (1/75 of it), up to 5 minutes', () => {
    assert.equal(retryDelayMs(80, 15 * MIN, mid), 12_000);
    assert.equal(retryDelayMs(300, 60 * MIN, mid), 48_000);
    assert.equal(retryDelayMs(900, 6 * 60 * MIN, mid), 288_000);
    assert.equal(retryDelayMs(2000, 24 * 60 * MIN, mid), 300_000);
    // Never a jump: just past 10 minutes the wait is still about 8 s.
    assert.ok(retryDelayMs(80, 10.1 * MIN, mid) < 8_200);
  });

  it('jitter spreads retries by ±20 %', () => {
    assert.equal(retryDelayMs(3, MIN, 0), 6_400);
    assert.equal(retryDelayMs(3, MIN, 0.999_999), 9_600);
  });

  it('a refusal for good waits an hour, give or take 20 %, whatever the attempt', () => {
    assert.equal(REFUSAL_RETRY_DELAY_MS, 60 * MIN);
    assert.equal(refusalRetryDelayMs(mid), 60 * MIN);
    assert.equal(refusalRetryDelayMs(0), 48 * MIN);
    assert.ok(refusalRetryDelayMs(0.999) <= 72 * MIN && refusalRetryDelayMs(0.999) > 71 * MIN);
  });
});
