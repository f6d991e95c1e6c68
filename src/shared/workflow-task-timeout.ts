// The workflow task timeout of the workflows events start: people and reservations.
//
// Why not Temporal's default 10 s: a worker killed in the middle of a workflow task leaves that
// task to time out before another worker may take it, so a door due to close then waits the whole
// timeout. In `npm run chaos -- --short`, kills made revocations 10 to 11 s late; at 5 s none was.
// A task takes milliseconds, up to about a second for a replay after a cache miss (continue-as-new
// keeps histories short), so 5 s leaves a busy worker room. A new run after continue-as-new keeps
// its first run's timeout (Temporal carries it over), so this holds for the person's whole life.
// Workflows already running keep the timeout they started with.
export const WORKFLOW_TASK_TIMEOUT = '5 seconds';
