// `npm run api`: the API alone (run any number) against TEMPORAL_ADDRESS. It connects to Temporal
// lazily, so it starts — and answers 503 — while Temporal is down.
import { DeliveryGate } from './api/delivery-gate';
import { Client, Connection } from '@temporalio/client';
import { payloadKeysFromEnv, runMode, UNENCRYPTED_WARNING } from './runtime/payload-keys-from-env';
import { clientConnectionOptions, temporalConnectionSettings } from './runtime/temporal-connection';
import { dataConverterFor } from './shared/data-converter';
import { EncryptionCodec } from './shared/payload-encryption';
import { createApiApp } from './api/app';
import { saltoAdminRouter, saltoCallbackRouter } from './api/salto-routes';
import { saltoSetupCheck } from './api/setup-routes';
import { FileSignedOutSessions } from './api/signed-out-sessions';
import { ImportStaging } from './import/import-staging';
import { resolve } from 'node:path';
import {
  exitOnStartupFailure,
  DEMO_EMAIL_KEY_WARNING,
  emailLookupSecrets,
  loadConfig,
  requireSet,
} from './config';
import { saltoFromConfig } from './runtime/salto-from-env';
import { createMetricsRegistry } from './metrics/registry';
import { createLogger, type LogLine } from './runtime/log';
import { saltoExchangeMetrics } from './metrics/salto-metrics';

const logger = createLogger('api', process.env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json');
const log: LogLine = (msg, fields) => logger.info(msg, fields);
const API_SHUTDOWN_GRACE_MS = 10_000;

function main(): void {
  const config = loadConfig();
  requireSet(config, 'DESKWORKS_WEBHOOK_SECRET', 'ADMIN_TOKEN');
  const temporal = temporalConnectionSettings();
  const keys = payloadKeysFromEnv();
  if (keys === null) process.stderr.write(`${UNENCRYPTED_WARNING}\n`);
  if (runMode() === 'production' && config.EMAIL_LOOKUP_KEY === undefined)
    logger.warn(DEMO_EMAIL_KEY_WARNING);
  const metrics = createMetricsRegistry('api');
  const salto = saltoFromConfig(config, { onExchange: saltoExchangeMetrics(metrics), logger });
  const codec = keys ? new EncryptionCodec(keys) : null;
  // Short reconnect back-off: after an outage the API accepts events again within seconds.
  const connection = Connection.lazy({
    ...clientConnectionOptions(temporal),
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 3000 },
  });
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: dataConverterFor(keys),
  });
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const saltoRoutes = {
    auth: salto.auth,
    client: salto.client,
    identityUrl: salto.account.identityUrl,
    apiUrl: salto.account.apiUrl,
    publicUrl,
    cookieKey: config.ADMIN_TOKEN!,
  };
  const app = createApiApp({
    metrics,
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    webhookSecrets: config.DESKWORKS_WEBHOOK_SECRET!,
    webhookGate: new DeliveryGate({ maxInFlight: config.WEBHOOK_MAX_IN_FLIGHT }),
    adminToken: config.ADMIN_TOKEN!,
    setupDefaults: {
      reservationLeadMinutes: config.RESERVATION_LEAD_MINUTES,
      reservationLagMinutes: config.RESERVATION_LAG_MINUTES,
    },
    publicRouters: [saltoCallbackRouter(saltoRoutes)],
    adminRouters: [saltoAdminRouter(saltoRoutes)],
    log,
    publicUrl,
    temporalUiUrl: config.TEMPORAL_UI_URL.replace(/\/+$/, ''),
    saltoCheck: saltoSetupCheck(salto),
    saltoHealth: { status: () => salto.auth.status(), listSites: () => salto.client.listSites() },
    payloadCodec: codec,
    emailLookupSecrets: emailLookupSecrets(config),
    signedOutSessions: new FileSignedOutSessions(resolve(config.ADMIN_SIGNED_OUT_SESSIONS_FILE)),
    imports: {
      staging: new ImportStaging(resolve(config.IMPORT_STAGING_DIR), codec),
      rowsPerSecond: config.IMPORT_ROWS_PER_SECOND,
    },
  });
  const server = app.listen(config.PORT, () => {
    log(`API listening on ${publicUrl} (Temporal ${temporal.description})`);
    log(`Set-up page: ${publicUrl}/ (sign in with ADMIN_TOKEN)`);
  });
  // On SIGTERM: stop accepting, let requests in flight finish (Deskworks gets its 202), then exit;
  // whatever is still open after the grace time is cut.
  const stop = (): void => {
    log('API stopping: draining requests in flight');
    const exit = (): void => void connection.close().finally(() => process.exit(0));
    server.close(exit);
    server.closeIdleConnections();
    setTimeout(() => {
      log('API stopping: grace time over, closing what is left');
      server.closeAllConnections();
    }, API_SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  exitOnStartupFailure('API', err);
}
