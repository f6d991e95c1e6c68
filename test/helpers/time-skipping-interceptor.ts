// Workflow interceptor for the time-skipping test server only (bundled by
// `timeSkippingWorkflowBundle`): a timer whose wait is abandoned is left to fire instead of being
// cancelled, and an activity whose scope is cancelled is left to finish instead of being asked to
// stop.
//
// Why, for timers: that server strands a run whose workflow task cancels a timer that fired while
// the task was at the worker (temporalio/sdk-java#2606 and #3088). It refuses the completion
// ("invalid history builder state for action") and never times the task out or sends it again, so
// the run stops for good. It happens when two workflows wake at the same instant and one signals
// the other: the second's timer fires in real time while it handles the signal. A real Temporal
// server fails such a task and sends it again; the dev-server and cluster tests keep the cancel.
//
// Why, for activities: in our runs that server did not deliver a cancellation to a running
// activity (its heartbeats were not told), and it refuses a cancel of an activity whose completion is still on its way
// to the workflow ("ACTIVITY_UNKNOWN"), which strands the run the same way. A real server handles
// both. A pass cancelled because a revocation fell due (src/workflows/pass-preemption.ts) then
// waits here for the write in flight to end by itself, as it would for a cancellation SALTO KS's
// answer overtook; the dev-server tests (test/e2e/pass-preemption.test.ts) prove the cancel.
//
// Nothing the workflows decide changes: the abandoned wait still ends at once, with the same
// CancelledFailure; the timer firing later resolves a promise no code awaits any more.
import { CancellationScope, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      startTimer(input, next) {
        const scope = CancellationScope.current();
        if (!scope.cancellable || scope.consideredCancelled) return next(input);
        // Started outside the scope's cancellation, so no CancelTimer command is ever sent for it.
        const fired = CancellationScope.nonCancellable(() => next(input));
        return new Promise<void>((resolve, reject) => {
          fired.then(resolve, reject);
          scope.cancelRequested.catch(reject);
        });
      },
      scheduleActivity(input, next) {
        const scope = CancellationScope.current();
        if (!scope.cancellable || scope.consideredCancelled) return next(input);
        // Scheduled outside the scope's cancellation: no RequestCancelActivityTask is ever sent.
        return CancellationScope.nonCancellable(() => next(input));
      },
    },
  ],
});
