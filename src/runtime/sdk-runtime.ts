// The worker's Temporal SDK runtime: its log lines in the worker's own format (src/runtime/log.ts),
// and its own metrics (task slots, poll and task latencies, sticky cache…) for GET /metrics. A
// module of its own: the API process, which has no worker, does not load the SDK's native runtime.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogFields, Logger } from './log';

/** The ids the Temporal SDK puts on its log lines that ours carry too (never payloads or errors' text). */
const SDK_ID_FIELDS = [
  'namespace',
  'taskQueue',
  'workflowId',
  'runId',
  'workflowType',
  'activityId',
  'activityType',
  'attempt',
];

/**
 * Installs the SDK runtime, before any connection of the worker. Its lines go through `logger`
 * with their ids only: an SDK line's other metadata may hold an error's message, which can quote
 * what SALTO KS answered. With `metricsPort`, the SDK serves its metrics on that loopback port, for
 * the worker's /metrics to add to its own (sdkMetricsText).
 */
export function installSdkRuntime(logger: Logger, metricsPort: number | null): void {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const meta = (entry.meta ?? {}) as Record<string, unknown>;
      const fields: LogFields = {};
      for (const key of SDK_ID_FIELDS) {
        const value = meta[key];
        if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
      }
      const level = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : 'info';
      logger[level](`sdk: ${entry.message}`, fields);
    }),
    ...(metricsPort === null
      ? {}
      : {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: `127.0.0.1:${metricsPort}`,
                // Prometheus' own conventions, as prom-client's series follow them.
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          },
        }),
  });
}

/** The SDK's metrics in Prometheus text, or a comment saying they could not be read. */
export async function sdkMetricsText(metricsPort: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return `# the Temporal SDK's metrics answered ${res.status}\n`;
    return await res.text();
  } catch (error) {
    return `# the Temporal SDK's metrics could not be read: ${String(error).replace(/\n/g, ' ')}\n`;
  }
}

/** A free loopback port for the SDK's metrics (the OS picks it; the SDK binds it right after). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
