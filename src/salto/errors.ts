// SALTO KS failures, classified once (contract §2 "Errors") so activities only translate
// the classification into Temporal's retry vocabulary. Messages name method, path, status
// and ErrorCode — never a token, a secret, a password or a query string (it may hold an e-mail).

export type SaltoErrorKind =
  | 'malformed_request' // 400 1100
  | 'validation_failed' // 400 1101 (duplicate e-mail, bad field)
  | 'bad_filter' // 400 1102
  | 'bad_request' // any other 400
  | 'reconnect_required' // 401 after renewal, refused refresh token, no connection
  | 'invalid_client' // identity server refused the client id/secret
  | 'not_allowed' // 403 2203
  | 'no_subscription' // 403 2212
  | 'forbidden' // any other 403
  | 'not_found' // 404 (2202)
  | 'rate_limited' // 429
  | 'server_error' // 5xx, 408
  | 'timeout'
  | 'network_error'
  | 'unexpected_response' // a 2xx the client cannot read
  | 'client_error'; // any other 4xx

export const RECONNECT_HINT = 're-connect SALTO KS (sign in again on the set-up page)';

export interface SaltoErrorDetails {
  method: string;
  /** Path without query string. */
  path: string;
  /** HTTP status; null when no answer came (timeout, network). */
  status: number | null;
  errorCode: string | null;
  kind: SaltoErrorKind;
  retryable: boolean;
  /** From Retry-After on a 429 (or 503): how long SALTO asked us to wait. */
  retryAfterMs: number | null;
  /**
   * SALTO is eventually consistent: right after a user is created, a group add may answer
   * 404 2202 and a patch 403 2203 for up to about a minute. The caller knows whether the
   * user is new, so it decides whether to retry.
   */
  mayBeEventualConsistency: boolean;
}

export class SaltoError extends Error implements SaltoErrorDetails {
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly errorCode: string | null;
  readonly kind: SaltoErrorKind;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly mayBeEventualConsistency: boolean;

  constructor(details: SaltoErrorDetails, explanation: string) {
    const status = details.status === null ? 'no answer' : String(details.status);
    const code = details.errorCode === null ? '' : ` ErrorCode ${details.errorCode}`;
    super(`SALTO KS ${details.method} ${details.path}: ${status}${code}: ${explanation}`);
    this.name = 'SaltoError';
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.kind = details.kind;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.mayBeEventualConsistency = details.mayBeEventualConsistency;
  }

  /** The duplicate e-mail answer of a create: look the user up and adopt it. */
  get isDuplicateOrInvalidEmail(): boolean {
    return this.status === 400 && this.errorCode === '1101';
  }
}

export interface HttpFailure {
  method: string;
  path: string;
  status: number;
  /** Parsed JSON body, or null when the body was not JSON. */
  body: unknown;
  retryAfterHeader: string | null;
  now?: number;
  /** Strings that must never appear in the message (the bearer token), should the server echo them. */
  redact?: string[];
}

/** Classifies an API answer that was not 2xx. 401 is classified as final: the retry happened already. */
export function classifyApiFailure(failure: HttpFailure): SaltoError {
  const { errorCode, message } = readErrorBody(failure.body, failure.redact ?? []);
  const base = {
    method: failure.method,
    path: failure.path,
    status: failure.status,
    errorCode,
    retryAfterMs: null,
    mayBeEventualConsistency: false,
  };
  const explain = (fallback: string) => message ?? fallback;
  const s = failure.status;

  if (s === 400) {
    if (errorCode === '1100')
      return err({ ...base, kind: 'malformed_request' }, explain('malformed request'));
    if (errorCode === '1101')
      return err({ ...base, kind: 'validation_failed' }, explain('validation failed'));
    if (errorCode === '1102') return err({ ...base, kind: 'bad_filter' }, explain('bad $filter or $orderby'));
    return err({ ...base, kind: 'bad_request' }, explain('bad request'));
  }
  if (s === 401) {
    return err(
      { ...base, kind: 'reconnect_required' },
      `access refused after renewing the token; ${RECONNECT_HINT}`,
    );
  }
  if (s === 403) {
    if (errorCode === '2203') {
      return err(
        { ...base, kind: 'not_allowed', mayBeEventualConsistency: true },
        explain('operation not allowed'),
      );
    }
    if (errorCode === '2212')
      return err({ ...base, kind: 'no_subscription' }, explain('site has no valid subscription'));
    return err({ ...base, kind: 'forbidden' }, explain('forbidden'));
  }
  if (s === 404) {
    return err({ ...base, kind: 'not_found', mayBeEventualConsistency: true }, explain('not found'));
  }
  if (s === 429) {
    const retryAfterMs = parseRetryAfter(failure.retryAfterHeader, failure.now ?? Date.now());
    const wait = retryAfterMs === null ? 'no Retry-After given' : `retry after ${retryAfterMs} ms`;
    return err(
      { ...base, kind: 'rate_limited', retryable: true, retryAfterMs },
      `too many requests; ${wait}`,
    );
  }
  if (s >= 500 || s === 408) {
    const retryAfterMs = parseRetryAfter(failure.retryAfterHeader, failure.now ?? Date.now());
    return err({ ...base, kind: 'server_error', retryable: true, retryAfterMs }, explain('server fault'));
  }
  return err({ ...base, kind: 'client_error' }, explain('request refused'));
}

function err(
  details: Omit<SaltoErrorDetails, 'retryable'> & { retryable?: boolean },
  text: string,
): SaltoError {
  return new SaltoError({ ...details, retryable: details.retryable ?? false }, text);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** SALTO's error body is {"ErrorCode":"…","Message":"…"}; the code is a string, but accept a number too. */
function readErrorBody(
  body: unknown,
  redact: string[],
): { errorCode: string | null; message: string | null } {
  if (typeof body !== 'object' || body === null) return { errorCode: null, message: null };
  const record = body as Record<string, unknown>;
  const code = record.ErrorCode;
  const message = record.Message;
  return {
    errorCode: typeof code === 'string' || typeof code === 'number' ? String(code) : null,
    // The server's own words, cut short: enough to explain, too little to carry a payload.
    message: typeof message === 'string' && message.length > 0 ? scrub(message, redact).slice(0, 200) : null,
  };
}

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((t, secret) => (secret.length > 0 ? t.split(secret).join('[redacted]') : t), text);
}

export function timeoutError(method: string, path: string, timeoutMs: number): SaltoError {
  return new SaltoError(
    baseDetails(method, path, { kind: 'timeout', retryable: true }),
    `no answer within ${timeoutMs} ms`,
  );
}

export function networkError(method: string, path: string, cause: unknown): SaltoError {
  // Only the low-level code (ECONNREFUSED, ENOTFOUND…): undici's messages are safe, but short is enough.
  const code = networkCode(cause);
  return new SaltoError(
    baseDetails(method, path, { kind: 'network_error', retryable: true }),
    `could not reach the server${code ? ` (${code})` : ''}`,
  );
}

export function unexpectedResponseError(
  method: string,
  path: string,
  status: number,
  why: string,
): SaltoError {
  return new SaltoError(
    { ...baseDetails(method, path, { kind: 'unexpected_response', retryable: true }), status },
    `unexpected answer: ${why}`,
  );
}

export function reconnectRequiredError(
  method: string,
  path: string,
  status: number | null,
  why: string,
  errorCode: string | null = null,
): SaltoError {
  return new SaltoError(
    { ...baseDetails(method, path, { kind: 'reconnect_required', retryable: false }), status, errorCode },
    `${why}; ${RECONNECT_HINT}`,
  );
}

function baseDetails(
  method: string,
  path: string,
  rest: { kind: SaltoErrorKind; retryable: boolean },
): SaltoErrorDetails {
  return {
    method,
    path,
    status: null,
    errorCode: null,
    retryAfterMs: null,
    mayBeEventualConsistency: false,
    ...rest,
  };
}

function networkCode(cause: unknown): string | null {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
