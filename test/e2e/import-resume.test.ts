// An import survives the worker that runs it being killed (`kill -9`) part-way: another worker
// goes on from the chunk it had reached, without an operator and without starting over, and every
// row still reaches its workflow once the import is done (docs/import.md). Real worker processes
// beside the dev server, the simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { billing, memberSnapshot } from '../../src/demo/event-builders';
import type { ImportProgress } from '../../src/workflows/import';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import { WorkerProcesses } from '../helpers/worker-processes';
import {
  BERLIN,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  saltoUsersByEmail,
  uniqueId,
  waitForSaltoGroups,
} from './e2e-support';

/** Three chunks of 250 rows (IMPORT_CHUNK_ROWS) at 30 rows per second: about 8 s per chunk. */
const ROWS = 750;
const ROWS_PER_SECOND = 30;

describe('an import whose worker is killed part-way', { timeout: 300_000 }, () => {
  let stack: Stack;
  let workers: WorkerProcesses;

  before(async () => {
    stack = await startStack({ workers: 0, importRowsPerSecond: ROWS_PER_SECOND });
    workers = WorkerProcesses.forStack(stack);
    await workers.start();
    await mapTestSetup(stack);
  });

  after(async () => {
    await workers?.stopAll();
    await stack?.stop();
  });

  it('goes on from the chunk it reached on another worker, and every row still arrives', async () => {
    const tag = uniqueId('imp-kill');
    // Every 50th member has a desk plan at Berlin (doors to check); the others have no plan yet:
    // each still starts its person workflow, and costs SALTO KS nothing.
    const members = Array.from({ length: ROWS }, (_, i) =>
      memberSnapshot({
        id: `${tag}-m${i}`,
        centerId: BERLIN.centerId,
        firstName: `Resumed${i}`,
        lastName: 'Member',
        email: emailOf(`${tag}-m${i}`),
        recurringBillings:
          i % 50 === 0
            ? [
                billing({
                  id: `b-${tag}-${i}`,
                  productId: PRODUCT_DESK,
                  centerId: BERLIN.centerId,
                  startDate: localDay(BERLIN.timeZone, -7),
                }),
              ]
            : [],
      }),
    );
    const file = members.map((m) => JSON.stringify({ kind: 'member', data: m })).join('\n') + '\n';
    const res = await fetch(`${stack.apiUrl}/api/import?name=resumed.ndjson`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/x-ndjson' },
      body: file,
    });
    const answer = (await res.json()) as { importId: string; chunks: number };
    assert.equal(res.status, 202, JSON.stringify(answer));
    assert.equal(answer.chunks, 3);
    const progressNow = async (): Promise<ImportProgress> =>
      (await stack.api('GET', `/api/imports/${answer.importId}`)).body as ImportProgress;

    // Killed once the first chunk is done: the second is then in flight on that worker.
    await stack.eventually(
      async () => ((await progressNow()).chunksDone >= 1 ? true : undefined),
      60_000,
      'the first chunk imported',
    );
    const atKill = await progressNow();
    assert.equal(atKill.chunksDone, 1, 'killed while the second chunk runs');
    await workers.kill(workers.all[0]!);
    await workers.start();

    const done = await stack.eventually(
      async () => {
        const progress = await progressNow();
        return progress.status === 'done' ? progress : undefined;
      },
      180_000,
      'the import to finish on the new worker',
    );
    assert.equal(done.rowsDone, ROWS);
    assert.equal(done.delivered, ROWS, 'every row handed to its workflow');
    assert.equal(done.issueCount, 0);

    // Not started over: each chunk was scheduled once; the one in flight was retried.
    const history = await stack.client.workflow.getHandle(answer.importId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'importChunk',
    );
    assert.equal(scheduled.length, 3, 'one activity per chunk, none scheduled again');
    const attempts = events.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
    );
    assert.ok(
      attempts.some((a) => a > 1),
      `the chunk in flight ran again (attempts ${attempts.join(', ')})`,
    );

    // What reached SALTO KS: each planned member holds the desk's doors, as one user.
    for (const m of members.filter((_, i) => i % 50 === 0)) {
      await waitForSaltoGroups(stack, BERLIN.siteId, m.email, GROUPS.deskBerlin, 60_000);
      assert.equal((await saltoUsersByEmail(stack, BERLIN.siteId, m.email)).length, 1, m.email);
    }
  });
});
