// Workflow interceptor for tests that lose a workflow task on purpose (bundled with
// `workflowInterceptorModules`): when a local activity answers LOSE_THIS_TASK, the workflow task
// fails, as if its worker had been killed after the local activity acted and before the task
// completed. The next attempt replays from the last completed task, with the events that came
// meanwhile, and runs the local activity again. The test's activity interceptor decides which
// call answers it, once.
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const LOSE_THIS_TASK = 'lose-this-workflow-task';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleLocalActivity(input, next) {
        const result = await next(input);
        // A plain Error fails the workflow task (not the workflow), so the server sends it again.
        if (result === LOSE_THIS_TASK)
          throw new Error(`the test loses this workflow task after ${input.activityType}`);
        return result;
      },
    },
  ],
});
