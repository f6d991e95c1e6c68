// A worker killed with `kill -9` in the middle of a SALTO KS call: another worker finishes the
// work within seconds (the activities' heartbeat timeout, 5 s), not after the 45 s start-to-close
// timeout. A worker killed while it gives a new user its groups: the retry finds the user by its
// alias, and a deactivation during the read of its groups still takes them away.
// Two real worker processes (dist/worker-main.js), the dev server, the simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { memberCreated, memberStatusChanged } from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import { startStack, type Stack } from '../helpers/stack';
import { WorkerProcesses } from '../helpers/worker-processes';
import {
  BERLIN,
  berlinDeskMember,
  GROUPS,
  mapTestSetup,
  saltoGroupsOf,
  saltoUsersByEmail,
  setSimulatorFaults,
  uniqueId,
} from './e2e-support';
import { activityBaseName } from '../helpers/history-events';

/** Every read of the Berlin site's group memberships hangs past the client's timeout. */
const MEMBERSHIP_READS_HANG = {
  hangs: { fraction: 1, ms: 30_000, pathPrefix: `/v1.2/sites/${BERLIN.siteId}/access_groups` },
};
/** A revocation goes out at once: well over a cancellation and a pass (about 2 s). */
const PROMPT_MS = 12_000;

/** Well under the 45 s start-to-close timeout, well over the 5 s heartbeat timeout and a retry. */
const HANDED_ON_WITHIN_MS = 30_000;

async function attemptsOf(stack: Stack, personId: string): Promise<number[]> {
  const history = await stack.client.workflow.getHandle(personWorkflowId(personId)).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
  );
}

/** The worker an activity of this type (null: any) runs on, once it has started. */
async function runningOn(
  stack: Stack,
  personId: string,
  activity: string | null,
  timeoutMs: number,
): Promise<string> {
  const handle = stack.client.workflow.getHandle(personWorkflowId(personId));
  let seen = 'nothing';
  const started = stack.eventually(
    async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      seen =
        pending.map((a) => `${a.activityType?.name} (state ${a.state}, attempt ${a.attempt})`).join(', ') ||
        'none';
      const started = pending.find(
        (a) =>
          (activity === null || activityBaseName(a.activityType?.name) === activity) &&
          a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      );
      return started?.lastWorkerIdentity ?? undefined;
    },
    timeoutMs,
    `${personId}: ${activity ?? 'an activity'} started`,
  );
  return started.catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; pending then: ${seen}`);
  });
}

async function heldBy(stack: Stack, email: string): Promise<string[]> {
  const [user] = await saltoUsersByEmail(stack, BERLIN.siteId, email);
  return user ? saltoGroupsOf(stack, BERLIN.siteId, user.userId) : [];
}

async function doorsOf(stack: Stack, email: string, timeoutMs: number): Promise<string[]> {
  return stack.eventually(
    async () => {
      const users = await saltoUsersByEmail(stack, BERLIN.siteId, email);
      if (users.length !== 1) return undefined;
      const held = await saltoGroupsOf(stack, BERLIN.siteId, users[0]!.userId);
      return held.length === GROUPS.deskBerlin.length ? [...held].sort() : undefined;
    },
    timeoutMs,
    `the doors of ${email}`,
  );
}

describe('a worker killed with kill -9', () => {
  let stack: Stack;
  let workers: WorkerProcesses;

  before(async () => {
    stack = await startStack({ workers: 0 });
    workers = WorkerProcesses.forStack(stack);
    await workers.start();
    await workers.start();
    await mapTestSetup(stack);
  });

  after(async () => {
    await workers?.stopAll();
    await stack?.stop();
  });

  it('has its SALTO KS activity in flight done by the other worker within seconds', async () => {
    // Slow calls, so the new member's activity is surely running when its worker dies.
    await setSimulatorFaults(stack, { latencyMs: 2000 });
    const member = berlinDeskMember(uniqueId('m-killed'), 'Kim', 'Killed');
    assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    const activeOn = await runningOn(stack, member.id, null, 60_000);
    const victim = workers.all.find((w) => w.identity === activeOn);
    assert.ok(victim, `the activity runs on ${activeOn}, one of the two workers`);
    await setSimulatorFaults(stack, {});
    const killedAt = Date.now();
    await workers.kill(victim);

    assert.deepEqual(await doorsOf(stack, member.email, HANDED_ON_WITHIN_MS), [...GROUPS.deskBerlin].sort());
    assert.ok(Date.now() - killedAt < HANDED_ON_WITHIN_MS);
    // Exactly one user: the dead worker's create and the retry's did not make two.
    assert.equal((await saltoUsersByEmail(stack, BERLIN.siteId, member.email)).length, 1);
    // SALTO KS can show the groups a moment before the history records the activity that gave them.
    const attempts = await stack.eventually(
      async () => {
        const found = await attemptsOf(stack, member.id);
        return found.length > 0 ? found : undefined;
      },
      10_000,
      `${member.id}: its SALTO KS activity recorded as done`,
    );
    assert.ok(
      attempts.some((a) => a > 1),
      `the activity completed on a later attempt (${attempts.join(', ')})`,
    );
  });

  it('killed while a new user is given its groups: a deactivation during the retry still takes them away', async () => {
    // The dead worker's attempt created the user and gave it groups; the retry finds the user by
    // this record's alias, and the workflow reads its groups. The deactivation cancels that read:
    // the user must not be taken as holding nothing, or its doors stay open.
    while (workers.all.length < 2) await workers.start(); // the test before killed one
    await setSimulatorFaults(stack, { latencyMs: 2000 });
    try {
      await deactivationDuringRetry();
    } finally {
      await setSimulatorFaults(stack, {});
      while (workers.all.length < 2) await workers.start(); // two workers again
    }
  });

  async function deactivationDuringRetry(): Promise<void> {
    const member = berlinDeskMember(uniqueId('m-found'), 'Fay', 'Found');
    assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    const creatingOn = await runningOn(stack, member.id, 'ensureSaltoUser', 60_000);
    await stack.eventually(
      async () => ((await heldBy(stack, member.email)).length > 0 ? true : undefined),
      30_000,
      `${member.id}: created with a first group`,
    );
    const victim = workers.all.find((w) => w.identity === creatingOn);
    assert.ok(victim, `the creation runs on ${creatingOn}, one of the two workers`);
    await setSimulatorFaults(stack, MEMBERSHIP_READS_HANG);
    await workers.kill(victim);
    await runningOn(stack, member.id, 'readSaltoUserGroups', HANDED_ON_WITHIN_MS);

    const sentAt = Date.now();
    assert.equal((await stack.sendEvent(memberStatusChanged(member.id, 'member.deactivated'))).status, 202);
    await stack.eventually(
      async () => ((await heldBy(stack, member.email)).length === 0 ? true : undefined),
      PROMPT_MS,
      `${member.id}: the groups its creation gave taken away`,
    );
    assert.ok(Date.now() - sentAt < PROMPT_MS, `the revocation took ${Date.now() - sentAt} ms`);
  }

  it('lets a slow SALTO KS activity of a live worker run past the heartbeat timeout, in one attempt', async () => {
    // 4 calls of 2 s: 8 s, longer than the 5 s heartbeat timeout. The activity's heartbeats keep it.
    await setSimulatorFaults(stack, { latencyMs: 2000 });
    try {
      const member = berlinDeskMember(uniqueId('m-slow'), 'Sam', 'Slow');
      assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
      assert.deepEqual(await doorsOf(stack, member.email, 40_000), [...GROUPS.deskBerlin].sort());
      const attempts = await attemptsOf(stack, member.id);
      assert.ok(attempts.length > 0);
      assert.deepEqual(
        attempts.filter((a) => a > 1),
        [],
        'no activity was retried',
      );
    } finally {
      await setSimulatorFaults(stack, {});
    }
  });
});
