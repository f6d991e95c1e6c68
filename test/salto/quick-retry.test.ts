// The rules of the quick retry of a passing SALTO KS fault (SALTO_KS_QUICK_RETRIES) on their own;
// the client using them against the simulator is in client.test.ts ("with quick retries").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SaltoError, type SaltoErrorKind } from '../../src/salto/errors';
import { QUICK_RETRY_MAX_WAIT_MS, quickRetryDelayMs } from '../../src/salto/quick-retry';

function fault(kind: SaltoErrorKind, retryable: boolean, retryAfterMs: number | null = null): SaltoError {
  return new SaltoError(
    {
      method: 'GET',
      path: '/v1.2/sites',
      status: 500,
      errorCode: null,
      kind,
      retryable,
      retryAfterMs,
      mayBeEventualConsistency: false,
    },
    'test',
  );
}

describe('quick retry policy', () => {
  it('backs off from about 100 ms, doubling, with jitter between half and one and a half times', () => {
    const server = fault('server_error', true);
    assert.equal(
      quickRetryDelayMs(server, 1, 2, () => 0),
      50,
    );
    assert.equal(
      quickRetryDelayMs(server, 1, 2, () => 0.999),
      150,
    );
    assert.equal(
      quickRetryDelayMs(server, 2, 2, () => 0.5),
      200,
    );
    assert.equal(quickRetryDelayMs(server, 3, 2), null, 'no third retry when two are allowed');
    assert.equal(quickRetryDelayMs(server, 1, 0), null, 'none when none are allowed');
  });

  it('waits what a short Retry-After asks, and leaves a longer one to the activity retry', () => {
    assert.equal(quickRetryDelayMs(fault('rate_limited', true, 1000), 1, 2), 1000);
    assert.equal(
      quickRetryDelayMs(fault('rate_limited', true, QUICK_RETRY_MAX_WAIT_MS), 1, 2),
      QUICK_RETRY_MAX_WAIT_MS,
    );
    assert.equal(quickRetryDelayMs(fault('rate_limited', true, QUICK_RETRY_MAX_WAIT_MS + 1), 1, 2), null);
  });

  it('tries a request that got no answer once more at most, and never one SALTO KS refused for itself', () => {
    assert.notEqual(quickRetryDelayMs(fault('timeout', true), 1, 2), null);
    assert.equal(quickRetryDelayMs(fault('timeout', true), 2, 2), null);
    assert.notEqual(quickRetryDelayMs(fault('network_error', true), 2, 2), null);
    for (const kind of ['validation_failed', 'not_found', 'not_allowed', 'reconnect_required'] as const)
      assert.equal(quickRetryDelayMs(fault(kind, kind === 'not_allowed'), 1, 2), null, kind);
    assert.equal(quickRetryDelayMs(fault('server_error', false), 1, 2), null, 'classified final');
  });
});
