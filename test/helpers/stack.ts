// The whole product in one test process, for end-to-end and browser tests: a fresh Temporal dev
// server (the CLI), the SALTO KS simulator over real HTTP, a real worker with the real
// activities, and the real API on an ephemeral port. Nothing is mocked.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createApiApp } from '../../src/api/app';
import { saltoAdminRouter, saltoCallbackRouter } from '../../src/api/salto-routes';
import { saltoSetupCheck } from '../../src/api/setup-routes';
import { ensureSetupWorkflow } from '../../src/runtime/long-lived-workflows';
import { createSaltoConnection, InMemoryTokenStore, silentSaltoLogger } from '../../src/salto';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SEED,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { callAdminApi, sendSignedEvent } from './http-calls';
import { createDevServerEnv } from './temporal-env';
import { FAILURE_CONVERTER_PATH } from '../../src/shared/data-converter';
import { testDataConverter, testPayloadCodec } from './test-data-converter';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
/** Only for the set-up page's links: the test dev server runs no Web UI. */
export const TEMPORAL_UI_URL = 'http://localhost:8233';

let bundle: Promise<WorkflowBundle> | null = null;
/** Bundled once per test process: webpack takes seconds. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m) => console.error(m),
    },
  });
  return bundle;
}

export interface StackOptions {
  /** Sign the API into SALTO KS with the demo system user from the start (default true). */
  connectSalto?: boolean;
  reservationLeadMinutes?: number;
  reservationLagMinutes?: number;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  client: Client;
  apiUrl: string;
  sim: RunningSimulator;
  taskQueue: string;
  /** Sends a Deskworks event, signed, and answers status and JSON body. */
  sendEvent(
    event: unknown,
    options?: { secret?: string; tSeconds?: number },
  ): Promise<{ status: number; body: unknown }>;
  /** Calls the admin API with the token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Polls until check returns a value that is not undefined, or fails after timeoutMs. */
  eventually<T>(check: () => Promise<T | undefined>, timeoutMs?: number, what?: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = await createDevServerEnv();
  const sim = await startSimulator({ port: 0, seed: DEMO_SEED });
  const taskQueue = `e2e-${Date.now()}`;
  const account = {
    identityUrl: sim.url,
    apiUrl: sim.url,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
  };
  const tokenStore = new InMemoryTokenStore();
  const salto = createSaltoConnection(account, { tokenStore, timeoutMs: 5000, logger: silentSaltoLogger });
  if (options.connectSalto !== false) {
    await salto.auth.connectWithPassword({ username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD });
  }
  const client = new Client({ connection: env.connection, dataConverter: testDataConverter });
  const defaults = {
    reservationLeadMinutes: options.reservationLeadMinutes ?? 15,
    reservationLagMinutes: options.reservationLagMinutes ?? 15,
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter,
    activities: createActivities({
      client,
      saltoClient: salto.client,
      taskQueue,
      defaultLeadMinutes: defaults.reservationLeadMinutes,
      defaultLagMinutes: defaults.reservationLagMinutes,
    }),
  });
  const workerRun = worker.run();
  await ensureSetupWorkflow(client, taskQueue, defaults);

  const routes = {
    auth: salto.auth,
    client: salto.client,
    identityUrl: sim.url,
    apiUrl: sim.url,
    publicUrl: 'http://localhost',
    cookieKey: ADMIN_TOKEN,
  };
  const app = createApiApp({
    client,
    taskQueue,
    webhookSecrets: [WEBHOOK_SECRET],
    adminToken: ADMIN_TOKEN,
    setupDefaults: defaults,
    publicRouters: [saltoCallbackRouter(routes)],
    adminRouters: [saltoAdminRouter(routes)],
    log: () => undefined,
    temporalUiUrl: TEMPORAL_UI_URL,
    saltoCheck: saltoSetupCheck(salto),
    payloadCodec: testPayloadCodec,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  const apiUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  routes.publicUrl = apiUrl;

  return {
    env,
    client,
    apiUrl,
    sim,
    taskQueue,
    sendEvent: (event, opts = {}) =>
      sendSignedEvent(apiUrl, event, opts.secret ?? WEBHOOK_SECRET, opts.tSeconds),
    api: (method, path, body) => callAdminApi(apiUrl, ADMIN_TOKEN, method, path, body),
    async eventually(check, timeoutMs = 20_000, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await check();
          if (value !== undefined) return value;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker.shutdown();
      await workerRun;
      await sim.close();
      await env.teardown();
    },
  };
}
