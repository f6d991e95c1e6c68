// A set-up fan-out and a reconciliation tell many workflows, heartbeating how far they got; an
// attempt that fails part-way is retried and goes on from there. The contract: after the retry,
// every workflow the retry lists has been told (by one attempt or the other), and the retry does
// not start over. The lists are read again by the retry, and may have changed in between: a
// person who finished, another who started. The client here fails the one signal the test names;
// a real server cannot be made to fail on demand at the 130th of 300 signals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCoordinationActivities } from '../../src/activities/coordination-activities';
import type { SetupFanOut } from '../../src/activities/coordination-types';
import { personWorkflowId, RESERVATION_WORKFLOW_TYPE, reservationWorkflowId } from '../../src/shared/ids';

interface Attempt {
  /** Workflow ids signalled, in order. */
  told: string[];
  /** The details of the attempt's last heartbeat (undefined: it sent none). */
  lastDetails: unknown;
  failed: boolean;
}

/** A client whose signal number `failAt` (1-based, in call order) fails as a network error would. */
function countingClient(told: string[], failAt: number | null): Client {
  let calls = 0;
  const getHandle = (workflowId: string) => ({
    signal: async (): Promise<void> => {
      await Promise.resolve();
      if (++calls === failAt) throw new Error('connection reset');
      told.push(workflowId);
    },
  });
  return { workflow: { getHandle } } as unknown as Client;
}

const people = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => personWorkflowId(`p${String(from + i).padStart(4, '0')}`));
const reservations = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => reservationWorkflowId(`r${String(i).padStart(4, '0')}`));

const FAN_OUT: SetupFanOut = { version: 7, everyone: true, centerIds: [] };

type Activities = ReturnType<typeof createCoordinationActivities>;

/**
 * One attempt of an activity: its signal number `failAt` fails; it resumes from the details of
 * `previousDetails` as a retry of the same activity would (same activity id, so same event ids).
 */
async function runAttempt(
  lists: Pick<Parameters<typeof createCoordinationActivities>[0], 'listWorkflowIds' | 'readSiteState'>,
  failAt: number | null,
  previousDetails: unknown,
  run: (activities: Activities) => Promise<unknown>,
): Promise<Attempt> {
  const told: string[] = [];
  const activities = createCoordinationActivities({
    client: countingClient(told, failAt),
    taskQueue: 'q',
    defaultLeadMinutes: 15,
    defaultLagMinutes: 15,
    ...lists,
  });
  const env = new MockActivityEnvironment({
    activityId: '3',
    ...(previousDetails === undefined ? {} : { heartbeatDetails: previousDetails }),
  });
  let lastDetails: unknown = previousDetails;
  env.on('heartbeat', (d: unknown) => (lastDetails = d));
  let failed = false;
  try {
    await env.run(() => run(activities));
  } catch {
    failed = true;
  }
  return { told, lastDetails, failed };
}

function fanOutAttempt(
  listed: { people: string[]; reservations: string[] },
  failAt: number | null,
  previousDetails: unknown,
): Promise<Attempt> {
  const lists = {
    readSiteState: () => Promise.reject(new Error('a fan-out reads no site')),
    listWorkflowIds: async function* (query: string) {
      // Visibility answers in no particular order.
      const ids = query.includes(RESERVATION_WORKFLOW_TYPE) ? listed.reservations : listed.people;
      for (const id of [...ids].reverse()) {
        await Promise.resolve();
        yield id;
      }
    },
  };
  return runAttempt(lists, failAt, previousDetails, (a) => a.notifyPeopleOfSetupChange(FAN_OUT));
}

const union = (...lists: string[][]): Set<string> => new Set(lists.flat());

describe('a set-up fan-out retried after a failure', () => {
  it('that failed among the people: the retry tells the people left and then every reservation', async () => {
    const listed = { people: people(300), reservations: reservations(120) };
    const first = await fanOutAttempt(listed, 130, undefined);
    assert.ok(first.failed);
    assert.equal(first.told.filter((id) => id.startsWith('reservation')).length, 0);
    const second = await fanOutAttempt(listed, null, first.lastDetails);
    assert.ok(!second.failed);
    const everyone = union(first.told, second.told);
    for (const id of [...listed.people, ...listed.reservations])
      assert.ok(everyone.has(id), `${id} was told`);
    const peopleAgain = second.told.filter((id) => first.told.includes(id)).length;
    assert.ok(peopleAgain <= 50, `the retry told again only the batch that failed (${peopleAgain})`);
    assert.equal(second.told.filter((id) => listed.reservations.includes(id)).length, 120);
  });

  it('that failed among the reservations: the retry tells no person again, and the reservations left', async () => {
    const listed = { people: people(300), reservations: reservations(120) };
    const first = await fanOutAttempt(listed, 300 + 70, undefined);
    assert.ok(first.failed);
    const second = await fanOutAttempt(listed, null, first.lastDetails);
    assert.equal(second.told.filter((id) => listed.people.includes(id)).length, 0);
    const reservationsTold = union(first.told, second.told);
    for (const id of listed.reservations) assert.ok(reservationsTold.has(id), `${id} was told`);
    assert.ok(second.told.length <= 120 - 50, `${second.told.length} reservations told by the retry`);
  });

  it('with people finished and started in between: nobody the retry lists goes untold', async () => {
    const before = { people: people(300), reservations: reservations(10) };
    // The first signal of the fourth batch fails; the rest of that batch is told.
    const first = await fanOutAttempt(before, 151, undefined);
    assert.ok(first.failed);
    // Ten people who sort before the failure point finish, and ten new ones start.
    const after = {
      people: [...before.people.filter((_, i) => i < 20 || i >= 30), ...people(10, 5000)],
      reservations: before.reservations,
    };
    const second = await fanOutAttempt(after, null, first.lastDetails);
    const everyone = union(first.told, second.told);
    const untold = [...after.people, ...after.reservations].filter((id) => !everyone.has(id));
    assert.deepEqual(untold, []);
  });

  it('a retry of an attempt from before this version (a plain number as its progress) starts over', async () => {
    const listed = { people: people(100), reservations: reservations(60) };
    const second = await fanOutAttempt(listed, null, 50);
    assert.equal(second.told.length, 160);
  });
});

describe('a reconciliation retried after a failure', () => {
  it('goes on after the people it had told, and every person is told once the retry ends', async () => {
    const listed = people(400);
    const attempt = (failAt: number | null, previousDetails: unknown): Promise<Attempt> => {
      const lists = {
        // No users on the site: every listed person is told that theirs is missing.
        readSiteState: (siteId: string) => Promise.resolve({ siteId, accessGroups: [], users: [] }),
        listWorkflowIds: async function* () {
          for (const id of listed) {
            await Promise.resolve();
            yield id;
          }
        },
      };
      return runAttempt(lists, failAt, previousDetails, (a) => a.reconcileSite({ siteId: 's1' }));
    };
    const first = await attempt(220, undefined);
    assert.ok(first.failed);
    const second = await attempt(null, first.lastDetails);
    assert.ok(!second.failed);
    const everyone = union(first.told, second.told);
    assert.deepEqual(
      listed.filter((id) => !everyone.has(id)),
      [],
    );
    assert.ok(
      second.told.length <= 400 - 200 + 50,
      `the retry told ${second.told.length}, not all 400 again`,
    );
  });
});
