// The contract's error table (§2 Errors) as the client classifies it, without a server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyApiFailure, parseRetryAfter } from '../../src/salto/errors';

const answer = (status: number, body: unknown = null, retryAfterHeader: string | null = null) =>
  classifyApiFailure({ method: 'POST', path: '/v1.2/sites/s/users', status, body, retryAfterHeader, now: 0 });

describe('SALTO KS error classification', () => {
  it('treats 400s as final, telling 1100, 1101 and 1102 apart', () => {
    const cases: [string, string][] = [
      ['1100', 'malformed_request'],
      ['1101', 'validation_failed'],
      ['1102', 'bad_filter'],
    ];
    for (const [code, kind] of cases) {
      const error = answer(400, { ErrorCode: code, Message: 'nope' });
      assert.equal(error.kind, kind);
      assert.equal(error.retryable, false);
      assert.equal(error.errorCode, code);
    }
    assert.equal(answer(400, { ErrorCode: '1101' }).isDuplicateOrInvalidEmail, true);
  });

  it('names method, path, status and ErrorCode in the message', () => {
    const error = answer(400, {
      ErrorCode: '1101',
      Message: 'Validation failed: This email address is already in use.',
    });
    assert.equal(
      error.message,
      'SALTO KS POST /v1.2/sites/s/users: 400 ErrorCode 1101: Validation failed: This email address is already in use.',
    );
  });

  it('makes 401 after renewal a final "re-connect SALTO KS"', () => {
    const error = answer(401, { ErrorCode: '1500' });
    assert.equal(error.kind, 'reconnect_required');
    assert.equal(error.retryable, false);
    assert.match(error.message, /re-connect SALTO KS/);
  });

  it('marks 403 2203 and 404 2202 as possibly eventual consistency, 403 2212 as final', () => {
    assert.equal(answer(403, { ErrorCode: '2203' }).mayBeEventualConsistency, true);
    assert.equal(answer(404, { ErrorCode: '2202' }).mayBeEventualConsistency, true);
    const noSubscription = answer(403, { ErrorCode: '2212' });
    assert.equal(noSubscription.kind, 'no_subscription');
    assert.equal(noSubscription.retryable, false);
    assert.equal(noSubscription.mayBeEventualConsistency, false);
  });

  it('retries 429 after Retry-After and every 5xx', () => {
    const limited = answer(429, null, '2');
    assert.equal(limited.retryable, true);
    assert.equal(limited.retryAfterMs, 2000);
    assert.match(limited.message, /retry after 2000 ms/);
    for (const status of [500, 502, 503, 504]) {
      const error = answer(status, { ErrorCode: '2201' });
      assert.equal(error.kind, 'server_error');
      assert.equal(error.retryable, true);
    }
    assert.equal(answer(429).retryAfterMs, null);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('2', 0), 2000);
    assert.equal(parseRetryAfter('0.5', 0), 500);
    assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000), 4000);
    assert.equal(parseRetryAfter('soon', 0), null);
    assert.equal(parseRetryAfter(null, 0), null);
  });

  it('keeps a token the server echoes out of the message', () => {
    const error = classifyApiFailure({
      method: 'GET',
      path: '/v1.2/sites',
      status: 400,
      body: { ErrorCode: '1100', Message: 'bad header Bearer abc.def.ghi' },
      retryAfterHeader: null,
      redact: ['abc.def.ghi'],
    });
    assert.doesNotMatch(error.message, /abc\.def\.ghi/);
    assert.match(error.message, /\[redacted\]/);
  });
});
