// A door that must close never waits for a slow write to SALTO KS. While a person's pass is stuck
// giving a group (SALTO KS holding its answers past the client's timeout, the activity retried
// for about 27 s), an event that takes access away, or a reservation window that ends, cancels
// the pass, and the revocation goes out at once. The stuck write was in fact carried out (a
// hanging request is), so once SALTO KS answers again that group goes too when it is not wanted.
// A new user's creation cancelled that way may have given groups the workflow never heard of:
// they are found and taken away too.
// On the dev server: the time-skipping server does not deliver an activity's cancellation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  billing,
  billingChanged,
  memberCreated,
  memberSnapshot,
  memberStatusChanged,
  memberUpdated,
  reservationCreated,
  reservationSnapshot,
} from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import { startStack, type Stack } from '../helpers/stack';
import {
  BERLIN,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_OFFICE,
  groupsOf,
  saltoState,
  usersByEmail,
  setSimulatorFaults,
  syncedBerlinMember,
  uniqueId,
  UNIT_SPREE,
  sendAccepted,
  waitForSaltoGroups,
  withoutReservationMargins,
} from './e2e-support';
import { activityBaseName } from '../helpers/history-events';

const OFFICE_GROUP = 'ag-berlin-private-offices';
/** Every write to the office group hangs past the client's timeout (four attempts: about 27 s). */
const OFFICE_HANGS = {
  hangs: {
    fraction: 1,
    ms: 30_000,
    pathPrefix: `/v1.1/sites/${BERLIN.siteId}/access_groups/${OFFICE_GROUP}/`,
  },
};
/** Well under the stuck activity's 27 s; well over a cancellation and a pass (about 2 s). */
const PROMPT_MS = 12_000;

describe('a revocation preempts a slow pass, end to end', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
    await withoutReservationMargins(stack); // a window then ends at the reservation's end
  });

  after(async () => {
    if (stack) await setSimulatorFaults(stack, {});
    await stack?.stop();
  });

  const send = (event: { id: string; type: string }): Promise<void> => sendAccepted(stack, event);

  /** The groups SALTO KS shows for the user of this e-mail on the Berlin site (none without a user). */
  const heldBy = async (email: string): Promise<string[]> => {
    const state = await saltoState(stack);
    const [user] = usersByEmail(state, BERLIN.siteId, email);
    return user ? groupsOf(state, BERLIN.siteId, user.userId) : [];
  };

  const officePlan = (memberId: string) =>
    billingChanged(
      memberId,
      'billing.created',
      billing({
        id: `b-office-${memberId}`,
        productId: PRODUCT_OFFICE,
        centerId: BERLIN.centerId,
        startDate: localDay(BERLIN.timeZone, -1),
      }),
    );

  /** Until the person's pass is stuck in a write to SALTO KS (an activity in flight). */
  const untilStuck = (personId: string, activity = 'applySaltoGroupDiff'): Promise<true> =>
    stack.eventually(
      async () => {
        const d = await stack.client.workflow.getHandle(personWorkflowId(personId)).describe();
        const pending = d.raw.pendingActivities ?? [];
        return pending.some((a) => activityBaseName(a.activityType?.name) === activity) || undefined;
      },
      20_000,
      `${personId}: a write to SALTO KS in flight`,
    );

  /** Until the user of that e-mail holds the desk plan's groups: given before the office's add hangs. */
  const untilCreatedWithDeskGroups = (id: string, email: string): Promise<true> =>
    stack.eventually(
      async () => {
        const held = await heldBy(email);
        return GROUPS.deskBerlin.every((g) => held.includes(g)) || undefined;
      },
      PROMPT_MS,
      `${id}: ${email}'s user created with its first groups`,
    );

  /** Until the site has no user of that e-mail. */
  const untilNoUserOf = (email: string, what: string): Promise<true> =>
    stack.eventually(
      async () => usersByEmail(await saltoState(stack), BERLIN.siteId, email).length === 0 || undefined,
      40_000,
      what,
    );

  /** Until the person reports in sync, nothing applied when `nothing`. */
  const untilInSync = (id: string, nothing: boolean): Promise<true> =>
    stack.eventually(
      async () => {
        const p = await stack.api('GET', `/api/people/${id}/access`);
        const body = p.body as { inSync: boolean; applied: Record<string, string[]> };
        return (body.inSync && (!nothing || Object.keys(body.applied).length === 0)) || undefined;
      },
      20_000,
      `${id}: in sync${nothing ? ', nothing applied' : ''}`,
    );

  /** Deactivates the member and waits for the desk plan's groups to leave SALTO KS, well within PROMPT_MS. */
  const deactivatePromptly = async (id: string, what: string): Promise<void> => {
    const sentAt = Date.now();
    await send(memberStatusChanged(id, 'member.deactivated'));
    await stack.eventually(
      async () => {
        const held = await heldBy(emailOf(id));
        return GROUPS.deskBerlin.every((g) => !held.includes(g)) || undefined;
      },
      PROMPT_MS,
      `${id}: ${what}`,
    );
    const tookMs = Date.now() - sentAt;
    assert.ok(tookMs < PROMPT_MS, `the revocation took ${tookMs} ms`);
  };

  it('a deactivation takes the doors away while a grant is stuck, and the stuck group goes too', async () => {
    const id = uniqueId('stuck');
    await syncedBerlinMember(stack, id, 'Stu', 'Ck');
    await setSimulatorFaults(stack, OFFICE_HANGS);
    await send(officePlan(id));
    await untilStuck(id);

    await deactivatePromptly(id, "the desk plan's groups taken away");

    // The office write was carried out though no answer came: once SALTO KS answers, it goes too.
    await setSimulatorFaults(stack, {});
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), [], 40_000);
    await untilInSync(id, true);
  });

  it('a reservation window that ends while a grant is stuck closes on time', async () => {
    const id = uniqueId('window');
    await syncedBerlinMember(stack, id, 'Win', 'Dow');
    const endMs = Date.now() + 25_000;
    await send(
      reservationCreated(
        reservationSnapshot({
          id: uniqueId('r'),
          reservationUnitId: UNIT_SPREE,
          centerId: BERLIN.centerId,
          startMs: Date.now() - 30 * 60_000,
          endMs,
          customer: { type: 'member', id, firstName: 'Win', lastName: 'Dow', email: emailOf(id) },
        }),
      ),
    );
    const both = [...GROUPS.deskBerlin, ...GROUPS.spreeRoom];
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), both);
    assert.ok(Date.now() < endMs - 8_000, 'the room was given with time to spare before its end');

    await setSimulatorFaults(stack, OFFICE_HANGS);
    await send(officePlan(id));
    await untilStuck(id);
    await stack.eventually(
      async () => {
        const held = await heldBy(emailOf(id));
        return !held.includes(GROUPS.spreeRoom[0]!) || undefined;
      },
      endMs - Date.now() + PROMPT_MS,
      `${id}: the room closed`,
    );
    const late = Date.now() - endMs;
    assert.ok(late < PROMPT_MS, `the room closed ${late} ms after its window`);
    const held = await heldBy(emailOf(id));
    for (const g of GROUPS.deskBerlin) assert.ok(held.includes(g), `${g} stays: the plan still gives it`);

    await setSimulatorFaults(stack, {});
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.officeBerlin, 40_000);
  });

  it('a deactivation while a new member is created with its groups: the groups given before the answer was lost go', async () => {
    // The user is created, then given its groups in the same activity; the office group's add
    // hangs (carried out, no answer). The deactivation cancels that activity: the workflow never
    // heard of the user, yet it holds the entrance and the floor. They must go at once.
    const id = uniqueId('creating');
    await setSimulatorFaults(stack, OFFICE_HANGS);
    const office = officePlan(id).data.billing;
    await send(
      memberCreated(
        memberSnapshot({
          id,
          centerId: BERLIN.centerId,
          firstName: 'Cre',
          lastName: 'Ating',
          email: emailOf(id),
          recurringBillings: [office],
        }),
      ),
    );
    await untilStuck(id, 'ensureSaltoUser');
    await untilCreatedWithDeskGroups(id, emailOf(id));

    await deactivatePromptly(id, 'the groups its creation gave taken away');

    await setSimulatorFaults(stack, {});
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), [], 40_000);
  });

  it('an e-mail change, then a deactivation, while a new member is created: the first e-mail’s user loses its groups and goes', async () => {
    // As above, but the e-mail changes before the deactivation: the user the lost creation made
    // has the first e-mail, no longer the person's. It was looked up by the new e-mail only, and
    // kept its groups.
    const id = uniqueId('renamed');
    const newEmail = `new-${emailOf(id)}`;
    await setSimulatorFaults(stack, OFFICE_HANGS);
    const member = memberSnapshot({
      id,
      centerId: BERLIN.centerId,
      firstName: 'Re',
      lastName: 'Named',
      email: emailOf(id),
      recurringBillings: [officePlan(id).data.billing],
    });
    await send(memberCreated(member));
    await untilStuck(id, 'ensureSaltoUser');
    await untilCreatedWithDeskGroups(id, emailOf(id));
    await send(memberUpdated(member, { email: newEmail }));

    await deactivatePromptly(id, 'the groups its creation gave taken away from the first e-mail’s user');

    await setSimulatorFaults(stack, {});
    await untilNoUserOf(emailOf(id), `${id}: the first e-mail's user deleted`);
    await untilInSync(id, true);
    assert.deepEqual(await heldBy(newEmail), [], 'the new e-mail holds nothing');
    // The creation really went unanswered: its user was looked up by the new e-mail, then the first.
    const history = await stack.client.workflow.getHandle(personWorkflowId(id)).fetchHistory();
    const lookups = (history.events ?? []).filter(
      (ev) =>
        activityBaseName(ev.activityTaskScheduledEventAttributes?.activityType?.name) === 'findOwnSaltoUser',
    );
    assert.ok(lookups.length >= 2, `${lookups.length} look-ups of a user whose creation got no answer`);
  });

  // Changed back with the desk plan kept, and with no plan left: either way the user of the first
  // e-mail is the person's again (kept by the no-access policy when it holds nothing).
  for (const keepsDesk of [true, false])
    it(`an e-mail changed back while the new user’s creation is cut short${keepsDesk ? '' : ', no plan left'}: the first user stays the person’s`, async () => {
      const id = uniqueId('back');
      const member = await syncedBerlinMember(stack, id, 'Ba', 'Ck');
      const [first] = usersByEmail(await saltoState(stack), BERLIN.siteId, emailOf(id));
      assert.ok(first, 'the first e-mail has a user');
      const newEmail = `new-${emailOf(id)}`;
      await setSimulatorFaults(stack, OFFICE_HANGS);
      await send(
        memberUpdated(member, {
          email: newEmail,
          recurringBillings: [...member.recurringBillings, officePlan(id).data.billing],
        }),
      );
      await untilStuck(id, 'ensureSaltoUser');
      await untilCreatedWithDeskGroups(id, newEmail);
      // Back to the first e-mail without the office plan: a revocation, so the creation is cut short.
      const billings = keepsDesk ? member.recurringBillings : [];
      await send(memberUpdated(member, { email: emailOf(id), recurringBillings: billings }));
      await setSimulatorFaults(stack, {});

      await untilNoUserOf(newEmail, `${id}: the new e-mail's user deleted`);
      await untilInSync(id, !keepsDesk);
      const state = await saltoState(stack);
      const users = usersByEmail(state, BERLIN.siteId, emailOf(id));
      assert.deepEqual(
        users.map((u) => u.userId),
        [first.userId],
        'the first e-mail’s user is still there, the same one',
      );
      const held = groupsOf(state, BERLIN.siteId, first.userId).sort();
      assert.deepEqual(held, keepsDesk ? [...GROUPS.deskBerlin].sort() : []);
    });
});
