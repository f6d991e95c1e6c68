// Activity stubs with the retry behaviour workflows rely on. A short SALTO KS burst of 5xx/429 is
// absorbed by these retries (1 s, 2 s, 4 s: about 7 s, or what Retry-After asks); a longer outage
// by the person's own durable retry timer (person.ts), so a person workflow never blocks for long
// inside an activity and keeps taking signals.
import {
  ActivityCancellationType,
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { SaltoActivities } from '../activities/types';
import type { CoordinationActivities } from '../activities/coordination-types';

// Both heartbeat while they run (src/activities/activity-liveness.ts): a worker
// killed in the middle of one is noticed in 5 s, and the activity retried on another worker.
export const SALTO_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '4 seconds',
    maximumAttempts: 4,
  },
  // A pass cancelled for a revocation (pass-preemption.ts) goes on only once the write in flight
  // has stopped: a group it was giving cannot land after the revocation that follows.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/** The SALTO KS activities; `executeWithOptions({ ...SALTO_ACTIVITY_OPTIONS, summary }, …)` adds a Web UI summary. */
export const salto = proxyActivities<SaltoActivities>(SALTO_ACTIVITY_OPTIONS);

/**
 * For work nobody waits on (reconciliation): SALTO KS failing for longer than a burst delays it
 * rather than failing the run, which would leave drift in place until the next one.
 */
export const saltoPatient = proxyActivities<SaltoActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const coordination = proxyActivities<CoordinationActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * Reading the set-up is a describe answered by the server alone, in milliseconds, and changes
 * nothing: as a local activity it runs inside the workflow task that needs it, without a task of
 * its own through the queue (one workflow task and one activity task fewer per pass). Only runs
 * started before ACTIVITY_TASKS_ONLY_PATCH still call it (activity-tasks-only.ts says why).
 */
export const coordinationLocal = proxyLocalActivities<CoordinationActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The set-up fan-out and site reconciliation read many workflows: longer, with heartbeats. */
export const coordinationLong = proxyActivities<CoordinationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Since 0.5.0 a reservation reads the set-up, and a person or reservation signals a person, with
 * local activities: each ran as an activity task, which costs the server three history events, a
 * task through the queue and one more workflow task to take its result. Under `npm run chaos` that
 * load kept a backlog on the dev server. A local activity acts before its workflow task completes,
 * and a lost task's next attempt may have folded newer events: a read changes nothing, and a
 * reservation's status is keyed by the fact it tells, so a newer fact goes under a newer key, and
 * every customer the folded events passed over is told too (TELL_FOLDED_CUSTOMERS_PATCH). A
 * person's news to its co-members and masters goes by activity task (PERSON_NEWS_BY_ACTIVITY_PATCH).
 */
export const LOCAL_COORDINATION_PATCH = 'local-coordination';

/**
 * The set-up read and the person signal: by activity task in a run that uses no local activity
 * (`tasksOnly`, activity-tasks-only.ts); else as local activities where LOCAL_COORDINATION_PATCH
 * holds.
 */
export function coordinationCalls(
  tasksOnly: boolean,
): Pick<CoordinationActivities, 'loadSetup' | 'signalPerson'> {
  if (tasksOnly) return coordination;
  return patched(LOCAL_COORDINATION_PATCH) ? coordinationLocal : coordination;
}
