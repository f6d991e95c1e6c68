// What a workflow's history says it did, for tests that count tasks and commands.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CHECKED_SUFFIX } from '../../src/activities/types';

type History = temporal.api.history.v1.IHistory;

/** The activity types the workflow scheduled as activity tasks, in order. */
export function scheduledActivityTypes(history: History): string[] {
  return (history.events ?? []).flatMap((ev) => {
    const name = ev.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** The local activities it ran, in order: a local activity's marker names its type in its JSON details. */
export function localActivityTypes(history: History): string[] {
  return (history.events ?? []).flatMap((ev) => {
    const marker = ev.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    const type = data ? /"activity_type":"(\w+)"/.exec(Buffer.from(data).toString('utf8'))?.[1] : undefined;
    return [type ?? 'unreadable'];
  });
}

/** How many of its search-attribute upserts carry one of ours (the SDK's own TemporalChangeVersion aside). */
export function ownSearchAttributeUpserts(history: History, ownKey: string): number {
  return (history.events ?? []).filter((ev) => {
    const fields = ev.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    return fields ? Object.keys(fields).includes(ownKey) : false;
  }).length;
}

/** Whether the history records the patch marker for `patchId` (its details name it). */
export function marksPatch(events: temporal.api.history.v1.IHistoryEvent[], patchId: string): boolean {
  return events.some((ev) => {
    const marker = ev.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return false;
    return Object.values(marker.details ?? {}).some((p) =>
      (p.payloads ?? []).some((payload) =>
        Buffer.from(payload.data ?? [])
          .toString('utf8')
          .includes(patchId),
      ),
    );
  });
}

/**
 * Whether the history's last workflow task is scheduled or running, not yet done. Read from the
 * history itself: on a loaded machine, describe alone once let a reservation pass for settled
 * with a signal it had not yet folded.
 */
export function workflowTaskOpen(events: readonly temporal.api.history.v1.IHistoryEvent[]): boolean {
  const { EventType } = temporal.api.enums.v1;
  for (let i = events.length - 1; i >= 0; i--) {
    switch (events[i]!.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        return true;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        return false;
      default:
        break;
    }
  }
  return false;
}

/** The history of each run of a workflow, from `firstRunId` along its chain of continue-as-new. */
export async function* runHistories(
  client: Client,
  workflowId: string,
  firstRunId: string,
): AsyncGenerator<History> {
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    yield history;
    runId =
      history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
}

/**
 * An activity type's name without the suffix of its checked variant: a pass that decides on the
 * set-up it holds calls `ensureSaltoUserChecked` where another calls `ensureSaltoUser`.
 */
export function activityBaseName(name: string | null | undefined): string | undefined {
  return name?.endsWith(CHECKED_SUFFIX) ? name.slice(0, -CHECKED_SUFFIX.length) : (name ?? undefined);
}
