// How long a workflow task of a person or a reservation may run on a worker before Temporal hands
// it to another. A task started on a worker that dies (kill -9, a lost machine) waits this long:
// Temporal's 10 s made a revocation due just then 10 s late (`npm run chaos`, 59 such timeouts in
// the default run). Our tasks take milliseconds, and about a second on a loaded 2-core machine,
// so 5 s still leaves room for a slow one.
export const WORKFLOW_TASK_TIMEOUT = '5 seconds';
