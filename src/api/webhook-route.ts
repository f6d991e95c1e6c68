// POST /webhooks/deskworks: signature, size, JSON, schema — and only then Temporal.
// Answers 202 once the event is durably handed to Temporal; 503 when Temporal is unreachable.
import express, { type Request, type Response, type Router } from 'express';
import { parseDeskworksEvent } from './deskworks-events';
import { deliver, deliveryFor, type RouterOptions } from './event-router';
import { verifyDeskworksSignature } from './signature';

export const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Temporal normally answers in milliseconds; past this, answer 503 before Deskworks' own timeout. */
const DELIVERY_DEADLINE_MS = 5_000;

export interface WebhookOptions extends RouterOptions {
  secrets: string[];
  now?: () => number;
  log: (line: string) => void;
}

export function webhookRouter(options: WebhookOptions): Router {
  const router = express.Router();
  const now = options.now ?? Date.now;
  router.post(
    '/webhooks/deskworks',
    (req, res, next) => {
      if (!req.is('application/json')) {
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
        options.log(`webhook rejected: signature ${verdict.reason}`);
        res.status(401).json({ error: 'invalid_signature' });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        res
          .status(400)
          .json({ error: 'invalid_event', issues: [{ path: '', message: 'body is not valid JSON' }] });
        return;
      }
      const parsed = parseDeskworksEvent(json);
      if (!parsed.ok) {
        res.status(400).json({ error: 'invalid_event', issues: parsed.issues });
        return;
      }
      const event = parsed.event;
      try {
        await options.client.withDeadline(Date.now() + DELIVERY_DEADLINE_MS, () =>
          deliver(options, deliveryFor(event)),
        );
      } catch (err) {
        // Whatever kept Temporal from accepting it, Deskworks retries a 503: nothing is lost.
        options.log(`webhook ${event.type} ${event.id}: Temporal did not accept it (${(err as Error).name})`);
        res.set('Retry-After', '5').status(503).json({ error: 'unavailable' });
        return;
      }
      options.log(`webhook ${event.type} ${event.id} accepted`);
      res.status(202).json({ accepted: true, eventId: event.id });
    },
  );
  return router;
}
