// Worker options that bound memory, shared by the worker process and the test/bench stacks so
// that what is measured is what runs.
import type { WorkerOptions } from '@temporalio/worker';

/**
 * The default of WORKER_MAX_CACHED_WORKFLOWS. It must hold the workflows that are busy at once (the
 * people who change, and the reservations whose windows open and close): a workflow evicted
 * between two of its tasks has its next task go through the shared queue and be replayed from
 * its whole history. At 500, `npm run chaos` at 20 events per second (about 1,500 such workflows)
 * kept a backlog of hundreds of tasks a minute old on the shared queue, and failed with 72 to 94
 * revocations late by up to two minutes; at 2,000 the same run had no backlog and passed
 * (revocations p99 5 s), each worker at about 470 MiB.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 2000;

/**
 * The sticky cache holds at most this many workflows in memory. The SDK's default grows with the
 * heap (about 2,300 on a 4 GiB heap), so a worker's memory grew with the number of idle people;
 * bounded, an idle person beyond it costs nothing in the worker and is replayed when it wakes
 * (its history is short: it continues-as-new). Workflow tasks in flight never exceed it.
 */
export function workerTuning(
  maxCachedWorkflows = DEFAULT_MAX_CACHED_WORKFLOWS,
): Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'stickyQueueScheduleToStartTimeout'
  | 'maxHeartbeatThrottleInterval'
> {
  return {
    maxCachedWorkflows,
    // A worker that dies (kill -9) leaves the workflow tasks on its own sticky queue: they go to
    // another worker only after this. The SDK's 10 s made a revocation due just after a kill 10 to
    // 16 s late in `npm run chaos`; a live but busy worker missing it only costs a replay elsewhere.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    // At most half the cache busy at once: there is always an idle workflow to evict for a new
    // one, never one in the middle of its task (a local activity in flight would be lost).
    maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.min(40, Math.floor(maxCachedWorkflows / 2))),
    // A cancellation reaches a running activity only in the answer to a heartbeat, which the SDK
    // sends at most every 4 s (0.8 × the 5 s heartbeat timeout). A pass cancelled because a door
    // must close (src/workflows/pass-preemption.ts) would wait that long for a slow SALTO KS call.
    // Only activities that run longer than a second heartbeat at all (activity-liveness.ts).
    maxHeartbeatThrottleInterval: '1 second',
  };
}
