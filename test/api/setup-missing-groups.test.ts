// GET /api/setup names a mapped group SALTO KS no longer has (issue 9, item 3), and still
// answers, unchecked, when SALTO KS cannot be asked. The set-up is made through the set-up
// workflow's updates on the time-skipping server; the group is deleted in the simulator by hand.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { saltoSetupCheck, setupRouter, type SetupSaltoCheck } from '../../src/api/setup-routes';
import type { SetupView } from '../../src/core/setup-view';
import { createSaltoConnection, InMemoryTokenStore, silentSaltoLogger } from '../../src/salto';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { BERLIN_SITE, BROOKLYN_SITE, startEngine, type Engine } from '../helpers/engine';
import { deleteGroupInSalto } from '../helpers/salto-by-hand';
import { setSimulatorFaults } from '../helpers/simulator-faults';

function saltoAt(url: string, signedIn: boolean): SetupSaltoCheck {
  return saltoSetupCheck(
    createSaltoConnection(
      {
        identityUrl: url,
        apiUrl: url,
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        ...(signedIn
          ? { passwordCredentials: { username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD } }
          : {}),
      },
      { tokenStore: new InMemoryTokenStore(), timeoutMs: 5000, logger: silentSaltoLogger },
    ),
  );
}

describe('GET /api/setup checks the mapped groups against SALTO KS', { timeout: 120_000 }, () => {
  let e: Engine;
  const servers: Server[] = [];

  /** The set-up routes alone (the admin guard is tested elsewhere), with this SALTO KS check. */
  async function getSetup(saltoCheck?: SetupSaltoCheck): Promise<{ status: number; body: SetupView }> {
    const app = express();
    app.use(
      setupRouter({
        client: e.client,
        taskQueue: e.taskQueue,
        setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
        ...(saltoCheck ? { saltoCheck } : {}),
      }),
    );
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, () => resolve(s));
    });
    servers.push(server);
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/setup`);
    return { status: res.status, body: (await res.json()) as SetupView };
  }

  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapCenter('brooklyn', BROOKLYN_SITE, 'America/New_York');
    await e.mapProduct('berlin', 'desk', ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance']);
    await e.mapUnit('berlin', 'room', ['ag-berlin-meeting-room-spree']);
    await e.mapProduct('brooklyn', 'desk', ['ag-brooklyn-open-desks']);
    await deleteGroupInSalto(e.sim, BERLIN_SITE, 'ag-berlin-coworking-floor');
  });
  after(async () => {
    for (const s of servers) s.close();
    await e?.stop();
  });

  it('names the group deleted in SALTO KS on the item that maps it, and only there', async () => {
    const { status, body } = await getSetup(saltoAt(e.sim.url, true));
    assert.equal(status, 200);
    assert.deepEqual(body.saltoCheck, { ok: true });
    const berlin = body.centers.find((c) => c.id === 'berlin');
    const brooklyn = body.centers.find((c) => c.id === 'brooklyn');
    assert.deepEqual(berlin?.products, [
      {
        id: 'desk',
        name: null,
        accessGroupIds: ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance'],
        missingAccessGroupIds: ['ag-berlin-coworking-floor'],
      },
    ]);
    assert.deepEqual(berlin?.reservationUnits[0]?.missingAccessGroupIds, []);
    // The same product id at another center, on another site, is untouched.
    assert.deepEqual(brooklyn?.products[0]?.missingAccessGroupIds, []);
  });

  it('SALTO KS failing: the set-up still answers, unchecked, and says why', async () => {
    await setSimulatorFaults(e.sim.url, {
      errors: [{ status: 503, fraction: 1, pathPrefix: `/v1.2/sites/${BERLIN_SITE}` }],
    });
    try {
      const { status, body } = await getSetup(saltoAt(e.sim.url, true));
      assert.equal(status, 200);
      assert.equal(body.saltoCheck?.ok, false);
      assert.match(body.saltoCheck && !body.saltoCheck.ok ? body.saltoCheck.error : '', /503/);
      const berlin = body.centers.find((c) => c.id === 'berlin');
      assert.equal(berlin?.products[0]?.missingAccessGroupIds, undefined);
      assert.deepEqual(berlin?.products[0]?.accessGroupIds, [
        'ag-berlin-coworking-floor',
        'ag-berlin-main-entrance',
      ]);
      // The site that did answer is still checked.
      assert.deepEqual(body.centers.find((c) => c.id === 'brooklyn')?.products[0]?.missingAccessGroupIds, []);
    } finally {
      await setSimulatorFaults(e.sim.url, {});
    }
  });

  it('SALTO KS unreachable, or not connected: answered, unchecked', async () => {
    const unreachable = await getSetup(saltoAt('http://127.0.0.1:9', true));
    assert.equal(unreachable.status, 200);
    assert.equal(unreachable.body.saltoCheck?.ok, false);
    assert.equal(unreachable.body.centers[0]?.products[0]?.missingAccessGroupIds, undefined);

    const notConnected = await getSetup(saltoAt(e.sim.url, false));
    assert.equal(notConnected.status, 200);
    assert.deepEqual(notConnected.body.saltoCheck, { ok: false, error: 'SALTO KS is not connected' });
  });

  it('without a SALTO KS check: the contract’s shape alone', async () => {
    const { body } = await getSetup();
    assert.equal(body.saltoCheck, undefined);
    assert.equal(body.centers[0]?.products[0]?.missingAccessGroupIds, undefined);
  });
});
