// Deskworks events at the webhook: accepted, refused (and why), or not taken because Temporal
// could not take them (Deskworks retries those).
import { Counter, type Registry } from 'prom-client';

/** What became of one webhook call. */
export type WebhookOutcome =
  | { result: 'accepted'; reason: 'ok' }
  | { result: 'refused'; reason: 'media_type' | 'signature' | 'json' | 'schema' }
  | { result: 'unavailable'; reason: 'temporal_unavailable' | 'workflow_over_limit' | 'busy' }
  | { result: 'failed'; reason: 'internal' };

export type WebhookMetrics = (eventType: string | null, outcome: WebhookOutcome) => void;

export function webhookMetrics(registry: Registry): WebhookMetrics {
  const events = new Counter({
    name: 'deskworks_events_total',
    help: 'Deskworks webhook calls by event type (unknown before the body is read and valid), result (accepted, refused, unavailable, failed) and reason',
    labelNames: ['type', 'result', 'reason'] as const,
    registers: [registry],
  });
  return (eventType, { result, reason }) => events.inc({ type: eventType ?? 'unknown', result, reason });
}
