// The webhook under hostile input: every generated request (webhook-inputs.ts) goes over real HTTP
// to the real API on a Temporal dev server with no worker (so every workflow a request started
// stays listed, and the engine's work does not compete with the API). Each answer must be one the
// contract allows for that input, never a 5xx; a failing input is shrunk by fast-check and printed
// with the seed and path that replay it. At the end, Temporal's visibility must list exactly the
// workflows the accepted events route to, and the set-up workflow must have had exactly one signal
// per accepted catalog event: a refused body started and signalled nothing.
import fc from 'fast-check';
import { parseDeskworksEvent } from '../../src/api/deskworks-events';
import { deliveryFor } from '../../src/api/event-router';
import { signDeskworksPayload } from '../../src/api/signature';
import { personWorkflowId, reservationWorkflowId, SETUP_WORKFLOW_ID } from '../../src/shared/ids';
import { WEBHOOK_SECRET, type Stack } from '../helpers/stack';
import type { WebhookInput } from './webhook-inputs';
import { webhookInput } from './webhook-inputs';

export interface WebhookFuzzResult {
  requests: number;
  byStatus: Record<string, number>;
  byMutation: Record<string, number>;
  accepted: number;
  /** Workflows listed that no accepted event routes to: started by a refused body. */
  startedByRefused: string[];
  /** Accepted events whose workflow is not listed: a 202 that was not durable. */
  acceptedButMissing: string[];
  setupSignals: { expected: number; found: number };
  /** Set when an answer broke the contract: fast-check's shrunk counterexample and how to replay it. */
  failure: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signatureHeader(input: WebhookInput, body: Buffer): string | null {
  const now = Math.floor(Date.now() / 1000);
  switch (input.signature) {
    case 'valid':
      return signDeskworksPayload(body, WEBHOOK_SECRET, now);
    case 'rotated': // secret rotation: an old secret's entry first, the current one second
      return `${signDeskworksPayload(body, 'an-old-rotated-out-secret-0123', now)},${signDeskworksPayload(body, WEBHOOK_SECRET, now).split(',')[1]}`;
    case 'wrong-secret':
      return signDeskworksPayload(body, 'not-the-webhook-secret-0123456789', now);
    case 'stale':
      return signDeskworksPayload(body, WEBHOOK_SECRET, now - 400);
    case 'future':
      return signDeskworksPayload(body, WEBHOOK_SECRET, now + 400);
    case 'missing':
      return null;
    case 'malformed':
      return `t=${now},v1=${'zz'.repeat(32)},t=;v1`;
  }
}

/** The workflow an accepted body routes to (the API's own routing, from the body it accepted). */
function workflowOf(body: string): { id: string; catalog: boolean } | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = parseDeskworksEvent(json);
  if (!parsed.ok) return null;
  const delivery = deliveryFor(parsed.event);
  if (delivery.workflow === 'person') return { id: personWorkflowId(delivery.personId), catalog: false };
  if (delivery.workflow === 'reservation')
    return { id: reservationWorkflowId(delivery.reservationId), catalog: false };
  return { id: SETUP_WORKFLOW_ID, catalog: true };
}

async function listedWorkflowIds(stack: Stack): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const execution of stack.client.workflow.list()) ids.add(execution.workflowId);
  return ids;
}

async function setupSignalCount(stack: Stack): Promise<number> {
  const history = await stack.client.workflow.getHandle(SETUP_WORKFLOW_ID).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

export async function fuzzWebhook(
  stack: Stack,
  options: { requests: number; seed: number; path?: string; progress?: (sent: number) => void },
): Promise<WebhookFuzzResult> {
  const byStatus: Record<string, number> = {};
  const byMutation: Record<string, number> = {};
  const expected = new Set<string>([SETUP_WORKFLOW_ID]);
  const setupSignalsBefore = await setupSignalCount(stack);
  let catalogAccepted = 0;
  let accepted = 0;
  let sent = 0;
  const url = `${stack.apiUrl}/webhooks/deskworks`;

  const property = fc.asyncProperty(webhookInput, async (input) => {
    const body = Buffer.from(input.body, 'utf8');
    const headers: Record<string, string> = {};
    if (input.contentType !== null) headers['Content-Type'] = input.contentType;
    const signature = signatureHeader(input, body);
    if (signature !== null) headers['Deskworks-Signature'] = signature;
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    sent++;
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    // The kind of mutation, without where and how much: "wrong type at data.id" → "wrong type".
    const kind = input.mutation
      .replace(/ at .*| in .*| of \d+.*| \(.*\)|".*"/g, '')
      .replace(/^\d+ /, '')
      .trim();
    byMutation[kind] = (byMutation[kind] ?? 0) + 1;
    if (res.status === 202 || res.status === 200) {
      accepted++;
      const workflow = workflowOf(input.body);
      if (workflow === null) throw new Error(`accepted a body the contract refuses: ${text}`);
      expected.add(workflow.id);
      if (workflow.catalog && res.status === 202) catalogAccepted++;
    }
    if (sent % 500 === 0) options.progress?.(sent);
    if (res.status >= 500 || !input.allowed.includes(res.status))
      throw new Error(`answered ${res.status} (allowed: ${input.allowed.join(', ')}): ${text.slice(0, 300)}`);
  });

  let failure: string | null = null;
  const details = await fc.check(property, {
    numRuns: options.requests,
    seed: options.seed,
    ...(options.path ? { path: options.path } : {}),
    endOnFailure: false,
  });
  if (details.failed) {
    const counterexample = details.counterexample?.[0];
    failure = [
      `seed ${details.seed}, path "${details.counterexamplePath}" (replay: npm run fuzz -- --seed ${details.seed} --path "${details.counterexamplePath}")`,
      String(details.errorInstance instanceof Error ? details.errorInstance.message : details.error),
      counterexample
        ? `shrunk input: ${JSON.stringify({ ...counterexample, body: counterexample.body.slice(0, 2000) })}`
        : '',
    ].join('\n');
  }

  // Visibility is eventually consistent: wait until it lists at least what was accepted.
  let listed = await listedWorkflowIds(stack);
  for (let i = 0; i < 60 && [...expected].some((id) => !listed.has(id)); i++) {
    await sleep(500);
    listed = await listedWorkflowIds(stack);
  }
  return {
    requests: sent,
    byStatus,
    byMutation,
    accepted,
    startedByRefused: [...listed].filter((id) => !expected.has(id)),
    acceptedButMissing: [...expected].filter((id) => !listed.has(id)),
    setupSignals: { expected: catalogAccepted, found: (await setupSignalCount(stack)) - setupSignalsBefore },
    failure,
  };
}
