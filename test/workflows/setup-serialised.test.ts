// Set-up changes are serialised (issue 9, item 10): updates and catalog signals that arrive
// together each apply to the latest set-up, none is lost, and every change gets its own version.
// And each fan-out is followed by a catch-up fan-out (item 1) for people visibility missed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SetupFanOut } from '../../src/activities/coordination-types';
import { SETUP_WORKFLOW_ID } from '../../src/shared/ids';
import { catalogEventSignal, getSetupQuery, SETUP_MEMO_KEY } from '../../src/workflows/messages';
import { createCoordinationActivities } from '../../src/activities/coordination-activities';
import { BERLIN_SITE, startEngine, type Engine } from '../helpers/engine';
import { nextEventId } from '../helpers/events';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import { testPayloadCodec } from '../helpers/test-data-converter';

/** The inputs of every notifyPeopleOfSetupChange the set-up workflow scheduled, in order. */
async function fanOutsOf(e: Engine): Promise<SetupFanOut[]> {
  const history = await e.client.workflow.getHandle(SETUP_WORKFLOW_ID).fetchHistory();
  const inputs = (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'notifyPeopleOfSetupChange') return [];
    const payload = scheduled.input?.payloads?.[0];
    return payload ? [payload] : [];
  });
  // Histories hold encrypted payloads: decrypt with the tests' key, then read the JSON.
  return (await testPayloadCodec.decode(inputs)).map(
    (p) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as SetupFanOut,
  );
}

describe('set-up changes are serialised', { timeout: 120_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
  });
  after(async () => {
    await e?.stop();
  });

  it('two mapping updates and a catalog signal at once: all three kept, one version each', async () => {
    const base = (await e.setup()).version;
    // SALTO KS answers slowly, so the signal lands while an update waits for the site's groups.
    await setSimulatorFaults(e.sim.url, { latencyMs: 400 });
    try {
      const [first, second] = await Promise.all([
        e.mapProduct('berlin', 'p-floor', ['ag-berlin-coworking-floor']),
        e.mapProduct('berlin', 'p-office', ['ag-berlin-private-offices']),
        e.client.workflow.getHandle(SETUP_WORKFLOW_ID).signal(catalogEventSignal, {
          type: 'product',
          eventId: nextEventId('catalog'),
          product: { id: 'p-catalog', centerId: 'berlin', name: 'From the catalog' },
        }),
      ]);
      assert.ok(first && second);
      const versions = [first.version, second.version];
      assert.notEqual(versions[0], versions[1], `both updates answered version ${versions[0]}`);
      assert.ok(versions.every((v) => v > base && v <= base + 3));
      // Each update answers a set-up that holds its own change.
      assert.deepEqual(first.centers.berlin?.products['p-floor']?.accessGroupIds, [
        'ag-berlin-coworking-floor',
      ]);
      assert.deepEqual(second.centers.berlin?.products['p-office']?.accessGroupIds, [
        'ag-berlin-private-offices',
      ]);
      // The later update was applied on top of the earlier one.
      const [earlier, later] = first.version < second.version ? [first, second] : [second, first];
      const earlierId = earlier === first ? 'p-floor' : 'p-office';
      assert.ok(later.centers.berlin?.products[earlierId], 'the later update lost the earlier one');
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }

    const final = await e.eventually(async () => {
      const s = await e.setup();
      return s.centers.berlin?.products['p-catalog'] ? s : undefined;
    }, 'the catalog product');
    const products = final.centers.berlin?.products ?? {};
    assert.deepEqual(products['p-floor']?.accessGroupIds, ['ag-berlin-coworking-floor']);
    assert.deepEqual(products['p-office']?.accessGroupIds, ['ag-berlin-private-offices']);
    assert.deepEqual(products['p-catalog'], { name: 'From the catalog', accessGroupIds: [] });
    assert.equal(final.version, base + 3, 'the version counts every change');
  });

  it('follows each fan-out with a catch-up fan-out to people started since shortly before', async () => {
    const before = await fanOutsOf(e);
    const committedAt = await e.now();
    const changed = await e.mapProduct('berlin', 'p-floor', ['ag-berlin-main-entrance']);
    // The catch-up waits on a durable timer: let server time pass.
    await e.advance(60_000);
    // Earlier changes' catch-ups may come in between: pick this change's fan-outs by version.
    const fanOuts = await e.eventually(async () => {
      const mine = (await fanOutsOf(e)).slice(before.length).filter((f) => f.version === changed.version);
      return mine.some((f) => f.startedSince !== undefined) ? mine : undefined;
    }, 'the catch-up fan-out');
    assert.deepEqual(fanOuts[0], { version: changed.version, everyone: false, centerIds: ['berlin'] });
    assert.equal(fanOuts.length, 2);
    const catchUp = fanOuts[1];
    assert.deepEqual(catchUp && { ...catchUp, startedSince: 'x' }, {
      version: changed.version,
      everyone: false,
      centerIds: [],
      startedSince: 'x',
    });
    assert.ok(catchUp?.startedSince);
    const since = Date.parse(catchUp.startedSince);
    // Two minutes before the commit (the commit came at or after committedAt, within the test).
    assert.ok(since >= committedAt - 2 * 60_000 - 1000, `${catchUp.startedSince} too early`);
    assert.ok(since <= committedAt - 2 * 60_000 + 30_000, `${catchUp.startedSince} too late`);
  });

  it('keeps the set-up in its memo, encrypted, equal to its query after every change; loadSetup reads it', async () => {
    const handle = e.client.workflow.getHandle(SETUP_WORKFLOW_ID);
    for (const change of [
      () => e.mapProduct('berlin', 'memo-a', ['ag-berlin-main-entrance']),
      () => e.mapProduct('berlin', 'memo-b', ['ag-berlin-coworking-floor']),
      () => e.setPolicy({ noAccessPolicy: 'block' }),
    ]) {
      const answered = await change();
      const { memo, raw } = await handle.describe();
      assert.deepEqual(memo?.[SETUP_MEMO_KEY], answered, 'the memo is the set-up the update answered');
      assert.deepEqual(memo?.[SETUP_MEMO_KEY], await handle.query(getSetupQuery));
      const stored = raw.workflowExecutionInfo?.memo?.fields?.[SETUP_MEMO_KEY];
      assert.equal(Buffer.from(stored?.metadata?.encoding ?? []).toString(), 'binary/encrypted');
    }
    const activities = createCoordinationActivities({
      client: e.client,
      taskQueue: e.taskQueue,
      defaultLeadMinutes: 15,
      defaultLagMinutes: 15,
      readSiteState: () => Promise.reject(new Error('not read here')),
    });
    assert.deepEqual(await activities.loadSetup(), await e.setup());
  });
});
