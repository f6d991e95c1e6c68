// A storm of events for one person, many at once: no run of it may hold a local activity, and every
// run replays through today's code. With local activities (runs started before the patch
// ACTIVITY_TASKS_ONLY_PATCH) the SDK could replay a local activity's result a workflow task early,
// or run several in one task after the server failed the task held open while events piled up
// behind it; a worker that took the person over then failed every task with a nondeterminism error
// (docs/reliability.md). This storm does not bring that defect on demand (on the code before, its
// replays passed 7 of 7 times; only its local-activity check failed):
// `npm run probe:local-activities` is what shows it. The replays guard the activity-task path
// against any other nondeterminism under a storm. On the dev server with the product's own bundle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import type { PersonEvent } from '../../src/core/person-events';
import { personWorkflowId } from '../../src/shared/ids';
import { BERLIN_SITE, type Engine, FLEX, startBerlinFlexEngine } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, statusEvent } from '../helpers/events';
import { localActivityTypes, runHistories, workflowTaskOpen } from '../helpers/history-events';
import { workflowBundle } from '../helpers/stack';
import { testDataConverter } from '../helpers/test-data-converter';

/** Events sent, and how many are in flight at once: enough to pile up behind a workflow task. */
const EVENTS = 400;
const IN_FLIGHT = 24;

describe('a storm of events for one person', { timeout: 240_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startBerlinFlexEngine({ server: 'dev' });
  });
  after(async () => {
    await e?.stop();
  });

  it('runs no local activity, and leaves histories that replay through today’s code', async () => {
    const now = await e.now();
    const start = now - 1000 * MINUTE;
    const first = await e.client.workflow.signalWithStart('personWorkflow', {
      workflowId: personWorkflowId('storm'),
      taskQueue: e.taskQueue,
      args: [{ personId: 'storm' }],
      signal: 'personEvent',
      signalArgs: [memberSnapshot('storm', { updatedAt: iso(start), billings: [] })],
    });
    // Status flips one a minute (even: active), and the flex plan as event 200: the last is active.
    const event = (i: number): PersonEvent =>
      i === EVENTS / 2
        ? billingEvent(
            billing({ id: 'b-storm', productId: 'flex', centerId: 'berlin' }),
            iso(start + i * MINUTE),
          )
        : statusEvent(i % 2 === 0 ? 'active' : 'inactive', iso(start + i * MINUTE));
    for (let i = 1; i <= EVENTS; i += IN_FLIGHT) {
      const batch = Array.from({ length: Math.min(IN_FLIGHT, EVENTS - i + 1) }, (_, k) => i + k);
      await Promise.all(batch.map((n) => e.tellPerson('storm', event(n))));
    }
    const user = await e.eventually(
      async () => {
        const u = await e.saltoUser(BERLIN_SITE, 'storm@example.com');
        return u?.groups.length === FLEX.length ? u : undefined;
      },
      'the plan of event 200 applied',
      90_000,
    );
    assert.deepEqual(user.groups, FLEX);
    // A run that just continued as new may not have taken its first workflow task yet: a history
    // with none has nothing to replay.
    await e.eventually(async () => {
      const events =
        (await e.client.workflow.getHandle(personWorkflowId('storm')).fetchHistory()).events ?? [];
      return events.some((ev) => ev.workflowTaskCompletedEventAttributes) && !workflowTaskOpen(events)
        ? true
        : undefined;
    }, 'the current run past its first workflow task');
    await e.settled('person-storm');

    // Every run, from the first: none failed a task for nondeterminism, none ran a local
    // activity, and each replays through today's code as it ran.
    const bundle = await workflowBundle();
    let runs = 0;
    for await (const history of runHistories(e.client, personWorkflowId('storm'), first.signaledRunId)) {
      const failures = (history.events ?? [])
        .map((ev) => ev.workflowTaskFailedEventAttributes?.failure?.message ?? '')
        .filter((m) => m.includes('TMPRL1100'));
      assert.deepEqual(failures, [], `run ${runs} failed no workflow task for nondeterminism`);
      assert.deepEqual(localActivityTypes(history), [], `run ${runs} ran no local activity`);
      await Worker.runReplayHistory(
        { workflowBundle: bundle, dataConverter: testDataConverter },
        history,
        personWorkflowId('storm'),
      );
      runs++;
    }
    assert.ok(runs >= 2, `${EVENTS} events make more than one run (${runs})`);
  });
});
