// What the engine asked of Temporal during a chaos run, read back from every workflow's history:
// workflow tasks, and those that timed out. A workflow task that waits out its sticky queue
// (schedule-to-start) runs on another worker, which first replays the workflow's whole history;
// one that times out running (start-to-close) waited Temporal's workflow-task timeout (10 s) on a
// killed or overloaded worker. Under load both cost CPU and time, so the report counts them.
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { minuteOfRun } from './late-profile';
import { quantiles } from './quantiles';

type HistoryEvent = proto.api.history.v1.IHistoryEvent;

export interface TaskTally {
  workflows: number;
  historyEvents: number;
  workflowTasks: number;
  /** Timed out on a worker's sticky queue, then replayed from the start elsewhere. */
  stickyTimeouts: number;
  /** Timed out while running (a killed worker, or one too busy to finish in time). */
  runningTimeouts: number;
  /**
   * History events a worker had to replay before it could run the task that followed a timed-out
   * one: the workflow's history up to the timeout, since that worker no longer held (or never held)
   * the workflow in its cache. A measure of the replay work that kills and sticky timeouts cost.
   */
  eventsReplayed: number;
  activityTasks: number;
  localActivities: number;
  /** Local activities by activity type (from the marker's own data, which the payload codec leaves plain). */
  localActivitiesByType: Record<string, number>;
  signals: number;
  timersFired: number;
  /**
   * By workflow type (person, reservation, …): its runs, its workflow tasks by what each one came
   * for, and its activity tasks by activity type. Where the tasks go, so the next lever shows.
   */
  byWorkflowType: Record<string, WorkflowTypeTasks>;
  /**
   * Per minute of the run (by when a task was first scheduled): how long workflow tasks waited
   * from being scheduled until a worker started them (a task that waited out a sticky queue and
   * was scheduled again counts from its first scheduling), and the sticky timeouts. Where the
   * queue was long, and when.
   */
  byMinute: MinuteOfTasks[];
  /**
   * Each started workflow task's wait since its own scheduling, by the queue it was scheduled on:
   * a worker's sticky queue (the workflow is in that worker's cache) or the task queue all workers
   * share (a new workflow, or one whose worker died or missed it, replayed by whoever takes it).
   * The shared queue is where a kill's work lands, so its wait is what makes those tasks late.
   */
  waitsByQueueMs: { sticky: number[]; shared: number[] };
}

export interface WorkflowTypeTasks {
  runs: number;
  /**
   * Workflow tasks by what they came for: the event just before the task was scheduled (a signal,
   * an activity's answer, a timer, the start: a signal-with-start's first task counts as the
   * signal's), or `timed out` for a task scheduled again after one timed out (sticky or running).
   */
  workflowTasksByCause: Record<string, number>;
  activityTasksByType: Record<string, number>;
}

export interface MinuteOfTasks {
  /** Workflow tasks started, with their waits in ms. */
  waitsMs: number[];
  stickyTimeouts: number;
}

export function emptyTally(): TaskTally {
  return {
    workflows: 0,
    historyEvents: 0,
    workflowTasks: 0,
    stickyTimeouts: 0,
    runningTimeouts: 0,
    eventsReplayed: 0,
    activityTasks: 0,
    localActivities: 0,
    localActivitiesByType: {},
    signals: 0,
    timersFired: 0,
    byWorkflowType: {},
    byMinute: [],
    waitsByQueueMs: { sticky: [], shared: [] },
  };
}

function minuteOf(tally: TaskTally, at: number, runStartMs: number): MinuteOfTasks {
  const m = minuteOfRun(at, runStartMs);
  for (let i = tally.byMinute.length; i <= m; i++) tally.byMinute.push({ waitsMs: [], stickyTimeouts: 0 });
  return tally.byMinute[m]!;
}

/** What a workflow task came for, by the event before its scheduling (see WorkflowTypeTasks). */
function causeOf(events: readonly HistoryEvent[], scheduledAt: number): string {
  const { EventType } = proto.api.enums.v1;
  for (let i = scheduledAt - 1; i >= 0; i--) {
    switch (events[i]!.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        return 'timed out';
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        continue;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        return 'signal';
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        return 'activity answer';
      case EventType.EVENT_TYPE_TIMER_FIRED:
        return 'timer';
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return 'start';
      default:
        return 'other';
    }
  }
  return 'other';
}

function addTo(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Adds one workflow run's history to the tally; `runStartMs` is minute 0 of `byMinute` (absent:
 * no tally by minute); `workflowType` files it under byWorkflowType.
 */
export function addHistory(
  tally: TaskTally,
  events: readonly HistoryEvent[],
  runStartMs?: number,
  workflowType = 'unknown',
): void {
  const { EventType, TimeoutType, TaskQueueKind } = proto.api.enums.v1;
  tally.workflows++;
  tally.historyEvents += events.length;
  const ofType = (tally.byWorkflowType[workflowType] ??= {
    runs: 0,
    workflowTasksByCause: {},
    activityTasksByType: {},
  });
  ofType.runs++;
  /** When the task now waiting was first scheduled (null: none waits). */
  let waitingSince: number | null = null;
  /** The latest scheduling of the task now waiting: when, and on which kind of queue. */
  let scheduled: { at: number; sticky: boolean } | null = null;
  events.forEach((e, index) => {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        tally.workflowTasks++;
        addTo(ofType.workflowTasksByCause, causeOf(events, index));
        waitingSince ??= optionalTsToMs(e.eventTime) ?? null;
        {
          const at = optionalTsToMs(e.eventTime);
          const kind = e.workflowTaskScheduledEventAttributes?.taskQueue?.kind;
          scheduled = at === undefined ? null : { at, sticky: kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY };
        }
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const at = optionalTsToMs(e.eventTime);
        if (waitingSince !== null && at !== undefined && runStartMs !== undefined)
          minuteOf(tally, waitingSince, runStartMs).waitsMs.push(Math.max(0, at - waitingSince));
        if (scheduled !== null && at !== undefined)
          tally.waitsByQueueMs[scheduled.sticky ? 'sticky' : 'shared'].push(Math.max(0, at - scheduled.at));
        waitingSince = null;
        scheduled = null;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: {
        const sticky =
          e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
        if (sticky) {
          tally.stickyTimeouts++;
          const at = optionalTsToMs(e.eventTime);
          if (at !== undefined && runStartMs !== undefined) minuteOf(tally, at, runStartMs).stickyTimeouts++;
        } else tally.runningTimeouts++;
        tally.eventsReplayed += index;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        tally.activityTasks++;
        addTo(
          ofType.activityTasksByType,
          e.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown',
        );
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
          tally.localActivities++;
          const type = localActivityType(e.markerRecordedEventAttributes);
          addTo(tally.localActivitiesByType, type);
        }
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        tally.signals++;
        break;
      case EventType.EVENT_TYPE_TIMER_FIRED:
        tally.timersFired++;
        break;
      default:
        break;
    }
  });
}

/** The activity type a local-activity marker records in its `data` detail (JSON); 'unknown' if absent. */
function localActivityType(marker: proto.api.history.v1.IMarkerRecordedEventAttributes): string {
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return 'unknown';
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown };
    return typeof parsed.activity_type === 'string' ? parsed.activity_type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads every workflow run on the task queue (a few at a time) and tallies their histories. */
export async function tallyWorkflowTasks(
  client: Client,
  taskQueue: string,
  runStartMs: number,
  concurrency = 8,
): Promise<TaskTally> {
  const runs: { workflowId: string; runId: string; type: string }[] = [];
  for await (const wf of client.workflow.list())
    if (wf.taskQueue === taskQueue) runs.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
  const tally = emptyTally();
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      addHistory(tally, history.events ?? [], runStartMs, run.type);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return tally;
}

function byType(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  return entries.length === 0 ? 'none' : entries.map(([type, n]) => `${type} ${n}`).join(', ');
}

/** The report's line: each figure, and the timed-out shares of workflow tasks. */
export function taskTallyLine(t: TaskTally): string {
  const share = (n: number) =>
    t.workflowTasks === 0 ? '0 %' : `${((n / t.workflowTasks) * 100).toFixed(1)} %`;
  return (
    `${t.workflowTasks} workflow tasks in ${t.workflows} workflow runs (${t.historyEvents} history events): ` +
    `${t.stickyTimeouts} (${share(t.stickyTimeouts)}) waited out their worker's sticky queue and were replayed elsewhere, ` +
    `${t.runningTimeouts} (${share(t.runningTimeouts)}) timed out running, ` +
    `${t.eventsReplayed} history events replayed after them; ` +
    `${t.activityTasks} activity tasks, ${t.localActivities} local activities (${byType(t.localActivitiesByType)}), ` +
    `${t.signals} signals, ${t.timersFired} timers fired`
  );
}

/**
 * The report's line of where the tasks went, by workflow type: runs, workflow tasks by what they
 * came for, activity tasks by type (each list largest first).
 */
export function taskTypesLine(t: TaskTally): string {
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.entries(t.byWorkflowType)
    .sort(([, a], [, b]) => total(b.workflowTasksByCause) - total(a.workflowTasksByCause))
    .map(
      ([type, w]) =>
        `${type}: ${w.runs} runs, ${total(w.workflowTasksByCause)} workflow tasks (${byType(w.workflowTasksByCause)}), ` +
        `${total(w.activityTasksByType)} activity tasks (${byType(w.activityTasksByType)})`,
    )
    .join('; ');
}

/**
 * The report's line of workflow-task waits by minute: tasks started, p50 and p99 of their wait
 * from scheduled to started, and sticky timeouts, each minute marked as the late profile marks it.
 */
export function taskWaitLine(t: TaskTally, marked: ReadonlySet<number> = new Set()): string {
  return t.byMinute
    .map((m, i) => {
      const { p50, p99 } = quantiles(m.waitsMs);
      const waits = m.waitsMs.length === 0 ? '–' : `${seconds(p50)}/${seconds(p99)} s`;
      return `m${i}${marked.has(i) ? '*' : ''} ${m.waitsMs.length}: ${waits}, ${m.stickyTimeouts} sticky`;
    })
    .join('; ');
}

/**
 * The report's line of workflow-task waits by queue: p50, p90 and p99 of the wait from a task's
 * scheduling on a worker's sticky queue or on the shared task queue until a worker started it.
 */
export function queueWaitLine(t: TaskTally): string {
  const part = (name: string, waits: readonly number[]) => {
    if (waits.length === 0) return `${name} none`;
    const { p50, p90, p99 } = quantiles(waits);
    return `${name} ${waits.length}: ${seconds(p50)}/${seconds(p90)}/${seconds(p99)} s`;
  };
  return `${part('sticky queues', t.waitsByQueueMs.sticky)}; ${part('shared queue', t.waitsByQueueMs.shared)}`;
}

/** Seconds, with a tenth below 10 s. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
