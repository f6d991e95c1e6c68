// One deadlock watchdog per worker process, in place of the thread per sandbox entry that the
// SDK's 5 s timeout makes Node start (see sandbox-thread.ts for why). Installed before the worker
// is created: the SDK's workflow threads then start through sandbox-thread.ts, and this checks
// twice a second how long each has been inside the sandbox.
//
// What a stuck workflow does changes. The SDK's timeout interrupted the thread, failed that
// workflow task and went on. Here nothing interrupts the thread (terminating it would break the
// SDK's worker), so the worker process ends with a line naming the workflow, and Temporal gives
// its tasks to another worker, where the same workflow gets stuck again until it is terminated or
// reset (docs/production.md). A workflow never loops in a correct build: its code is ours, tested.

// The module object itself (a default import): the SDK reads `Worker` from it.
import threads, { type WorkerOptions } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from './log';
import {
  insideForMs,
  newSandboxThreadState,
  recordedWorkflow,
  type SandboxThreadState,
  type SandboxWorkflow,
} from './sandbox-thread-state';
import type { SandboxThreadData } from './sandbox-thread';

/** The SDK's own deadlock timeout. */
export const SANDBOX_DEADLOCK_MS = 5000;
/** The worker's exit code when a workflow is stuck (EX_SOFTWARE). */
export const STUCK_WORKFLOW_EXIT_CODE = 70;

const SDK_WORKFLOW_THREAD_FILE = require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread');
const SANDBOX_THREAD_FILE = join(__dirname, 'sandbox-thread.js');
const CHECK_EVERY_MS = 500;

interface StuckWorkflowThread {
  threadId: number;
  insideMs: number;
  /** The workflow of the thread's latest request from the SDK. */
  workflow: SandboxWorkflow | null;
}

export interface SandboxWatchdogOptions {
  logger: Logger;
  /** How long a thread may stay inside the sandbox; the SDK's 5 s by default. */
  deadlockMs?: number;
}

let installedWith: number | null = null;
let threadsStarted = 0;

/**
 * Watches the workflow threads that SDK workers of this process start from now on. Once per
 * process: a second call with the same deadline changes nothing, with another one it throws.
 */
export function installSandboxWatchdog({
  logger,
  deadlockMs = SANDBOX_DEADLOCK_MS,
}: SandboxWatchdogOptions): void {
  if (installedWith !== null) {
    if (installedWith !== deadlockMs)
      throw new Error(
        `the sandbox watchdog is already installed with a ${installedWith} ms deadline, not ${deadlockMs} ms`,
      );
    return;
  }
  installedWith = deadlockMs;
  const watched = new Map<number, SandboxThreadState>();
  const SdkWorker = threads.Worker;

  class WatchedWorkflowThread extends SdkWorker {
    constructor(filename: string | URL, options?: WorkerOptions) {
      // Data of the SDK's own would be lost: then the thread starts as the SDK asked.
      if (filename !== SDK_WORKFLOW_THREAD_FILE || options?.workerData !== undefined) {
        super(filename, options);
        return;
      }
      const state = newSandboxThreadState();
      const workerData: SandboxThreadData = { sdkThreadFile: filename, state };
      super(SANDBOX_THREAD_FILE, { ...options, workerData });
      threadsStarted++;
      const { threadId } = this;
      watched.set(threadId, state);
      this.once('exit', () => watched.delete(threadId));
    }
  }
  Object.defineProperty(threads, 'Worker', {
    value: WatchedWorkflowThread,
    writable: true,
    configurable: true,
  });

  setInterval(() => {
    for (const [threadId, state] of watched) {
      const insideMs = insideForMs(state);
      if (insideMs > deadlockMs) {
        watched.delete(threadId); // reported once
        endStuckWorker(logger, { threadId, insideMs, workflow: recordedWorkflow(state) });
      }
    }
  }, CHECK_EVERY_MS).unref();
}

/** Workflow threads started under the watchdog in this process: 0 after a worker started means the SDK started its threads some other way, and keeps its per-call timeout. */
export function watchedThreadsStarted(): number {
  return threadsStarted;
}

function endStuckWorker(logger: Logger, { threadId, insideMs, workflow }: StuckWorkflowThread): void {
  logger.error(
    `a workflow is stuck: it has kept workflow thread ${threadId} for ${(insideMs / 1000).toFixed(1)} s (an endless loop or a deadlock). The worker ends to free the thread; its tasks go to another worker. Terminate or reset that workflow`,
    { threadId, insideMs: Math.round(insideMs), ...(workflow ?? {}) },
  );
  process.exit(STUCK_WORKFLOW_EXIT_CODE);
}
