// One HTTP exchange with a timeout. Turns "no answer" into classified SaltoErrors and reads
// the body as JSON when it is JSON; everything about status codes is the caller's business.
import { networkError, timeoutError } from './errors';

export interface HttpRequest {
  method: string;
  url: string;
  /** For error messages: the path without its query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the request early (an activity cancelled at worker shutdown): its reason is thrown. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** JSON body, or null when empty or not JSON. */
  json: unknown;
  retryAfter: string | null;
}

export async function exchange(request: HttpRequest): Promise<HttpAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal
        ? AbortSignal.any([AbortSignal.timeout(request.timeoutMs), request.signal])
        : AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    // Cancelled from outside: say so as the canceller does (a Temporal CancelledFailure), not as a timeout.
    if (request.signal?.aborted) throw request.signal.reason;
    if (isTimeout(error)) throw timeoutError(request.method, request.path, request.timeoutMs);
    throw networkError(request.method, request.path, error);
  }
  return { status: response.status, json: parseJson(text), retryAfter: response.headers.get('retry-after') };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
