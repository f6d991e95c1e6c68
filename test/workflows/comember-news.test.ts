// A master tells its co-members the groups its plans give (rule 2), and only from a workflow task
// that completed. A task can be lost after it acted: the server refuses its continue-as-new when an
// event came meanwhile, or its worker is killed. The next attempt then folds the newer events too.
// When the master told its co-members from inside the task (a local activity), a lost task had
// already told them; the next attempt, seeing no change since the last completed task, told them
// nothing, or told them other groups under the same sequence number and event id, which they
// dropped as a duplicate. The co-member kept a cancelled plan's groups (the model test found it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { PersonEvent } from '../../src/core/person-events';
import { personWorkflowId } from '../../src/shared/ids';
import { personFactsQuery } from '../../src/workflows/messages';
import { HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW } from '../../src/workflows/person';
import { BERLIN_SITE, type Engine, SPREE, startBerlinFlexEngine } from '../helpers/engine';
import {
  billing,
  billingEvent,
  HOUR,
  iso,
  memberSnapshot,
  MINUTE,
  reservationSnapshot,
  statusEvent,
} from '../helpers/events';

/** Runs once, right after the first master-groups signal that gives groups has been delivered. */
let afterMasterGroupsDelivered: (() => Promise<void>) | null = null;

const masterGroupsHook: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    const result = await next(input);
    const [arg] = input.args as [{ event?: PersonEvent } | undefined];
    const event = arg?.event;
    const hook = afterMasterGroupsDelivered;
    if (event?.type === 'master-groups' && Object.keys(event.groups).length > 0 && hook) {
      afterMasterGroupsDelivered = null;
      await hook();
    }
    return result;
  },
};

describe(
  "a master's groups reach its co-members from completed workflow tasks only",
  { timeout: 240_000 },
  () => {
    let e: Engine;
    before(async () => {
      e = await startBerlinFlexEngine({
        workerInterceptors: {
          activity: [
            (ctx) => (ctx.info.activityType === 'signalPerson' ? { inbound: masterGroupsHook } : {}),
          ],
        },
      });
      await e.mapUnit('berlin', 'room-spree', [SPREE]);
      await e.mapProduct('berlin', 'meeting-pass', [SPREE]);
      // The set-up tells everyone again 30 s after a change: let that pass before the people exist.
      await e.passSetupCatchUp();
    });
    after(async () => {
      await e?.stop();
    });

    it('a plan cancelled while the master tells its co-member about it, as the master’s run continues as new, is taken from the co-member', async () => {
      const masterId = 'lost-task-master';
      const comemberId = 'lost-task-comember';
      const master = e.client.workflow.getHandle(personWorkflowId(masterId));
      const now = await e.now();
      let updatedAt = now - 200 * MINUTE;
      const next = (): string => iso((updatedAt += MINUTE));

      // The master holds room Spree by a reservation, so the plan below changes only what it tells.
      await e.tellPerson(masterId, memberSnapshot(masterId, { updatedAt: next() }));
      await e.tellPerson(comemberId, memberSnapshot(comemberId, { updatedAt: next(), masterId }));
      await e.tellReservation(
        'lost-task-room',
        reservationSnapshot(
          { id: 'lost-task-room', start: iso(now + 5 * MINUTE), end: iso(now + 3 * HOUR), updatedAt: next() },
          { type: 'member', id: masterId, email: `${masterId}@example.com` },
        ),
      );
      await e.eventually(async () => {
        const facts = await master.query(personFactsQuery);
        const user = await e.saltoUser(BERLIN_SITE, `${masterId}@example.com`);
        return facts.comemberIds.includes(comemberId) && user?.groups.includes(SPREE);
      }, 'the master to know its co-member and hold the room');
      await e.settled(master.workflowId);

      // Events that change nothing, one pass each, until the master's run is long enough that the
      // pass which takes the plan (longer than one of these) also continues as new, when it ends.
      const firstRun = (await master.describe()).runId;
      let passEvents = 3;
      for (;;) {
        const d = await master.describe();
        assert.equal(d.runId, firstRun, 'the padding continued as new before the plan came');
        if (d.historyLength + passEvents >= HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW) break;
        await e.tellPerson(masterId, statusEvent('active', next()));
        await e.settled(master.workflowId);
        passEvents = Math.max(passEvents, (await master.describe()).historyLength - d.historyLength);
      }

      // The plan comes; while the master tells its co-member, the plan is cancelled.
      const plan = billing({ id: 'b-lost-task', productId: 'meeting-pass', centerId: 'berlin' });
      afterMasterGroupsDelivered = async () => {
        await e.tellPerson(masterId, billingEvent({ ...plan, status: 'cancelled' }, next()));
      };
      await e.tellPerson(masterId, billingEvent(plan, next()));
      await e.eventually(
        () => Promise.resolve(afterMasterGroupsDelivered === null),
        'the co-member told of the plan',
      );
      await e.eventually(
        async () => (await master.describe()).runId !== firstRun,
        "the master's run to continue as new",
      );

      await e.eventually(async () => {
        const user = await e.saltoUser(BERLIN_SITE, `${comemberId}@example.com`);
        const view = await e.access(comemberId);
        return user !== null && user.groups.length === 0 && Object.keys(view.desired).length === 0;
      }, 'the cancelled plan taken from the co-member');
      const masterUser = await e.saltoUser(BERLIN_SITE, `${masterId}@example.com`);
      assert.deepEqual(masterUser?.groups, [SPREE], 'the master keeps the room of its reservation');
    });
  },
);
