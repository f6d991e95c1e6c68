// What one periodic reconciliation costs a space at rest: the product's schedule starts it every
// RECONCILE_INTERVAL_MINUTES (default 15), so it is part of the idle cost, which a quiet minute
// alone does not show. Timed from its start until the machine is back to its idle CPU, because
// the people it tells do their part after the reconciliation workflow itself has ended.
import { uniqueId } from '../e2e/e2e-support';
import type { Stack } from '../helpers/stack';
import type { ReconcileResult } from '../../src/workflows/reconcile';

export interface ReconcileCost {
  /** The reconciliation workflow, start to end. */
  workflowSeconds: number;
  /** Start until a 5 s window used no more than twice the idle CPU (+0.05 s). */
  untilQuietSeconds: number;
  /** False when it gave up waiting after 30 minutes: the figures then stop there. */
  quiet: boolean;
  /** CPU of every part (this process, the Temporal server, PostgreSQL) above their idle rate. */
  cpuSeconds: number;
  result: ReconcileResult;
}

const WINDOW_MS = 5000;
const GIVE_UP_MS = 30 * 60_000;

/**
 * @param cpuNow CPU seconds used so far by every part of the run, summed
 * @param idleCpuPerSecond what they use per second at rest, measured just before
 */
export async function reconcileCost(
  stack: Stack,
  cpuNow: () => number,
  idleCpuPerSecond: number,
): Promise<ReconcileCost> {
  const cpuAtStart = cpuNow();
  const started = performance.now();
  // Bounded: a reconciliation that cannot finish (its activities retry for ever) ends the run
  // with an error that says so, instead of holding it until someone stops it.
  const result = await stack.client.workflow
    .execute<() => Promise<ReconcileResult>>('reconcileAllSitesWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: uniqueId('bench-reconcile'),
      args: [],
      workflowExecutionTimeout: GIVE_UP_MS,
    })
    .catch((err: unknown) => {
      throw new Error(`the reconciliation did not complete (it is given ${GIVE_UP_MS / 60_000} minutes)`, {
        cause: err,
      });
    });
  const workflowSeconds = (performance.now() - started) / 1000;
  let windowStart = performance.now();
  let cpuAtWindow = cpuNow();
  let quiet = false;
  while (!quiet && performance.now() - started < GIVE_UP_MS) {
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cpu = cpuNow();
    quiet = cpu - cpuAtWindow <= 2 * idleCpuPerSecond * (WINDOW_MS / 1000) + 0.05;
    if (!quiet) {
      windowStart = performance.now();
      cpuAtWindow = cpu;
    }
  }
  const untilQuietSeconds = (windowStart - started) / 1000;
  return {
    workflowSeconds,
    untilQuietSeconds,
    quiet,
    cpuSeconds: Math.max(0, cpuAtWindow - cpuAtStart - idleCpuPerSecond * untilQuietSeconds),
    result,
  };
}
