// A worker killed with `kill -9` in the middle of a SALTO KS call: another worker finishes the
// work within seconds (the activities' heartbeat timeout, 5 s), not after the 45 s start-to-close
// timeout. Two real worker processes (dist/worker-main.js), the dev server, the simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { memberCreated } from '../../src/demo/event-builders';
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

/** Well under the 45 s start-to-close timeout, well over the 5 s heartbeat timeout and a retry. */
const HANDED_ON_WITHIN_MS = 30_000;

async function attemptsOf(stack: Stack, personId: string): Promise<number[]> {
  const history = await stack.client.workflow.getHandle(personWorkflowId(personId)).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
  );
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
    const handle = stack.client.workflow.getHandle(personWorkflowId(member.id));
    const runningOn = await stack.eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return (
          pending.find(
            (a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          )?.lastWorkerIdentity ?? undefined
        );
      },
      60_000,
      'the SALTO KS activity to start',
    );
    const victim = workers.all.find((w) => w.identity === runningOn);
    assert.ok(victim, `the activity runs on ${runningOn}, one of the two workers`);
    await setSimulatorFaults(stack, {});
    const killedAt = Date.now();
    await workers.kill(victim);

    assert.deepEqual(await doorsOf(stack, member.email, HANDED_ON_WITHIN_MS), [...GROUPS.deskBerlin].sort());
    assert.ok(Date.now() - killedAt < HANDED_ON_WITHIN_MS);
    // Exactly one user: the dead worker's create and the retry's did not make two.
    assert.equal((await saltoUsersByEmail(stack, BERLIN.siteId, member.email)).length, 1);
    const attempts = await attemptsOf(stack, member.id);
    assert.ok(
      attempts.some((a) => a > 1),
      `the activity completed on a later attempt (${attempts.join(', ')})`,
    );
  });

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
