// A worker process as production runs it (dist/worker-main.js): its GET /metrics on the health
// port (its own series and the Temporal SDK's) and its log lines (one JSON object each), after it
// synced a member, read as a scraper and a log shipper would. Neither names the member.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memberCreated } from '../../src/demo/event-builders';
import { freeLoopbackPort } from '../../src/runtime/sdk-runtime';
import { startStack, type Stack } from '../helpers/stack';
import { WorkerProcesses, type WorkerProcess } from '../helpers/worker-processes';
import { parsePrometheusText } from '../metrics/prometheus-text';
import { BERLIN, berlinDeskMember, GROUPS, mapTestSetup, uniqueId, waitForSaltoGroups } from './e2e-support';

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
        [...t.expr.matchAll(/\b(?:deskworks|salto_ks|temporal|process|nodejs|people)_\w+/g)].map((m) => m[0]),
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
});
