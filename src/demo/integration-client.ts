// Calls the integration from outside, as Deskworks and an operator would: signed events to the
// webhook, bearer-token calls to the set-up and status API. Used by the demo loader and the
// demo:events command line.
import { signDeskworksPayload } from '../api/signature';

export interface IntegrationTarget {
  /** Where the API listens, e.g. http://localhost:3000 */
  apiUrl: string;
  /** One of DESKWORKS_WEBHOOK_SECRET's secrets. */
  webhookSecret: string;
  adminToken: string;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  retryAfterSeconds: number | null;
}

async function answerOf(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  const retryAfter = Number(res.headers.get('Retry-After'));
  return {
    status: res.status,
    body,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  };
}

export async function postSignedEvent(target: IntegrationTarget, event: unknown): Promise<HttpAnswer> {
  const raw = JSON.stringify(event);
  const signature = signDeskworksPayload(raw, target.webhookSecret, Math.floor(Date.now() / 1000));
  const res = await fetch(`${target.apiUrl}/webhooks/deskworks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Deskworks-Signature': signature },
    body: raw,
  });
  return answerOf(res);
}

export async function callAdminApi(
  target: IntegrationTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpAnswer> {
  const res = await fetch(`${target.apiUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${target.adminToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answerOf(res);
}

export class IntegrationCallError extends Error {
  constructor(
    readonly what: string,
    readonly answer: HttpAnswer,
  ) {
    super(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    this.name = 'IntegrationCallError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls until the answer is not a 503 (the API answers 503 while Temporal or SALTO KS is not ready
 * yet, as right after `npm start`), then fails on anything but 2xx, naming `what`.
 */
export async function untilAccepted(
  what: string,
  call: () => Promise<HttpAnswer>,
  timeoutMs = 60_000,
): Promise<HttpAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let answer: HttpAnswer | null = null;
    try {
      answer = await call();
    } catch (err) {
      // Connection refused: the API is not listening yet.
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
    }
    if (answer && answer.status >= 200 && answer.status < 300) return answer;
    if (answer && answer.status !== 503) throw new IntegrationCallError(what, answer);
    if (Date.now() > deadline) {
      throw answer
        ? new IntegrationCallError(what, answer)
        : new Error(`${what}: gave up after ${timeoutMs} ms`);
    }
    await sleep(Math.min(5_000, (answer?.retryAfterSeconds ?? 0.5) * 1000));
  }
}
