// A worker process as production runs it (dist/worker-main.js): its GET /metrics on the health
// port (its own series and the Temporal SDK's) and its log lines (one JSON object each), after it
// synced a member, read as a scraper and a log shipper would. Neither names the member.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memberCreated } from '../../src/demo/event-builders';
import { freeLoopbackPort } from '../../src/runtime/sdk-runtime';
import { RECONCILE_SCHEDULE_ID } from '../../src/shared/ids';
import { deleteUserInSalto } from '../helpers/salto-by-hand';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import { WorkerProcesses, type WorkerProcess } from '../helpers/worker-processes';
import { parsePrometheusText } from '../metrics/prometheus-text';
import {
  BERLIN,
  berlinDeskMember,
  GROUPS,
  mapTestSetup,
  PRODUCT_DESK,
  syncedBerlinMember,
  uniqueId,
  waitForSaltoGroups,
  waitUntilListed,
} from './e2e-support';

describe('a worker process: its metrics and its logs', { timeout: 180_000 }, () => {
  let stack: Stack;
  let workers: WorkerProcesses;
  let worker: WorkerProcess;
  let healthPort: number;

  before(async () => {
    stack = await startStack({ workers: 0 });
    healthPort = await freeLoopbackPort();
    workers = WorkerProcesses.forStack(stack, { WORKER_HEALTH_PORT: String(healthPort) });
    worker = await workers.start();
    await mapTestSetup(stack);
  });
  after(async () => {
    await workers?.stopAll();
    await stack?.stop();
  });

  it('serves its SALTO KS calls and the SDK’s worker metrics at /metrics, and logs JSON lines with ids only', async () => {
    const id = uniqueId('m');
    const member = berlinDeskMember(id, 'Olivia', 'Observed');
    assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);

    const res = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const { samples, helped } = parsePrometheusText(text);
    const calls = samples.filter(
      (s) => s.name === 'salto_ks_requests_total' && s.labels.component === 'worker',
    );
    assert.ok(
      calls.some(
        (s) => s.labels.method === 'POST' && s.labels.endpoint === '/v1.2/sites/{s}/users' && s.value >= 1,
      ),
      `the user's creation is counted: ${JSON.stringify(calls)}`,
    );
    const sdk = [...helped].filter((name) => name.startsWith('temporal_'));
    assert.ok(sdk.length > 0, 'the Temporal SDK’s own series are there');
    assert.ok(helped.has('temporal_worker_task_slots_available'), `task slots among ${sdk.join(', ')}`);
    for (const personal of [member.email, member.firstName, member.lastName])
      assert.ok(!text.includes(personal), `/metrics does not hold ${personal}`);

    // docs/grafana-dashboard.json names only series that exist, at the API or at a worker.
    const apiText = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const served = new Set([...helped, ...parsePrometheusText(apiText).helped]);
    const dashboard = JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const named = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) =>
        [
          ...t.expr.matchAll(
            /\b(?:deskworks|salto_ks|temporal|process|nodejs|people|reconciliation|setup_fan_outs?|import)_\w+/g,
          ),
        ].map((m) => m[0]),
      ),
    );
    assert.ok(named.length >= dashboard.panels.length, 'every panel names a series');
    for (const name of named)
      assert.ok(served.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} (in the dashboard) is served`);

    const lines = worker.output
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      assert.equal(entry.component, 'worker');
      assert.ok(['info', 'warn', 'error'].includes(String(entry.level)), `a level: ${JSON.stringify(entry)}`);
      assert.ok(!Number.isNaN(Date.parse(String(entry.time))), 'a time');
    }
    assert.ok(entries.some((e) => String(e.msg).startsWith('worker polling task queue')));
    for (const personal of [member.email, member.firstName, member.lastName])
      assert.ok(!lines.some((l) => l.includes(personal)), `the log does not hold ${personal}`);
  });

  it('counts reconciliation (with the users deleted by hand it makes again), set-up fan-outs and import rows', async () => {
    const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
      const sample = parsePrometheusText(text).samples.find(
        (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
      );
      return sample?.value ?? 0;
    };
    const grows = (name: string, from: number, by: number, labels: Record<string, string> = {}) =>
      stack.eventually(
        async () => ((await metric(name, labels)) >= from + by ? true : undefined),
        60_000,
        `${name} grows by ${by}`,
      );

    // Reconciliation, run by the schedule the worker made at start, finds a user deleted by hand.
    const id = uniqueId('m');
    const member = await syncedBerlinMember(stack, id, 'Rita', 'Reconciled');
    await waitUntilListed(stack, BERLIN.centerId, id);
    const [sites, missing] = [
      await metric('reconciliation_sites_total'),
      await metric('reconciliation_users_missing_total'),
    ];
    await deleteUserInSalto(stack.sim, BERLIN.siteId, id);
    await stack.client.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();
    await grows('reconciliation_sites_total', sites, 1);
    await grows('reconciliation_users_missing_total', missing, 1);
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);

    // A set-up change fans out to the people it concerns.
    const fanOuts = await metric('setup_fan_outs_total');
    const told = await metric('setup_fan_out_notified_total');
    const changed = await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
      accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-meeting-room-spree'],
    });
    assert.equal(changed.status, 200);
    await grows('setup_fan_outs_total', fanOuts, 1);
    assert.ok((await metric('setup_fan_out_notified_total')) >= told);
    assert.equal(await metric('setup_fan_outs_running'), 0);

    // An import: one row imported, one refused.
    const [imported, refused] = [
      await metric('import_rows_total', { result: 'imported' }),
      await metric('import_rows_total', { result: 'refused' }),
    ];
    const extra = berlinDeskMember(uniqueId('m'), 'Ivo', 'Imported');
    const file = `${JSON.stringify({ kind: 'member', data: extra })}\n${JSON.stringify({ kind: 'member', data: { ...extra, id: '' } })}\n`;
    const res = await fetch(`${stack.apiUrl}/api/import?name=metrics.ndjson`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/x-ndjson' },
      body: file,
    });
    assert.equal(res.status, 202, await res.text());
    await grows('import_rows_total', imported, 1, { result: 'imported' });
    await grows('import_rows_total', refused, 1, { result: 'refused' });
  });
});
