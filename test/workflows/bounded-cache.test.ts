// WORKER_MAX_CACHED_WORKFLOWS: the worker keeps at most that many workflows in memory, and a
// person pushed out of the cache is replayed when it wakes and still acts on the next event.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BERLIN_SITE, startEngine, type Engine } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot } from '../helpers/events';

const CACHE = 10;
const PEOPLE = 24;

describe('a bounded sticky cache', { timeout: 180_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine({ maxCachedWorkflows: CACHE });
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapProduct('berlin', 'flex', ['ag-berlin-coworking-floor']);
    await e.mapProduct('berlin', 'office', ['ag-berlin-private-offices']);
  });
  after(async () => {
    await e?.stop();
  });

  it(`holds at most ${CACHE} workflows in memory, and a person pushed out still acts on its next event`, async () => {
    const now = await e.now();
    const ids = Array.from({ length: PEOPLE }, (_, i) => `cached-${i}`);
    for (const id of ids) {
      await e.tellPerson(
        id,
        memberSnapshot(id, {
          updatedAt: iso(now),
          billings: [billing({ id: `b-${id}`, productId: 'flex', centerId: 'berlin' })],
        }),
      );
    }
    for (const id of ids) {
      await e.eventually(
        async () => (await e.saltoUser(BERLIN_SITE, `${id}@example.com`))?.groups.length === 1,
        `${id} synced`,
      );
    }
    assert.ok(
      e.worker.getStatus().numCachedWorkflows <= CACHE,
      `${e.worker.getStatus().numCachedWorkflows} cached, at most ${CACHE}`,
    );

    // The first person was pushed out long ago: its next event replays it, and it acts.
    const first = ids[0]!;
    await e.tellPerson(
      first,
      billingEvent(
        billing({ id: `b-office-${first}`, productId: 'office', centerId: 'berlin' }),
        iso(now + 1000),
      ),
    );
    const user = await e.eventually(async () => {
      const u = await e.saltoUser(BERLIN_SITE, `${first}@example.com`);
      return u?.groups.length === 2 ? u : undefined;
    }, 'the office group');
    assert.deepEqual(user.groups, ['ag-berlin-coworking-floor', 'ag-berlin-private-offices']);
    assert.ok(e.worker.getStatus().numCachedWorkflows <= CACHE);
  });
});
