// Bundled in place of src/workflows/activity-tasks-only.ts (stack.ts, 'runs with local
// activities'): every person and reservation run goes as a run started before the patch
// `activity-tasks-only` goes on today's code, with its local activities. Tests of what such runs
// still do (a lost task after a local activity acted) run on it.
export const ACTIVITY_TASKS_ONLY_PATCH = 'activity-tasks-only';

export function activityTasksOnly(): boolean {
  return false;
}
