// A person's run that continues as new right after a whole pass tells the next run when the access
// it wrote changes next by itself (src/core/run-handover.ts). The next run waits for its first wake
// instead of passing again, but only while that instant has not come: if its first task comes
// later (its worker killed right after the continue-as-new, Temporal down), a door is due to close
// and it passes at once. Without the instant, such a run slept past the revocation it had missed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeFromPayloadsAtIndex, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
// Calendar arithmetic of the model (test/model/tz.ts), not the engine's: the expected instants must
// not come from the code under test.
import { addDays, localDate, startOfDay } from '../model/tz';
import { personWorkflowId } from '../../src/shared/ids';
import type { PersonWorkflowInput } from '../../src/workflows/person';
import { BERLIN_SITE, FLEX, type Engine, startBerlinFlexEngine } from '../helpers/engine';
import { billing, HOUR, iso, memberSnapshot, MINUTE, statusEvent } from '../helpers/events';
import { testDataConverter } from '../helpers/test-data-converter';

describe("the hand-over between a person's runs", { timeout: 240_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startBerlinFlexEngine();
  });
  after(async () => {
    await e?.stop();
  });

  it('a run whose first task comes after its access changed by itself passes at once', async () => {
    const personId = 'handover';
    const workflowId = personWorkflowId(personId);
    const email = `${personId}@example.com`;
    const now = await e.now();
    const tomorrow = addDays(localDate(now, 'Europe/Berlin'), 1);
    const planEnds = startOfDay(addDays(tomorrow, 1), 'Europe/Berlin');
    const started = await e.client.workflow.signalWithStart('personWorkflow', {
      workflowId,
      taskQueue: e.taskQueue,
      args: [{ personId }],
      signal: 'personEvent',
      signalArgs: [
        memberSnapshot(personId, {
          updatedAt: iso(now - 100 * MINUTE),
          billings: [billing({ id: 'b-handover', productId: 'flex', centerId: 'berlin', endDate: tomorrow })],
        }),
      ],
    });
    const firstRunId = started.signaledRunId;
    await e.eventually(
      async () => (await e.saltoUser(BERLIN_SITE, email))?.groups.length === FLEX.length,
      'the plan given',
    );

    // Events that change nothing, one pass each, until the run is long and continues as new.
    for (let i = 1; (await e.client.workflow.getHandle(workflowId).describe()).runId === firstRunId; i++) {
      assert.ok(i <= 60, 'the run continues as new within 60 events');
      await e.tellPerson(personId, statusEvent('active', iso(now - 100 * MINUTE + i * MINUTE)));
      await e.settled(workflowId);
    }
    const history = await e.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
    const continued = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    assert.ok(continued, 'the first run ended by continuing as new');
    const input = await decodeFromPayloadsAtIndex<PersonWorkflowInput>(
      loadDataConverter(testDataConverter),
      0,
      continued.input?.payloads,
    );
    assert.equal(input.carried?.afterPass, true, 'it ended right after a whole pass');
    assert.equal(
      Date.parse(input.carried?.afterPassUntil ?? ''),
      planEnds,
      'it hands over the instant the plan ends',
    );

    // The next run's first task comes only after the plan ended: the run that began is stopped,
    // time passes with no run, and a run begins again from the same hand-over.
    await e.client.workflow.getHandle(workflowId).terminate('its first task comes late');
    await e.env.sleep(planEnds - (await e.now()) + HOUR);
    await e.client.workflow.start('personWorkflow', { workflowId, taskQueue: e.taskQueue, args: [input] });

    await e.eventually(
      async () => {
        const user = await e.saltoUser(BERLIN_SITE, email);
        return user !== null && user.groups.length === 0;
      },
      'the ended plan taken away by the late run at once',
      30_000,
    );
    await e.settled(workflowId);
    const view = await e.access(personId);
    assert.deepEqual(view.desired, {});
    assert.equal(view.inSync, true);
  });
});
