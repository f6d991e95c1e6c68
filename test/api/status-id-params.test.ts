// The admin status routes take a person or reservation id from the path: under the event
// contract's id rule (1–200 characters of valid Unicode), a bad one is a 400 naming the parameter
// and never reaches Temporal, instead of a 5xx when Temporal refuses it as a workflow id.
// Over HTTP through createApiApp, against a real Temporal dev server with no worker (so every
// id is unknown there: 404). A client interceptor records the workflow ids the API sent.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApiApp } from '../../src/api/app';
import { serveOnFreePort, type LocalServer } from '../helpers/local-server';
import { callAdminApi } from '../helpers/http-calls';
import { createDevServerEnv } from '../helpers/temporal-env';
import { testDataConverter } from '../helpers/test-data-converter';

const ADMIN_TOKEN = 'status-id-params-admin-token-0123456789';
const EMOJI = '\u{1F511}';

void describe('ids in the admin API paths', () => {
  const sentIds: string[] = [];
  let env: TestWorkflowEnvironment;
  let local: LocalServer;
  let url: string;

  before(async () => {
    env = await createDevServerEnv();
    // Every call the API makes about a workflow, by its id, as it leaves for the server.
    const recordId = <I extends { workflowExecution: { workflowId: string } }, O>(
      input: I,
      next: (input: I) => Promise<O>,
    ): Promise<O> => {
      sentIds.push(input.workflowExecution.workflowId);
      return next(input);
    };
    const recorder: WorkflowClientInterceptor = {
      query: recordId,
      signal: recordId,
      describe: recordId,
      startUpdate: recordId,
      terminate: recordId,
      cancel: recordId,
    };
    const client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter: testDataConverter,
      interceptors: { workflow: [recorder] },
    });
    const app = createApiApp({
      client,
      taskQueue: 'status-id-params-test',
      webhookSecrets: ['status-id-params-webhook-secret-0123456789'],
      adminToken: ADMIN_TOKEN,
      setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
      log: () => undefined,
    });
    local = await serveOnFreePort(app);
    url = local.url;
  });

  after(async () => {
    await local?.close();
    await env?.teardown();
  });

  beforeEach(() => {
    sentIds.length = 0;
  });

  const routes = [
    { method: 'GET', path: (id: string) => `/api/people/${id}/access`, param: 'personId', prefix: 'person-' },
    {
      method: 'GET',
      path: (id: string) => `/api/people/${id}/history`,
      param: 'personId',
      prefix: 'person-',
    },
    {
      method: 'POST',
      path: (id: string) => `/api/people/${id}/resync`,
      param: 'personId',
      prefix: 'person-',
    },
    {
      method: 'GET',
      path: (id: string) => `/api/reservations/${id}`,
      param: 'reservationId',
      prefix: 'reservation-',
    },
  ];

  for (const route of routes) {
    const call = (id: string) =>
      callAdminApi(url, ADMIN_TOKEN, route.method, route.path(encodeURIComponent(id)));

    void it(`${route.method} ${route.path(`:${route.param}`)}: an id of 201 characters → 400 naming ${route.param}`, async () => {
      const answer = await call('p'.repeat(201));
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      const body = answer.body as { error: string; issues: { path: string; message: string }[] };
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.issues[0]?.path, route.param);
      assert.match(body.issues[0]?.message ?? '', /at most 200 characters/);
      assert.deepEqual(sentIds, [], 'a bad id never reaches Temporal');
    });

    void it(`${route.method} ${route.path(`:${route.param}`)}: 201 emoji → 400, 200 emoji reach Temporal (404 unknown)`, async () => {
      const refused = await call(EMOJI.repeat(201));
      assert.equal(refused.status, 400);
      const known = await call(EMOJI.repeat(200));
      assert.equal(known.status, 404, JSON.stringify(known.body));
      assert.deepEqual(sentIds, [`${route.prefix}${EMOJI.repeat(200)}`]);
    });

    void it(`${route.method} ${route.path(`:${route.param}`)}: an id of 200 characters is looked up (404 unknown)`, async () => {
      const answer = await call('p'.repeat(200));
      assert.equal(answer.status, 404);
      assert.deepEqual(sentIds, [`${route.prefix}${'p'.repeat(200)}`]);
    });

    void it(`${route.method} ${route.path(`:${route.param}`)}: an id that is not UTF-8 once decoded → 400, not 5xx`, async () => {
      // %ED%A0%80 would be the lone surrogate U+D800: no valid UTF-8, so no decodable path.
      const answer = await callAdminApi(url, ADMIN_TOKEN, route.method, route.path('mem_%ED%A0%80'));
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual(sentIds, []);
    });
  }
});
