import { patched } from '@temporalio/workflow';

/**
 * Since 0.6.0 a person or reservation run started on this code runs no local activity: the set-up
 * read, the e-mail's hash and every signal to a person go by activity task. The SDK (1.24.0, the
 * newest) does not always replay a local activity's result in the workflow task that took it. While
 * events keep coming, a local activity's marker can land in one task while the workflow takes its
 * result only in the next; or the server fails the task held open by the local activity once too
 * many events wait behind it, and the next task runs several of them at once. On replay the
 * workflow then goes on a task early, before the events of that task: a patch asked after it
 * answers false, a decision sees fewer events, and the run fails every workflow task with a
 * nondeterminism error (docs/reliability.md). An activity's result is a history event of its own,
 * taken in the same task on replay as it was at first. The patch is asked once, first thing in the
 * run, before any activity: its marker is in the run's first task, and a run started on the code
 * before keeps its local activities to its end (a person's run until it continues as new, a
 * reservation's until it ends).
 */
export const ACTIVITY_TASKS_ONLY_PATCH = 'activity-tasks-only';

/**
 * Whether this run calls coordination by activity task only. Ask it once, first thing in the run,
 * and keep the answer: asked again later, a run started before the patch that now runs live would
 * answer true and write the marker in the middle of its history. Its own module, so that a test can
 * bundle the workflows as a run started before the patch runs them
 * (test/helpers/before-activity-tasks-only.ts).
 */
export function activityTasksOnly(): boolean {
  return patched(ACTIVITY_TASKS_ONLY_PATCH);
}
