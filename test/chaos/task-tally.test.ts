// The chaos report's tally of what the engine asked of Temporal, from workflow histories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import {
  addHistory,
  emptyTally,
  queueWaitLine,
  taskTallyLine,
  taskTypesLine,
  taskWaitLine,
} from './task-tally';

const { EventType, TimeoutType, TaskQueueKind } = proto.api.enums.v1;
type HistoryEvent = proto.api.history.v1.IHistoryEvent;

const scheduled: HistoryEvent = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED };
const timedOut = (timeoutType: proto.api.enums.v1.TimeoutType): HistoryEvent => ({
  eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  workflowTaskTimedOutEventAttributes: { timeoutType },
});

/** A local activity's marker as core writes it: the activity type in a plain JSON `data` detail. */
const laMarker = (activityType: string): HistoryEvent => ({
  eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
  markerRecordedEventAttributes: {
    markerName: 'core_local_activity',
    details: {
      data: {
        payloads: [
          {
            data: Buffer.from(
              JSON.stringify({ seq: 1, attempt: 1, activity_id: '1', activity_type: activityType }),
            ),
          },
        ],
      },
    },
  },
});

describe('the chaos run’s task tally', () => {
  it('tells a task that waited out its sticky queue from one that timed out running', () => {
    const tally = emptyTally();
    // A task on a busy worker's sticky queue, moved to the shared queue; then one on a killed worker.
    addHistory(tally, [
      { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
      scheduled,
      timedOut(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
      scheduled,
      { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED },
      timedOut(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
      scheduled,
    ]);
    assert.equal(tally.workflows, 1);
    assert.equal(tally.historyEvents, 7);
    assert.equal(tally.workflowTasks, 3);
    assert.equal(tally.stickyTimeouts, 1);
    assert.equal(tally.runningTimeouts, 1);
    // The next worker replays what came before each timeout: 2 events, then 5.
    assert.equal(tally.eventsReplayed, 2 + 5);
  });

  it('counts local activities by their marker only, and adds up across runs', () => {
    const tally = emptyTally();
    addHistory(tally, [
      laMarker('loadSetup'),
      laMarker('loadSetup'),
      laMarker('signalPerson'),
      {
        eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
        markerRecordedEventAttributes: { markerName: 'core_patch' },
      },
      { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED },
      { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      { eventType: EventType.EVENT_TYPE_TIMER_FIRED },
    ]);
    addHistory(tally, [{ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED }, scheduled]);
    assert.deepEqual(
      { ...tally },
      {
        workflows: 2,
        historyEvents: 9,
        workflowTasks: 1,
        stickyTimeouts: 0,
        runningTimeouts: 0,
        eventsReplayed: 0,
        activityTasks: 1,
        localActivities: 3,
        localActivitiesByType: { loadSetup: 2, signalPerson: 1 },
        signals: 2,
        timersFired: 1,
        byWorkflowType: {
          unknown: { runs: 2, workflowTasksByCause: { signal: 1 }, activityTasksByType: { unknown: 1 } },
        },
        byMinute: [],
        waitsByQueueMs: { sticky: [], shared: [] },
      },
    );
  });

  it('files workflow tasks by workflow type and by what each came for, and activity tasks by type', () => {
    const tally = emptyTally();
    const activity = (name: string): HistoryEvent => ({
      eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
      activityTaskScheduledEventAttributes: { activityType: { name } },
    });
    const started = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED };
    const completed = { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED };
    addHistory(
      tally,
      [
        { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
        { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
        scheduled, // a signal-with-start's first task: the signal's
        started,
        completed,
        activity('loadSetup'),
        { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED },
        scheduled, // the read's answer
        started,
        timedOut(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
        scheduled, // again, after a killed worker
        started,
        completed,
        activity('ensureSaltoUserChecked'),
        { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED },
        scheduled, // the call's failure
        started,
        completed,
        { eventType: EventType.EVENT_TYPE_TIMER_FIRED },
        scheduled,
      ],
      undefined,
      'personWorkflow',
    );
    addHistory(
      tally,
      [
        { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
        scheduled,
        started,
        completed,
        activity('signalPerson'),
      ],
      undefined,
      'reservationWorkflow',
    );
    addHistory(
      tally,
      [{ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED }, scheduled],
      undefined,
      'reservationWorkflow',
    );
    assert.deepEqual(tally.byWorkflowType, {
      personWorkflow: {
        runs: 1,
        workflowTasksByCause: { 'activity answer': 2, 'timed out': 1, timer: 1, signal: 1 },
        activityTasksByType: { loadSetup: 1, ensureSaltoUserChecked: 1 },
      },
      reservationWorkflow: {
        runs: 2,
        workflowTasksByCause: { signal: 1, start: 1 },
        activityTasksByType: { signalPerson: 1 },
      },
    });
    assert.equal(
      taskTypesLine(tally),
      'personWorkflow: 1 runs, 5 workflow tasks (activity answer 2, signal 1, timed out 1, timer 1), ' +
        '2 activity tasks (ensureSaltoUserChecked 1, loadSetup 1); ' +
        'reservationWorkflow: 2 runs, 2 workflow tasks (signal 1, start 1), 1 activity tasks (signalPerson 1)',
    );
  });

  it('prints the timed-out shares of all workflow tasks', () => {
    const tally = {
      ...emptyTally(),
      workflows: 3,
      workflowTasks: 200,
      stickyTimeouts: 25,
      runningTimeouts: 1,
    };
    const line = taskTallyLine(tally);
    assert.match(line, /^200 workflow tasks in 3 workflow runs/);
    assert.match(line, /25 \(12\.5 %\) waited out their worker's sticky queue/);
    assert.match(line, /1 \(0\.5 %\) timed out running/);
    assert.match(taskTallyLine(emptyTally()), /0 \(0 %\) waited out/);
    assert.match(taskTallyLine(emptyTally()), /0 local activities \(none\)/);
    const byType = taskTallyLine({
      ...emptyTally(),
      localActivities: 4,
      localActivitiesByType: { signalPerson: 1, loadSetup: 3 },
    });
    assert.match(byType, /4 local activities \(loadSetup 3, signalPerson 1\)/);
  });

  it('times each workflow task from its first scheduling to its start, by the minute it was scheduled in', () => {
    const run0 = Date.parse('2026-12-05T10:00:00Z');
    const at = (ms: number) => msToTs(run0 + ms);
    const tally = emptyTally();
    addHistory(
      tally,
      [
        { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, eventTime: at(0) },
        { ...scheduled, eventTime: at(1_000) },
        { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, eventTime: at(1_250) },
        // Scheduled in minute 1 on a sticky queue nobody took: 3 s later on the shared queue,
        // started 12 s after its first scheduling, which is what the signal behind it waited.
        { ...scheduled, eventTime: at(61_000) },
        { ...timedOut(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START), eventTime: at(64_000) },
        { ...scheduled, eventTime: at(64_000) },
        { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, eventTime: at(73_000) },
        // Scheduled in minute 2, still waiting when the history was read: nothing to time.
        { ...scheduled, eventTime: at(125_000) },
      ],
      run0,
    );
    assert.deepEqual(tally.byMinute, [
      { waitsMs: [250], stickyTimeouts: 0 },
      { waitsMs: [12_000], stickyTimeouts: 1 },
    ]);
    assert.equal(taskWaitLine(tally, new Set([1])), 'm0 1: 0.3/0.3 s, 0 sticky; m1* 1: 12/12 s, 1 sticky');

    // A minute with a sticky timeout and no task started yet has no wait to give; without the run's
    // start, nothing is tallied by minute.
    const stuck = emptyTally();
    const history = [
      { ...scheduled, eventTime: at(1_000) },
      { ...timedOut(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START), eventTime: at(4_000) },
    ];
    addHistory(stuck, history, run0);
    assert.equal(taskWaitLine(stuck), 'm0 0: –, 1 sticky');
    const unplaced = emptyTally();
    addHistory(unplaced, history);
    assert.deepEqual(unplaced.byMinute, []);
    assert.equal(unplaced.stickyTimeouts, 1);
  });

  it('times each started workflow task from its last scheduling, apart for sticky queues and the shared queue', () => {
    const run0 = Date.parse('2026-12-05T10:00:00Z');
    const at = (ms: number) => msToTs(run0 + ms);
    const on = (kind: proto.api.enums.v1.TaskQueueKind, ms: number): HistoryEvent => ({
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      eventTime: at(ms),
      workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q', kind } },
    });
    const started = (ms: number): HistoryEvent => ({
      eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      eventTime: at(ms),
    });
    const tally = emptyTally();
    addHistory(tally, [
      { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, eventTime: at(0) },
      // The first task goes to the shared queue and waits 2 s.
      on(TaskQueueKind.TASK_QUEUE_KIND_NORMAL, 0),
      started(2_000),
      // A sticky one taken in 100 ms.
      on(TaskQueueKind.TASK_QUEUE_KIND_STICKY, 5_000),
      started(5_100),
      // One its worker never took: 3 s on the sticky queue (no start to time), then 9 s on the
      // shared queue, counted from its scheduling there, not from the first.
      on(TaskQueueKind.TASK_QUEUE_KIND_STICKY, 10_000),
      { ...timedOut(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START), eventTime: at(13_000) },
      on(TaskQueueKind.TASK_QUEUE_KIND_NORMAL, 13_000),
      started(22_000),
      // Still waiting when the history was read: nothing to time.
      on(TaskQueueKind.TASK_QUEUE_KIND_STICKY, 30_000),
    ]);
    assert.deepEqual(tally.waitsByQueueMs, { sticky: [100], shared: [2_000, 9_000] });
    assert.equal(queueWaitLine(tally), 'sticky queues 1: 0.1/0.1/0.1 s; shared queue 2: 9.0/9.0/9.0 s');
    assert.equal(queueWaitLine(emptyTally()), 'sticky queues none; shared queue none');
  });
});
