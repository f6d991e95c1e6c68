// The chaos run's judge: SALTO KS (a real simulator, changed through its Connect API) against the
// model. A revocation done in time is not late, one held past the limit is, with how late; the end
// comparison counts lost grants, missed revocations and duplicate users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeskworksEvent } from '../../src/api/deskworks-events';
import { DEMO_SEED, DEMO_SITE_BERLIN_ID } from '../../src/simulator/demo-seed';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { changeSaltoByHand, createUserInSalto, setAliasInSalto } from '../helpers/salto-by-hand';
import { AccessModel } from '../model/model';
import { ChaosObserver } from './chaos-observer';

const FLOOR = 'ag-berlin-coworking-floor';
const ENTRANCE = 'ag-berlin-main-entrance';
const EMAIL = 'watched@chaos.example';

describe('the chaos observer', () => {
  let sim: RunningSimulator;
  let model: AccessModel;
  let userId: string;
  let siteUserId: string;
  before(async () => {
    sim = await startSimulator({ port: 0, seed: DEMO_SEED });
    const site = sim.simulator.state().sites.find((s) => s.id === DEMO_SITE_BERLIN_ID)!;
    model = new AccessModel({ [site.id]: site.access_groups.map((g) => g.id) }, { berlin: 'Europe/Berlin' });
    model.mapCenter('berlin', site.id);
    model.mapItem('products', 'berlin', 'flex', [ENTRANCE, FLOOR]);
    siteUserId = await createUserInSalto(sim, site.id, {
      firstName: 'Wat',
      lastName: 'Ched',
      email: EMAIL,
      groups: [],
    });
    userId = sim.simulator
      .state()
      .sites.find((s) => s.id === site.id)!
      .users.find((u) => u.id === siteUserId)!.userId;
  });
  after(async () => {
    await sim.close();
  });

  const member = (billingStatus: 'active' | 'cancelled', updatedAt: string): DeskworksEvent => ({
    id: `evt-${updatedAt}`,
    type: 'member.updated',
    occurredAt: updatedAt,
    data: {
      id: 'watched',
      centerId: 'berlin',
      firstName: 'Wat',
      lastName: 'Ched',
      email: EMAIL,
      phone: null,
      status: 'active',
      masterMemberId: null,
      recurringBillings: [
        {
          id: 'b-1',
          productId: 'flex',
          centerId: 'berlin',
          startDate: '2020-01-01',
          endDate: null,
          status: billingStatus,
        },
      ],
      updatedAt,
    },
  });
  const grant = (group: string) =>
    changeSaltoByHand(sim.url, 'POST', `/v1.2/sites/${DEMO_SITE_BERLIN_ID}/access_groups/${group}/users`, {
      user_id: userId,
    });
  const revoke = (group: string) =>
    changeSaltoByHand(
      sim.url,
      'DELETE',
      `/v1.2/sites/${DEMO_SITE_BERLIN_ID}/access_groups/${group}/users/${userId}`,
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('times grants and revocations, and counts a revocation held past the limit as late', async () => {
    const observer = new ChaosObserver(model, sim.url, new Set([EMAIL]), 300);
    model.deliver(member('active', new Date(Date.now() - 1000).toISOString()), Date.now());
    await observer.sample(); // both groups due, none held
    await grant(ENTRANCE);
    await grant(FLOOR);
    await observer.sample();
    assert.equal(observer.grantDelaysMs.length, 2);

    // The plan is cancelled: the groups must go. One goes at once, the other too late.
    model.deliver(member('cancelled', new Date().toISOString()), Date.now());
    await observer.sample();
    await revoke(ENTRANCE);
    await observer.sample();
    assert.equal(observer.late.length, 0, 'the entrance went in time');
    await sleep(400);
    await observer.sample();
    await revoke(FLOOR);
    await observer.sample();
    assert.deepEqual(
      observer.late.map((l) => [l.email, l.group, l.duringOutage]),
      [[EMAIL, FLOOR, false]],
    );
    assert.ok(observer.late[0]!.lateByMs >= 300, `late by ${observer.late[0]!.lateByMs} ms`);
    assert.ok(observer.outOfSyncMs.get(EMAIL)! >= 300, 'the person was out of sync meanwhile');
  });

  it('reports apart a revocation due just before the Temporal server stops and done while it is stopped', async () => {
    const observer = new ChaosObserver(model, sim.url, new Set([EMAIL]), 300);
    model.deliver(member('active', new Date().toISOString()), Date.now());
    await observer.sample();
    await grant(ENTRANCE);
    await grant(FLOOR);
    await observer.sample();

    model.deliver(member('cancelled', new Date().toISOString()), Date.now());
    await observer.sample(); // both due now
    await sleep(50);
    const back = observer.outageBegins(Date.now());
    await sleep(400);
    await revoke(ENTRANCE);
    await revoke(FLOOR);
    await observer.sample(); // done while the server is still stopped
    assert.deepEqual(observer.late.map((l) => [l.group, l.duringOutage]).sort(), [
      [FLOOR, true],
      [ENTRANCE, true],
    ]);
    back(Date.now());
  });

  it('finds lost grants, missed revocations and duplicate users at the end', async () => {
    const observer = new ChaosObserver(model, sim.url, new Set([EMAIL]), 300);
    model.deliver(member('active', new Date().toISOString()), Date.now()); // the plan again
    await grant(ENTRANCE);
    await grant('ag-berlin-private-offices');
    // A second user of the same person (its alias), under another e-mail.
    const second = await createUserInSalto(sim, DEMO_SITE_BERLIN_ID, {
      firstName: 'Dup',
      lastName: 'Licate',
      email: 'watched-again@chaos.example',
      groups: [],
    });
    await setAliasInSalto(sim, DEMO_SITE_BERLIN_ID, siteUserId, 'deskworks:watched');
    await setAliasInSalto(sim, DEMO_SITE_BERLIN_ID, second, 'deskworks:watched');
    const final = await observer.finalComparison();
    assert.deepEqual(final.lostGrants, [{ site: DEMO_SITE_BERLIN_ID, email: EMAIL, group: FLOOR }]);
    assert.deepEqual(final.missedRevocations, [
      { site: DEMO_SITE_BERLIN_ID, email: EMAIL, group: 'ag-berlin-private-offices' },
    ]);
    assert.equal(final.drift, 1);
    assert.deepEqual(final.duplicateUsers, [{ site: DEMO_SITE_BERLIN_ID, email: EMAIL, users: 2 }]);
  });
});
