// POST /webhooks/deskworks: signature, size, JSON, schema — and only then Temporal.
// Answers 202 once the event is durably handed to Temporal; 503 only when Temporal is unreachable
// or timed out; 500 for any other failure (a bug, a request Temporal refused), which the log
// describes and the answer does not.
import express, { type Request, type Response, type Router } from 'express';
import type { WebhookMetrics } from '../metrics/webhook-metrics';
import { DESKWORKS_EVENT_TYPES, parseDeskworksEvent, type DeskworksEvent } from './deskworks-events';
import { deliver, deliveryFor, deliveryWorkflowId, type RouterOptions } from './event-router';
import type { LogFields, LogLine } from '../runtime/log';
import { verifyDeskworksSignature } from './signature';
import { DEFAULT_WEBHOOK_MAX_IN_FLIGHT, DeliveryGate, type DeliveryOutcome } from './delivery-gate';
import { describeErrorForLog, isTemporalOverLimit, isTemporalUnreachable } from './temporal-errors';

export const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Temporal normally answers in milliseconds; past this, answer 503 before Deskworks' own timeout. */
const DELIVERY_DEADLINE_MS = 5_000;

export interface WebhookOptions extends RouterOptions {
  secrets: string[];
  now?: () => number;
  log: LogLine;
  /** Counts each call's outcome (GET /metrics); absent: nothing is counted. */
  metrics?: WebhookMetrics;
  /** Bounds the deliveries waiting on Temporal and spreads the retries (delivery-gate.ts). */
  gate?: DeliveryGate;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(DESKWORKS_EVENT_TYPES);

/** The event type of a body for a metric label: one of the contract's, else unknown (bounded labels). */
function typeLabel(json: unknown): string | null {
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? type : null;
}

const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['firstName', 'lastName', 'email', 'phone']);

/** The names, e-mails and phones an event carries, to keep them out of the log. */
function personalDataOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) personalDataOf(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, field] of Object.entries(value)) {
      if (PERSONAL_FIELDS.has(key) && typeof field === 'string') found.push(field);
      else personalDataOf(field, found);
    }
  }
  return found;
}

/** The ids a webhook log line is about. */
function eventFields(event: DeskworksEvent): LogFields {
  return { eventId: event.id, eventType: event.type, workflowId: deliveryWorkflowId(deliveryFor(event)) };
}

function logFailure(log: LogLine, event: DeskworksEvent, what: string, err: unknown): void {
  log(
    `webhook ${event.type} ${event.id}: ${what} (${describeErrorForLog(err, personalDataOf(event.data))})`,
    eventFields(event),
  );
}

/** What a delivery's result says of Temporal, for the gate's Retry-After. */
function deliveryOutcome(failure: { err: unknown } | null): DeliveryOutcome {
  if (!failure) return 'answered';
  if (isTemporalUnreachable(failure.err)) return 'unreachable';
  return isTemporalOverLimit(failure.err) ? 'answered' : 'other';
}

export function webhookRouter(options: WebhookOptions): Router {
  const router = express.Router();
  const now = options.now ?? Date.now;
  const count: WebhookMetrics = options.metrics ?? (() => undefined);
  const gate = options.gate ?? new DeliveryGate({ maxInFlight: DEFAULT_WEBHOOK_MAX_IN_FLIGHT });
  router.post(
    '/webhooks/deskworks',
    (req, res, next) => {
      if (!req.is('application/json')) {
        count(null, { result: 'refused', reason: 'media_type' });
        res
          .status(415)
          .json({ error: 'unsupported_media_type', message: 'Content-Type must be application/json' });
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req: Request, res: Response) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verifyDeskworksSignature({
        header: req.get('Deskworks-Signature'),
        rawBody,
        secrets: options.secrets,
        nowMs: now(),
      });
      if (!verdict.ok) {
        count(null, { result: 'refused', reason: 'signature' });
        options.log(`webhook rejected: signature ${verdict.reason}`);
        res.status(401).json({ error: 'invalid_signature' });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        count(null, { result: 'refused', reason: 'json' });
        res
          .status(400)
          .json({ error: 'invalid_event', issues: [{ path: '', message: 'body is not valid JSON' }] });
        return;
      }
      const parsed = parseDeskworksEvent(json);
      if (!parsed.ok) {
        count(typeLabel(json), { result: 'refused', reason: 'schema' });
        res.status(400).json({ error: 'invalid_event', issues: parsed.issues });
        return;
      }
      const event = parsed.event;
      if (!gate.tryEnter()) {
        // Enough deliveries already wait on Temporal: another would only add to its load.
        count(event.type, { result: 'unavailable', reason: 'busy' });
        res.set('Retry-After', String(gate.retryAfterSeconds())).status(503).json({ error: 'unavailable' });
        return;
      }
      let failure: { err: unknown } | null = null;
      try {
        await options.client.withDeadline(Date.now() + DELIVERY_DEADLINE_MS, () =>
          deliver(options, deliveryFor(event)),
        );
      } catch (err) {
        failure = { err };
      }
      gate.leave(deliveryOutcome(failure));
      if (failure) {
        const { err } = failure;
        if (isTemporalUnreachable(err)) {
          // Deskworks retries a 503: nothing is lost, the event is accepted once Temporal is back.
          count(event.type, { result: 'unavailable', reason: 'temporal_unavailable' });
          logFailure(options.log, event, 'Temporal unavailable, answered 503', err);
          res.set('Retry-After', String(gate.retryAfterSeconds())).status(503).json({ error: 'unavailable' });
          return;
        }
        if (isTemporalOverLimit(err)) {
          // The owning workflow takes no more signals until a worker continues it as new: the
          // event is early, not wrong; Deskworks retries a 503 and nothing is lost.
          count(event.type, { result: 'unavailable', reason: 'workflow_over_limit' });
          logFailure(options.log, event, 'its workflow is over its signal limit, answered 503', err);
          res.set('Retry-After', '30').status(503).json({ error: 'unavailable' });
          return;
        }
        count(event.type, { result: 'failed', reason: 'internal' });
        logFailure(options.log, event, 'handing it to Temporal failed, answered 500', err);
        res.status(500).json({ error: 'internal' });
        return;
      }
      count(event.type, { result: 'accepted', reason: 'ok' });
      options.log(`webhook ${event.type} ${event.id} accepted`, eventFields(event));
      res.status(202).json({ accepted: true, eventId: event.id });
    },
  );
  return router;
}
