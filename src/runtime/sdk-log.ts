// The Temporal SDK's log lines in the worker's own format (src/runtime/log.ts). A module of its
// own: the API process, which has no worker, does not load the SDK's native worker runtime.
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
 * The Temporal SDK's own lines (worker state, workflow and activity logs) through this logger, in
 * the same format, with their ids only: an SDK line's other metadata may hold an error's message,
 * which can quote what SALTO KS answered.
 */
export function installSdkLogger(logger: Logger): void {
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
  });
}
