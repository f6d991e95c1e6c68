// A reconciliation tells each person what SALTO KS shows by signal. A person whose run has just
// continued as new may be answered "not found" once by a server that looks the current run up
// before it locks it (the time-skipping test server does); the signal goes again, and only a
// person that stays not found is skipped. The client here only fails the calls the test names: a
// real server cannot be made to lose that race on demand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCoordinationActivities } from '../../src/activities/coordination-activities';
import { deskworksAlias, personWorkflowId } from '../../src/shared/ids';

/** A client whose signals fail "not found" as many times as `misses` says for that workflow. */
function clientMissing(misses: Record<string, number>, delivered: string[]): Client {
  const left = new Map(Object.entries(misses));
  const getHandle = (workflowId: string) => ({
    signal: async (): Promise<void> => {
      await Promise.resolve();
      const n = left.get(workflowId) ?? 0;
      if (n > 0) {
        left.set(workflowId, n - 1);
        throw new WorkflowNotFoundError('Completed workflow', workflowId, undefined);
      }
      delivered.push(workflowId);
    },
  });
  return { workflow: { getHandle } } as unknown as Client;
}

async function reconcileWith(misses: Record<string, number>): Promise<{ told: number; delivered: string[] }> {
  const delivered: string[] = [];
  const activities = createCoordinationActivities({
    client: clientMissing(misses, delivered),
    taskQueue: 'q',
    defaultLeadMinutes: 15,
    defaultLagMinutes: 15,
    readSiteState: (siteId) =>
      Promise.resolve({
        siteId,
        accessGroups: [],
        users: ['ada', 'ben'].map((personId, i) => ({
          siteUserId: `su-${i}`,
          platformUserId: `pu-${i}`,
          email: `${personId}@example.com`,
          alias: deskworksAlias(personId),
          blocked: false,
          groupIds: ['g1'],
        })),
      }),
    // An empty visibility answer: nobody on the site without a user.
    listWorkflowIds: async function* () {},
  });
  const reconcile = (): ReturnType<typeof activities.reconcileSite> =>
    activities.reconcileSite({ siteId: 's1' });
  type Answer = Awaited<ReturnType<typeof reconcile>>;
  const { peopleTold } = await new MockActivityEnvironment().run<[], Answer, typeof reconcile>(reconcile);
  return { told: peopleTold, delivered };
}

describe('signals to running people', () => {
  it('a person answered "not found" once (a run that just continued as new) is told on the second try', async () => {
    const { told, delivered } = await reconcileWith({ [personWorkflowId('ada')]: 1 });
    assert.equal(told, 2);
    assert.deepEqual(delivered.sort(), [personWorkflowId('ada'), personWorkflowId('ben')]);
  });

  it('a person that stays not found is skipped, and the others are still told', async () => {
    const { told, delivered } = await reconcileWith({ [personWorkflowId('ada')]: 5 });
    assert.equal(told, 1);
    assert.deepEqual(delivered, [personWorkflowId('ben')]);
  });
});

describe('a reconciliation of a large site', () => {
  it('heartbeats while it lists the people, keeping the point where a retry resumes', async () => {
    const people = Array.from({ length: 1000 }, (_, i) => personWorkflowId(`p${String(i).padStart(4, '0')}`));
    const activities = createCoordinationActivities({
      client: clientMissing({}, []),
      taskQueue: 'q',
      defaultLeadMinutes: 15,
      defaultLagMinutes: 15,
      readSiteState: (siteId) => Promise.resolve({ siteId, accessGroups: [], users: [] }),
      listWorkflowIds: async function* () {
        for (const id of people) {
          await Promise.resolve();
          yield id;
        }
      },
    });
    // A retry: the previous attempt had told the people up to p0049 before it failed.
    const resumePoint = { phase: 0, after: 'p0049' };
    const env = new MockActivityEnvironment({ heartbeatDetails: resumePoint });
    const details: unknown[] = [];
    env.on('heartbeat', (d: unknown) => details.push(d));
    const reconcile = (): ReturnType<typeof activities.reconcileSite> =>
      activities.reconcileSite({ siteId: 's1' });
    type Answer = Awaited<ReturnType<typeof reconcile>>;
    const { peopleTold, usersMissing } = await env.run<[], Answer, typeof reconcile>(reconcile);
    assert.equal(usersMissing, 1000, 'none of them has a user on the site');
    assert.ok(peopleTold > 900 && peopleTold < 1000, `the retry resumes near p0050 (${peopleTold} told)`);
    const whileListing = details.slice(
      0,
      details.findIndex((d) => JSON.stringify(d) !== JSON.stringify(resumePoint)),
    );
    assert.ok(whileListing.length >= 4, `${whileListing.length} heartbeats while 1,000 people were listed`);
  });
});
