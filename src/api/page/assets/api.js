// @ts-check
// Talking to the API as the signed-in page: the session cookie goes along by itself; changes
// carry the CSRF token the sign-in answered. Errors come back in words, with the field they are about.

/** @typedef {{ path: string; message: string }} Issue */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {any} body
   */
  constructor(status, body) {
    super(describeBody(status, body));
    this.name = 'ApiError';
    this.status = status;
    /** @type {Issue[]} */
    this.issues = Array.isArray(body?.issues) ? body.issues : [];
  }
}

/**
 * @param {number} status
 * @param {any} body
 */
function describeBody(status, body) {
  if (body && typeof body === 'object') {
    if (typeof body.message === 'string' && body.message) return body.message;
    if (Array.isArray(body.issues) && body.issues.length > 0) {
      return body.issues
        .map((/** @type {Issue} */ i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ');
    }
  }
  if (status === 401) return 'You are signed out. Sign in again with the admin token.';
  if (status === 403) return 'The API refused this change (CSRF token). Reload the page and try again.';
  if (status === 503)
    return 'The service cannot reach Temporal or SALTO KS right now. Try again in a moment.';
  return typeof body === 'string' && body ? body : `The API answered ${status}.`;
}

/** @type {string | null} */
let csrfToken = null;
/** @type {() => void} */
let whenSignedOut = () => undefined;

/** @param {string | null} token */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** @param {() => void} handler called when the API answers 401: the session ended. */
export function onSignedOut(handler) {
  whenSignedOut = handler;
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new ApiError(0, 'The service did not answer. Is it running?');
  }
  return answerOf(res, path);
}

/**
 * The parsed answer, or an ApiError; a 401 from /api/* means the session ended.
 * @param {Response} res
 * @param {string} path
 */
async function answerOf(res, path) {
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (res.status === 401 && path.startsWith('/api/')) whenSignedOut();
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

export const get = (/** @type {string} */ path) => request('GET', path);

/**
 * Sends a file as the request body (the browser streams it from disk), with the CSRF token.
 * @param {string} path
 * @param {Blob} file
 * @param {string} contentType
 * @returns {Promise<any>}
 */
export async function upload(path, file, contentType) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', 'Content-Type': contentType };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new ApiError(0, 'The service did not answer. Is it running?');
  }
  return answerOf(res, path);
}

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}
