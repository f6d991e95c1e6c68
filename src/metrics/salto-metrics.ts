// SALTO KS calls by endpoint and outcome, with their latency: what the workers (and the API's
// set-up checks) ask of the Connect API, and how it answers.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SaltoExchange } from '../salto/client';

/** A metrics sink for SaltoClientOptions.onExchange. */
export function saltoExchangeMetrics(registry: Registry): (exchange: SaltoExchange) => void {
  const requests = new Counter({
    name: 'salto_ks_requests_total',
    help: 'HTTP exchanges with the SALTO KS Connect API, by method, endpoint (ids as {s}, {u}, {ag}) and outcome (HTTP status, or timeout, network_error, aborted)',
    labelNames: ['method', 'endpoint', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'salto_ks_request_duration_seconds',
    help: 'Time from sending a SALTO KS request to its answer (or its timeout), by method and endpoint',
    labelNames: ['method', 'endpoint'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  return ({ method, endpoint, outcome, seconds }) => {
    requests.inc({ method, endpoint, outcome });
    duration.observe({ method, endpoint }, seconds);
  };
}
