// `npm run worker`: one worker (run any number) against the Temporal of TEMPORAL_ADDRESS (plain,
// TLS, mTLS or API key: src/runtime/temporal-connection.ts). It starts nothing else; it registers
// missing search attributes and makes sure the set-up workflow and the reconcile schedule exist,
// all idempotently.
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { exitOnStartupFailure, DEMO_EMAIL_KEY_WARNING, emailLookupSecrets, loadConfig } from './config';
import { startHealthServer } from './runtime/health-server';
import { ensureReconcileSchedule, ensureSetupWorkflow } from './runtime/long-lived-workflows';
import { payloadKeysFromEnv, runMode, UNENCRYPTED_WARNING } from './runtime/payload-keys-from-env';
import { saltoFromConfig } from './runtime/salto-from-env';
import { createMetricsRegistry } from './metrics/registry';
import { createLogger, type LogLine } from './runtime/log';
import { freeLoopbackPort, installSdkRuntime, sdkMetricsText } from './runtime/sdk-runtime';
import { saltoExchangeMetrics } from './metrics/salto-metrics';
import { ensureSearchAttributes } from './runtime/search-attributes-registration';
import {
  connectClientWithRetry,
  connectWorker,
  temporalConnectionSettings,
} from './runtime/temporal-connection';
import { workflowCodeFromEnv } from './runtime/workflow-code';
import { workerTuning } from './runtime/worker-tuning';
import { dataConverterFor } from './shared/data-converter';
import { EncryptionCodec } from './shared/payload-encryption';
import { installSandboxWatchdog, watchedThreadsStarted } from './runtime/sandbox-watchdog';
import { ImportStaging } from './import/import-staging';
import { resolve } from 'node:path';
import { workMetrics } from './metrics/work-metrics';

const logger = createLogger('worker', process.env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json');
const log: LogLine = (msg, fields) => logger.info(msg, fields);

async function main(): Promise<void> {
  const config = loadConfig();
  const workflowCode = workflowCodeFromEnv();
  const temporal = temporalConnectionSettings();
  const keys = payloadKeysFromEnv();
  if (keys === null) process.stderr.write(`${UNENCRYPTED_WARNING}\n`);
  if (runMode() === 'production' && config.EMAIL_LOOKUP_KEY === undefined)
    logger.warn(DEMO_EMAIL_KEY_WARNING);
  const dataConverter = dataConverterFor(keys);
  const metrics = createMetricsRegistry('worker');
  // The SDK's own metrics join the worker's /metrics, which needs the health port.
  const sdkMetricsPort = config.WORKER_HEALTH_PORT === undefined ? null : await freeLoopbackPort();
  installSdkRuntime(logger, sdkMetricsPort);
  const { client: saltoClient } = saltoFromConfig(config, {
    onExchange: saltoExchangeMetrics(metrics),
    logger,
  });
  const { namespace } = temporal;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  const connection = await connectClientWithRetry(temporal, log);
  const added = await ensureSearchAttributes(connection, namespace, log);
  if (added.length > 0) log(`registered search attributes: ${added.join(', ')}`);
  const client = new Client({ connection, namespace, dataConverter });

  const activities = createActivities({
    client,
    saltoClient,
    taskQueue,
    defaultLeadMinutes: config.RESERVATION_LEAD_MINUTES,
    defaultLagMinutes: config.RESERVATION_LAG_MINUTES,
    importStaging: new ImportStaging(
      resolve(config.IMPORT_STAGING_DIR),
      keys ? new EncryptionCodec(keys) : null,
    ),
    metrics: workMetrics(metrics),
    emailLookupSecret: emailLookupSecrets(config)[0]!,
  });

  if (config.WORKER_DEADLOCK_DETECTION === 'watchdog') installSandboxWatchdog({ logger });
  const worker = await Worker.create({
    connection: await connectWorker(temporal),
    namespace,
    taskQueue,
    ...workflowCode.option,
    activities,
    dataConverter,
    ...workerTuning(config.WORKER_MAX_CACHED_WORKFLOWS),
    // On SIGTERM: in-flight activities get this long to finish, then are cancelled, which aborts
    // their SALTO KS calls (nothing is lost: the person retries the pass).
    shutdownGraceTime: '10 seconds',
  });
  if (config.WORKER_DEADLOCK_DETECTION === 'watchdog' && watchedThreadsStarted() === 0)
    logger.warn(
      'the workflow sandbox watchdog saw no workflow thread start (a Temporal SDK that starts them differently?): the SDK keeps its own deadlock timeout, and its cost',
    );

  const defaults = {
    reservationLeadMinutes: config.RESERVATION_LEAD_MINUTES,
    reservationLagMinutes: config.RESERVATION_LAG_MINUTES,
  };
  await ensureSetupWorkflow(client, taskQueue, defaults);
  await ensureReconcileSchedule(client, taskQueue, config.RECONCILE_INTERVAL_MINUTES);
  log(
    `worker polling task queue ${taskQueue} on ${temporal.description}; payloads ${keys ? `encrypted (key ${keys[0]!.id})` : 'NOT encrypted'}; reconcile every ${config.RECONCILE_INTERVAL_MINUTES} min`,
  );
  log(
    `workflow code ${workflowCode.kind === 'pre-bundled' ? `pre-bundled: ${workflowCode.path}` : 'bundled at start'}`,
  );
  const health =
    config.WORKER_HEALTH_PORT === undefined
      ? null
      : await startHealthServer(
          config.WORKER_HEALTH_PORT,
          async () => {
            const state = worker.getState();
            const temporalReachable = await connection
              .withDeadline(Date.now() + 3000, () => connection.workflowService.getSystemInfo({}))
              .then(
                () => true,
                () => false,
              );
            // Healthy while polling: a Temporal outage is waited out (the worker reconnects),
            // so it is reported, not held against the worker.
            return {
              healthy: state === 'RUNNING',
              state,
              temporal: temporalReachable ? 'reachable' : 'unreachable',
            };
          },
          log,
          {
            registry: metrics,
            ...(sdkMetricsPort === null ? {} : { more: () => sdkMetricsText(sdkMetricsPort) }),
          },
        );
  if (health)
    log(`worker health on http://0.0.0.0:${config.WORKER_HEALTH_PORT}/healthz, metrics on /metrics there`);
  await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finished
  health?.close();
  await connection.close();
  log('worker stopped');
}

main().catch((err: unknown) => exitOnStartupFailure('worker', err));
