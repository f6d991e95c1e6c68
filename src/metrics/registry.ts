// One Prometheus registry per process, served at /metrics (the API's, the worker's health port).
// Every series carries `component` (api or worker); none carries a name, an e-mail or an id.
import { collectDefaultMetrics, Registry } from 'prom-client';

export type MetricsComponent = 'api' | 'worker';

/** A fresh registry with the process's own figures (CPU, memory, event loop lag, handles). */
export function createMetricsRegistry(component: MetricsComponent): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry });
  return registry;
}
