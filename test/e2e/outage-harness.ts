// The product with Temporal missing at first: the real API whose Temporal client points at a
// port where nothing listens yet (Connection.lazy, as `npm run api` does), and the simulator.
// `startTemporal()` then starts a dev server on that very port and a real worker, so the same
// API process can be watched going from 503 to 202.
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createApiApp } from '../../src/api/app';
import { ensureSetupWorkflow } from '../../src/runtime/long-lived-workflows';
import { createSaltoConnection, InMemoryTokenStore, silentSaltoLogger } from '../../src/salto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/shared/search-attributes';
import { devServerDynamicConfigArgs } from '../../src/shared/temporal-server-settings';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SEED,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { answerOf, callAdminApi, sendSignedEvent, type HttpAnswer } from '../helpers/http-calls';
import { ADMIN_TOKEN, WEBHOOK_SECRET, workflowBundle, type Stack } from '../helpers/stack';
import { temporalCliPath } from '../helpers/temporal-env';
import { testDataConverter } from '../helpers/test-data-converter';

export type { HttpAnswer };

export interface OutageHarness extends Pick<Stack, 'sim' | 'api' | 'eventually'> {
  sim: RunningSimulator;
  temporalAddress: string;
  sendEvent(event: unknown): Promise<HttpAnswer>;
  get(path: string): Promise<HttpAnswer>;
  /** Starts the dev server on the address the API was given, and a worker on it. */
  startTemporal(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nothing listens on (free a moment ago; the dev server takes it later). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | null = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startOutageHarness(): Promise<OutageHarness> {
  const port = await freePort();
  const temporalAddress = `127.0.0.1:${port}`;
  const taskQueue = `e2e-outage-${Date.now()}`;
  const defaults = { reservationLeadMinutes: 15, reservationLagMinutes: 15 };
  const sim = await startSimulator({ port: 0, seed: DEMO_SEED });
  const account = {
    identityUrl: sim.url,
    apiUrl: sim.url,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
  };
  const salto = createSaltoConnection(account, {
    tokenStore: new InMemoryTokenStore(),
    timeoutMs: 5000,
    logger: silentSaltoLogger,
  });
  await salto.auth.connectWithPassword({ username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD });

  // As `npm run api` does, but on a subchannel of its own: in one test process, grpc would
  // otherwise share it with the dev server's own connection, which would then inherit this
  // channel's reconnect back-off (in production they are separate processes).
  const connection = Connection.lazy({
    address: temporalAddress,
    channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
  });
  const client = new Client({ connection, dataConverter: testDataConverter });
  const app = createApiApp({
    client,
    taskQueue,
    webhookSecrets: [WEBHOOK_SECRET],
    adminToken: ADMIN_TOKEN,
    setupDefaults: defaults,
    log: () => undefined,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  const apiUrl = `http://localhost:${(server.address() as AddressInfo).port}`;

  let env: TestWorkflowEnvironment | null = null;
  let worker: { shutdown(): void; run: Promise<void> } | null = null;

  return {
    sim,
    temporalAddress,
    eventually,
    sendEvent: (event) => sendSignedEvent(apiUrl, event, WEBHOOK_SECRET),
    async get(path) {
      return answerOf(await fetch(`${apiUrl}${path}`));
    },
    async api(method, path, body) {
      const { status, body: answer } = await callAdminApi(apiUrl, ADMIN_TOKEN, method, path, body);
      return { status, body: answer };
    },
    async startTemporal() {
      const cli = temporalCliPath();
      env = await TestWorkflowEnvironment.createLocal({
        client: { dataConverter: testDataConverter },
        server: {
          ...(cli ? { executable: { type: 'existing-path' as const, path: cli } } : {}),
          ip: '127.0.0.1',
          port,
          searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
          extraArgs: ['--log-level', 'error', ...devServerDynamicConfigArgs()],
        },
      });
      const created = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter,
        activities: createActivities({
          client: env.client,
          saltoClient: salto.client,
          taskQueue,
          defaultLeadMinutes: defaults.reservationLeadMinutes,
          defaultLagMinutes: defaults.reservationLagMinutes,
        }),
      });
      worker = { shutdown: () => created.shutdown(), run: created.run() };
      await ensureSetupWorkflow(env.client, taskQueue, defaults);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker) {
        worker.shutdown();
        await worker.run;
      }
      await connection.close();
      await sim.close();
      await env?.teardown();
    },
  };
}
