// A workflow for test/workflows/held-clock-release.test.ts: it schedules an activity on a task
// queue no worker polls, so the time-skipping server holds its clock for as long as it waits.
import { proxyActivities } from '@temporalio/workflow';

export const UNPOLLED_TASK_QUEUE = 'no-worker-polls-this';

const { neverPicked } = proxyActivities<{ neverPicked(): Promise<void> }>({
  taskQueue: UNPOLLED_TASK_QUEUE,
  startToCloseTimeout: '1 minute',
});

export async function waitsOnAnUnpolledActivity(): Promise<void> {
  await neverPicked();
}
