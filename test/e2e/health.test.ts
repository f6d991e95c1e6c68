// The set-up page's health panel through its API (issue 13 §5), on the dev server: Temporal, a
// worker polling, SALTO KS answering with the stored sign-in, the periodic reconciliation (run by
// its real Temporal Schedule) and what it repaired, and people out of sync — each working, then
// failing with the instant it stopped, then working again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HealthCheck, HealthReport } from '../../src/api/health';
import { ensureReconcileSchedule } from '../../src/runtime/long-lived-workflows';
import { RECONCILE_SCHEDULE_ID } from '../../src/shared/ids';
import { deleteUserInSalto } from '../helpers/salto-by-hand';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import { callAdminApi } from '../helpers/http-calls';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import {
  BERLIN,
  emailOf,
  GROUPS,
  mapTestSetup,
  syncedBerlinMember,
  uniqueId,
  waitForSaltoGroups,
  waitUntilListed,
} from './e2e-support';

const HEALTH_CACHE_MS = 5000;

/**
 * Always the first API: with replicas (the cluster run), each API process remembers on its own
 * since when it has seen a part failing.
 */
async function health(stack: Stack): Promise<HealthReport> {
  const answer = await callAdminApi(stack.apiUrl, ADMIN_TOKEN, 'GET', '/api/health');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as HealthReport;
}

function checkOf(report: HealthReport, name: HealthCheck['name']): HealthCheck {
  const found = report.checks.find((c) => c.name === name);
  assert.ok(found, `${name} is missing from ${JSON.stringify(report)}`);
  return found;
}

/** Waits (past the report's cache) until one check says what `until` wants. */
function healthUntil(
  stack: Stack,
  name: HealthCheck['name'],
  until: (c: HealthCheck) => boolean,
  what: string,
): Promise<HealthCheck> {
  return stack.eventually(
    async () => {
      const c = checkOf(await health(stack), name);
      return until(c) ? c : undefined;
    },
    HEALTH_CACHE_MS + 25_000,
    what,
  );
}

describe('the health panel’s API (GET /api/health)', { timeout: 180_000 }, () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  it('says every part works, names no one, and gives no failing instant while it does', async () => {
    const id = uniqueId('health');
    await syncedBerlinMember(stack, id, 'Hedda', 'Healthy');
    await ensureReconcileSchedule(stack.client, stack.taskQueue, 60);

    const people = await healthUntil(
      stack,
      'people',
      (c) => c.ok && /all [1-9]\d* (person|people) in sync/.test(c.detail),
      'people in sync',
    );
    assert.equal(people.failingSince, null);
    const report = await health(stack);
    assert.deepEqual(
      report.checks.map((c) => c.name),
      ['temporal', 'worker', 'salto', 'reconciliation', 'people'],
    );
    for (const c of report.checks) assert.equal(c.ok, true, `${c.name}: ${c.detail}`);
    assert.equal(report.ok, true);
    assert.match(checkOf(report, 'worker').detail, new RegExp(`polling ${stack.taskQueue}`));
    assert.match(checkOf(report, 'salto').detail, /^connected/);
    assert.equal(checkOf(report, 'reconciliation').detail, 'scheduled: no run yet');
    const text = JSON.stringify(report);
    for (const personal of ['Hedda', 'Healthy', emailOf(id)]) assert.ok(!text.includes(personal), personal);
  });

  it('reports the last reconciliation its schedule ran and the users deleted by hand it made again', async () => {
    const id = uniqueId('repaired');
    await syncedBerlinMember(stack, id, 'Rhea', 'Paired');
    // Visibility lists the person on the site before reconciliation can miss its user.
    await waitUntilListed(stack, BERLIN.centerId, id);
    await deleteUserInSalto(stack.sim, BERLIN.siteId, id);

    await stack.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();
    const done = await healthUntil(
      stack,
      'reconciliation',
      (c) => c.detail.startsWith('last run '),
      'the triggered reconciliation done',
    );
    assert.equal(done.ok, true);
    assert.match(
      done.detail,
      /\d+ sites?, \d+ users read, [1-9]\d* people told what SALTO KS holds, 1 user deleted by hand made again/,
    );
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(id), GROUPS.deskBerlin);
  });

  it('says since when SALTO KS has failed, and forgets it once SALTO KS answers again', async () => {
    await setSimulatorFaults(stack.sim.url, { errors: [{ status: 503, fraction: 1 }] });
    let failing: HealthCheck;
    try {
      failing = await healthUntil(stack, 'salto', (c) => !c.ok, 'SALTO KS failing');
      assert.match(failing.detail, /^failing: .*503/);
      assert.ok(failing.failingSince, 'an instant it stopped');
      const later = await healthUntil(
        stack,
        'salto',
        (c) => !c.ok && c.failingSince !== null,
        'still failing',
      );
      assert.equal(later.failingSince, failing.failingSince, 'the first instant it was seen failing is kept');
      assert.equal((await health(stack)).ok, false);
    } finally {
      await setSimulatorFaults(stack.sim.url, {});
    }
    const back = await healthUntil(stack, 'salto', (c) => c.ok, 'SALTO KS back');
    assert.equal(back.failingSince, null);
  });
});

describe('the health panel’s API with no worker running', { timeout: 120_000 }, () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ workers: 0 });
  });
  after(async () => {
    await stack?.stop();
  });

  it('says no worker polls the task queue, and that no reconciliation is scheduled', async () => {
    const report = await health(stack);
    assert.equal(checkOf(report, 'temporal').ok, true);
    const worker = checkOf(report, 'worker');
    assert.equal(worker.ok, false);
    assert.equal(
      worker.detail,
      `no worker polls ${stack.taskQueue} for any task: start one (npm run worker)`,
    );
    assert.ok(worker.failingSince);
    const reconciliation = checkOf(report, 'reconciliation');
    assert.equal(reconciliation.ok, false);
    assert.match(reconciliation.detail, /no reconciliation schedule/);
    assert.equal(report.ok, false);
  });
});
