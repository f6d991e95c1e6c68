// SALTO KS calls in the worker's /metrics: the real client against the simulator over HTTP, the
// registry served by the worker's health server, read back as a scraper reads it.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry } from '../../src/metrics/registry';
import { saltoExchangeMetrics } from '../../src/metrics/salto-metrics';
import { startHealthServer } from '../../src/runtime/health-server';
import { endpointOf } from '../../src/salto/client';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import { makeClient, rejection } from '../salto/helpers/client';
import { SITE_A, TestSimulator } from '../salto/helpers/simulator';
import { parsePrometheusText, sampleValue } from './prometheus-text';

describe('SALTO KS calls in /metrics', () => {
  let sim: TestSimulator;
  let health: Server;
  let metricsUrl: string;
  const registry = createMetricsRegistry('worker');

  before(async () => {
    sim = await TestSimulator.start();
    health = await startHealthServer(
      0,
      () => Promise.resolve({ healthy: true }),
      () => undefined,
      { registry },
    );
    metricsUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/metrics`;
  });
  after(async () => {
    health?.close();
    await sim?.close();
  });

  it('names endpoints with the contract’s placeholders, never with ids', () => {
    assert.equal(endpointOf('/v1.2/sites'), '/v1.2/sites');
    assert.equal(endpointOf(`/v1.2/sites/${SITE_A}/users/su-1`), '/v1.2/sites/{s}/users/{u}');
    assert.equal(
      endpointOf(`/v1.2/sites/${SITE_A}/access_groups/ag-x/users/pu-9`),
      '/v1.2/sites/{s}/access_groups/{ag}/users/{u}',
    );
    assert.equal(
      endpointOf(`/v1.1/sites/${SITE_A}/access_groups/ag-x/users`),
      '/v1.1/sites/{s}/access_groups/{ag}/users',
    );
  });

  it('counts each call by method, endpoint and outcome, with its latency, labelled worker', async () => {
    const { client } = makeClient(sim.url, { onExchange: saltoExchangeMetrics(registry) });
    await client.listSites();
    await client.listSiteUsers(SITE_A);
    await setSimulatorFaults(sim.url, {
      errors: [{ status: 503, count: 1, pathPrefix: `/v1.2/sites/${SITE_A}/users` }],
    });
    const failed = await rejection(client.listSiteUsers(SITE_A));
    assert.match(failed.message, /503/);

    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const { samples, helped } = parsePrometheusText(await res.text());
    for (const name of [
      'salto_ks_requests_total',
      'salto_ks_request_duration_seconds',
      'process_cpu_user_seconds_total',
    ])
      assert.ok(helped.has(name), `${name} is described`);
    const users = { method: 'GET', endpoint: '/v1.2/sites/{s}/users', component: 'worker' };
    assert.equal(sampleValue(samples, 'salto_ks_requests_total', { ...users, outcome: '200' }), 1);
    assert.equal(sampleValue(samples, 'salto_ks_requests_total', { ...users, outcome: '503' }), 1);
    assert.equal(
      sampleValue(samples, 'salto_ks_requests_total', {
        method: 'GET',
        endpoint: '/v1.2/sites',
        outcome: '200',
      }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'salto_ks_request_duration_seconds_count', {
        method: 'GET',
        endpoint: '/v1.2/sites/{s}/users',
      }),
      2,
    );
    assert.ok(
      !samples.some((s) => Object.values(s.labels).some((v) => v.includes(SITE_A))),
      'no site id in any label',
    );
  });
});
