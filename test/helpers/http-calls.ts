// The HTTP calls tests make to the API: a signed Deskworks event, an admin-API call, any GET.
import { signDeskworksPayload } from '../../src/api/signature';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, the raw text when it is not JSON, or null when empty. */
  body: unknown;
  headers: Headers;
}

export async function answerOf(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

/** The Retry-After of an answer in seconds, as a webhook sender reads it: 1 when absent or unreadable. */
export function retryAfterSeconds(answer: { headers: Headers }): number {
  return Number(answer.headers.get('retry-after')) || 1;
}

export async function sendSignedEvent(
  apiUrl: string,
  event: unknown,
  secret: string,
  tSeconds = Math.floor(Date.now() / 1000),
  /** Give up after this long, as a webhook sender does (an AbortError; absent: fetch's own limits). */
  timeoutMs?: number,
): Promise<HttpAnswer> {
  const raw = JSON.stringify(event);
  const res = await fetch(`${apiUrl}/webhooks/deskworks`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Deskworks-Signature': signDeskworksPayload(raw, secret, tSeconds),
    },
    body: raw,
    ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  return answerOf(res);
}

export async function callAdminApi(
  apiUrl: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpAnswer> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answerOf(res);
}
