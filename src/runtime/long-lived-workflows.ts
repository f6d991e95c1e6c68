// What must always exist on the Temporal side: the set-up workflow and the reconcile schedule.
// Both calls are idempotent, so every worker may make them at start.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import {
  RECONCILE_SCHEDULE_ID,
  SETUP_WORKFLOW_ID,
  SETUP_WORKFLOW_TYPE,
  reconcileWorkflowId,
} from '../shared/ids';
import type { SetupWorkflowInput } from '../workflows/setup';

export async function ensureSetupWorkflow(
  client: Client,
  taskQueue: string,
  defaults: SetupWorkflowInput,
): Promise<void> {
  await client.workflow.start(SETUP_WORKFLOW_TYPE, {
    workflowId: SETUP_WORKFLOW_ID,
    taskQueue,
    args: [defaults],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function ensureReconcileSchedule(
  client: Client,
  taskQueue: string,
  intervalMinutes: number,
): Promise<void> {
  const spec = { intervals: [{ every: `${intervalMinutes} minutes` as const }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconcileAllSitesWorkflow',
    workflowId: reconcileWorkflowId('all-sites'),
    taskQueue,
    args: [],
  };
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // It exists: keep it, but follow the configured interval.
    await client.schedule
      .getHandle(RECONCILE_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action }));
  }
}
