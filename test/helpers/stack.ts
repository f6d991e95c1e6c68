// The whole product in one test process, for end-to-end and browser tests: a fresh Temporal dev
// server (the CLI), the SALTO KS simulator over real HTTP, a real worker with the real
// activities, and the real API on an ephemeral port. Nothing is mocked.
import { createMetricsRegistry } from '../../src/metrics/registry';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type BundleOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createApiApp } from '../../src/api/app';
import { saltoAdminRouter, saltoCallbackRouter } from '../../src/api/salto-routes';
import { saltoSetupCheck } from '../../src/api/setup-routes';
import { ensureSetupWorkflow } from '../../src/runtime/long-lived-workflows';
import { registerSearchAttributes } from '../../src/runtime/search-attributes-registration';
import { createSaltoConnection, InMemoryTokenStore, silentSaltoLogger } from '../../src/salto';
import { currentActivityCancellation } from '../../src/activities/activity-cancellation';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SEED,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { callAdminApi, sendSignedEvent, type HttpAnswer } from './http-calls';
import { createDevServerEnv } from './temporal-env';
import { ImportStaging } from '../../src/import/import-staging';
import { workerTuning } from '../../src/runtime/worker-tuning';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/runtime/workflow-code';
import { testDataConverter, testPayloadCodec } from './test-data-converter';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
/** Only for the set-up page's links: the test dev server runs no Web UI. */
export const TEMPORAL_UI_URL = 'http://localhost:8233';

const bundles = new Map<WorkflowCode, Promise<WorkflowBundle>>();
const timeSkippingBundles = new Map<string, Promise<WorkflowBundle>>();

/**
 * Which workflows a bundle holds: the product's; the same before the patch
 * `person-keeps-reservation-windows` (test/helpers/before-windows-patch.ts), for a deploy's test;
 * or the product's as it runs a run started before the patch `activity-tasks-only`, with local
 * activities (test/helpers/before-activity-tasks-only.ts).
 */
export type WorkflowCode = 'product' | 'before windows patch' | 'runs with local activities';

/** The product's workflows, bundled once per test process: webpack takes seconds. */
export function workflowBundle(code: WorkflowCode = 'product'): Promise<WorkflowBundle> {
  let bundle = bundles.get(code);
  if (!bundle) bundles.set(code, (bundle = bundleWorkflows([], code)));
  return bundle;
}

/**
 * The same workflows for the time-skipping test server: abandoned timers are left to fire rather
 * than cancelled, which that server mishandles (see time-skipping-interceptor.ts). Histories
 * recorded for the replay test (RECORD_HISTORIES=1) come from the product's own bundle.
 */
export function timeSkippingWorkflowBundle(
  extraInterceptorModules: string[] = [],
  code: WorkflowCode = 'product',
): Promise<WorkflowBundle> {
  if (process.env.RECORD_HISTORIES === '1' && extraInterceptorModules.length === 0 && code === 'product')
    return workflowBundle();
  const modules = [require.resolve('./time-skipping-interceptor'), ...extraInterceptorModules];
  const key = [code, ...modules].join('\n');
  let bundle = timeSkippingBundles.get(key);
  if (!bundle) timeSkippingBundles.set(key, (bundle = bundleWorkflows(modules, code)));
  return bundle;
}

/** The module each bundle but the product's replaces, and the module it puts in its place. */
const REPLACED_MODULES: Record<Exclude<WorkflowCode, 'product'>, [string, string]> = {
  'before windows patch': [
    require.resolve('../../src/workflows/reservation-windows'),
    require.resolve('./before-windows-patch'),
  ],
  'runs with local activities': [
    require.resolve('../../src/workflows/activity-tasks-only'),
    require.resolve('./before-activity-tasks-only'),
  ],
};

function bundleWorkflows(workflowInterceptorModules: string[], code: WorkflowCode): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    workflowInterceptorModules,
    ...(code !== 'product'
      ? {
          webpackConfigHook: (config) => {
            const [replaced, replacement] = REPLACED_MODULES[code];
            const alias = { [replaced.replace(/\.js$/, '')]: replacement };
            config.resolve = { ...config.resolve, alias: { ...(config.resolve?.alias as object), ...alias } };
            return config;
          },
        }
      : {}),
    logger: QUIET_BUNDLER_LOGGER,
  });
}

/** Webpack says nothing while it bundles workflows, but its errors. */
export const QUIET_BUNDLER_LOGGER: NonNullable<BundleOptions['logger']> = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (m) => console.error(m),
};

export interface StackOptions {
  /** Sign the API into SALTO KS with the demo system user from the start (default true). */
  connectSalto?: boolean;
  reservationLeadMinutes?: number;
  reservationLagMinutes?: number;
  /**
   * A Temporal server that already runs (the test cluster, scripts/temporal-cluster.mjs) instead
   * of a fresh dev server; E2E_TEMPORAL_ADDRESS sets it for a whole run.
   */
  temporalAddress?: string;
  /** Workers and API servers side by side (default E2E_REPLICAS, else 1): events and admin calls alternate between the APIs. */
  replicas?: number;
  /** A fixed port for the first API (the Web UI's codec endpoint must name it before it starts). */
  apiPort?: number;
  temporalUiUrl?: string;
  /** Workers (default: as many as replicas); 0 measures the API and Temporal alone (benchmarks). */
  workers?: number;
  /** WORKER_MAX_CACHED_WORKFLOWS of the workers (default: the product's default). */
  maxCachedWorkflows?: number;
  /** IMPORT_ROWS_PER_SECOND of the API (default 200: tests import quickly). */
  importRowsPerSecond?: number;
  /** A fresh dev server keeps its state in this SQLite file instead of in memory. */
  devServerDbFile?: string;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  client: Client;
  /** `default` on a fresh dev server; a namespace of its own on a shared cluster. */
  namespace: string;
  apiUrl: string;
  sim: RunningSimulator;
  taskQueue: string;
  /** Where the API stages uploaded imports for the workers. */
  importStagingDir: string;
  /** Sends a Deskworks event, signed, and answers status and JSON body. */
  sendEvent(event: unknown, options?: { secret?: string; tSeconds?: number }): Promise<HttpAnswer>;
  /** Calls the admin API with the token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Polls until check returns a value that is not undefined, or fails after timeoutMs. */
  eventually<T>(check: () => Promise<T | undefined>, timeoutMs?: number, what?: string): Promise<T>;
  stop(): Promise<void>;
}

/** Registers a new namespace on a running server and waits until it answers. */
async function freshNamespace(address: string): Promise<string> {
  const namespace = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(24 * 3600 * 1000),
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return namespace;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const temporalAddress = options.temporalAddress ?? process.env.E2E_TEMPORAL_ADDRESS;
  const replicas = options.replicas ?? Number(process.env.E2E_REPLICAS ?? 1);
  // On a shared server, each stack gets a namespace of its own: its `setup` workflow and people
  // never meet another test file's.
  const namespace = temporalAddress ? await freshNamespace(temporalAddress) : 'default';
  const env = temporalAddress
    ? await TestWorkflowEnvironment.createFromExistingServer({
        address: temporalAddress,
        namespace,
        client: { dataConverter: testDataConverter },
      })
    : await createDevServerEnv({ dbFilename: options.devServerDbFile });
  if (temporalAddress) await registerSearchAttributes(env.connection, namespace);
  const sim = await startSimulator({ port: 0, seed: DEMO_SEED });
  const taskQueue = `e2e-${Date.now()}`;
  const account = {
    identityUrl: sim.url,
    apiUrl: sim.url,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
  };
  const tokenStore = new InMemoryTokenStore();
  // As the worker process has it: a cancelled activity stops its SALTO KS request at once.
  const salto = createSaltoConnection(account, {
    tokenStore,
    timeoutMs: 5000,
    logger: silentSaltoLogger,
    abortSignal: currentActivityCancellation,
  });
  if (options.connectSalto !== false) {
    await salto.auth.connectWithPassword({ username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD });
  }
  const client = new Client({ connection: env.connection, namespace, dataConverter: testDataConverter });
  const defaults = {
    reservationLeadMinutes: options.reservationLeadMinutes ?? 15,
    reservationLagMinutes: options.reservationLagMinutes ?? 15,
  };
  const extraConnections: NativeConnection[] = [];
  const extraConnection = async (): Promise<NativeConnection> => {
    const connection = await NativeConnection.connect({ address: env.address });
    extraConnections.push(connection);
    return connection;
  };
  // The API stages imports where the workers read them (one directory, as on a shared volume).
  const importStagingDir = mkdtempSync(join(tmpdir(), 'e2e-imports-'));
  const importStaging = new ImportStaging(importStagingDir, testPayloadCodec);
  const workers: Worker[] = [];
  for (let i = 0; i < (options.workers ?? replicas); i++) {
    workers.push(
      await Worker.create({
        // One worker per connection, like separate processes (the SDK allows one per queue and connection).
        connection: i === 0 ? env.nativeConnection : await extraConnection(),
        namespace,
        taskQueue,
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter,
        ...workerTuning(options.maxCachedWorkflows),
        activities: createActivities({
          client,
          saltoClient: salto.client,
          taskQueue,
          defaultLeadMinutes: defaults.reservationLeadMinutes,
          defaultLagMinutes: defaults.reservationLagMinutes,
          importStaging,
        }),
      }),
    );
  }
  const workerRuns = workers.map((w) => w.run());
  await ensureSetupWorkflow(client, taskQueue, defaults);

  const routes = {
    auth: salto.auth,
    client: salto.client,
    identityUrl: sim.url,
    apiUrl: sim.url,
    publicUrl: 'http://localhost',
    cookieKey: ADMIN_TOKEN,
  };
  const makeApp = () =>
    createApiApp({
      client,
      taskQueue,
      webhookSecrets: [WEBHOOK_SECRET],
      adminToken: ADMIN_TOKEN,
      setupDefaults: defaults,
      publicRouters: [saltoCallbackRouter(routes)],
      adminRouters: [saltoAdminRouter(routes)],
      log: () => undefined,
      temporalUiUrl: options.temporalUiUrl ?? TEMPORAL_UI_URL,
      saltoCheck: saltoSetupCheck(salto),
      saltoHealth: { status: () => salto.auth.status(), listSites: () => salto.client.listSites() },
      payloadCodec: testPayloadCodec,
      imports: { staging: importStaging, rowsPerSecond: options.importRowsPerSecond ?? 200 },
      metrics: createMetricsRegistry('api'),
    });
  const servers: Server[] = [];
  for (let i = 0; i < replicas; i++) {
    const app = makeApp();
    servers.push(
      await new Promise((resolve) => {
        const s = app.listen(i === 0 ? (options.apiPort ?? 0) : 0, () => resolve(s));
      }),
    );
  }
  const apiUrls = servers.map((s) => `http://localhost:${(s.address() as AddressInfo).port}`);
  const apiUrl = apiUrls[0]!;
  routes.publicUrl = apiUrl;
  let turn = 0;
  /** The next API in turn: with replicas, consecutive calls reach different API servers. */
  const nextApi = (): string => apiUrls[turn++ % apiUrls.length]!;

  return {
    env,
    client,
    namespace,
    apiUrl,
    sim,
    taskQueue,
    importStagingDir,
    sendEvent: (event, opts = {}) =>
      sendSignedEvent(nextApi(), event, opts.secret ?? WEBHOOK_SECRET, opts.tSeconds),
    api: (method, path, body) => callAdminApi(nextApi(), ADMIN_TOKEN, method, path, body),
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
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      for (const worker of workers) worker.shutdown();
      await Promise.all(workerRuns);
      for (const connection of extraConnections) await connection.close();
      await sim.close();
      await env.teardown();
      // Each stack stages its imports in a directory of its own, which CI runs left behind by dozens.
      rmSync(importStagingDir, { recursive: true, force: true });
    },
  };
}
