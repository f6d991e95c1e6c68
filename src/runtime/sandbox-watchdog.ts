// One deadlock watchdog per worker process, in place of the one thread per sandbox entry that the
// SDK's 5 s timeout makes Node start (see sandbox-thread.ts for why). Installed before the worker
// is created: the SDK's workflow threads then start through sandbox-thread.ts, and this checks
// twice a second how long each has been inside the sandbox.
//
// What a stuck workflow does changes: the SDK failed its workflow task and went on; here the
// thread cannot be interrupted, so the worker process ends, with a log line, and its tasks go to
// another worker. A workflow never loops in a correct build (its code is ours, tested); this keeps
// such a bug from holding a workflow thread forever without a word.
// The module object itself (a default import), whose `Worker` the SDK reads.
import threads, { type WorkerOptions } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from './log';
import { insideForMs, newSandboxEntryClock, type SandboxEntryClock } from './sandbox-entry-clock';
import type { SandboxThreadData } from './sandbox-thread';

/** The SDK's own deadlock timeout. */
export const SANDBOX_DEADLOCK_MS = 5000;
/** The worker's exit code when a workflow is stuck (EX_SOFTWARE). */
export const STUCK_WORKFLOW_EXIT_CODE = 70;

const SDK_WORKFLOW_THREAD_FILE = require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread');
const SANDBOX_THREAD_FILE = join(__dirname, 'sandbox-thread.js');
const CHECK_EVERY_MS = 500;

export interface StuckWorkflowThread {
  threadId: number;
  insideMs: number;
}

export interface SandboxWatchdogOptions {
  logger: Logger;
  /** How long a thread may stay inside the sandbox; the SDK's 5 s by default. */
  deadlockMs?: number;
  /** What to do then; by default, log it and end the process. */
  onStuck?: (stuck: StuckWorkflowThread) => void;
}

let installed = false;

/**
 * Watches the workflow threads that SDK workers of this process start from now on. Once per
 * process: a second call changes nothing.
 */
export function installSandboxWatchdog({
  logger,
  deadlockMs = SANDBOX_DEADLOCK_MS,
  onStuck = (stuck) => endStuckWorker(logger, stuck),
}: SandboxWatchdogOptions): void {
  if (installed) return;
  installed = true;
  const watched = new Map<number, SandboxEntryClock>();
  const SdkWorker = threads.Worker;

  class WatchedWorkflowThread extends SdkWorker {
    constructor(filename: string | URL, options?: WorkerOptions) {
      if (filename !== SDK_WORKFLOW_THREAD_FILE) {
        super(filename, options);
        return;
      }
      const clock = newSandboxEntryClock();
      const workerData: SandboxThreadData = { sdkThreadFile: filename, clock };
      super(SANDBOX_THREAD_FILE, { ...options, workerData });
      const { threadId } = this;
      watched.set(threadId, clock);
      this.once('exit', () => watched.delete(threadId));
    }
  }
  // The SDK looks `Worker` up on this module each time it starts a thread.
  Object.defineProperty(threads, 'Worker', {
    value: WatchedWorkflowThread,
    writable: true,
    configurable: true,
  });

  setInterval(() => {
    for (const [threadId, clock] of watched) {
      const insideMs = insideForMs(clock);
      if (insideMs > deadlockMs) {
        watched.delete(threadId); // reported once
        onStuck({ threadId, insideMs });
      }
    }
  }, CHECK_EVERY_MS).unref();
}

function endStuckWorker(logger: Logger, { threadId, insideMs }: StuckWorkflowThread): void {
  logger.error(
    `workflow thread ${threadId} has been running workflow code for ${(insideMs / 1000).toFixed(1)} s without a pause: a workflow is stuck (an endless loop or a deadlock). The worker ends so that the stuck thread is freed; Temporal gives its tasks to another worker, and the stuck workflow's task times out in its history`,
    { threadId, insideMs: Math.round(insideMs) },
  );
  process.exit(STUCK_WORKFLOW_EXIT_CODE);
}
