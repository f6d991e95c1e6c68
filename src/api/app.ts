// The API process's HTTP surface: the Deskworks webhook, the admin API, health.
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { SaltoError } from '../salto';
import { describeErrorForLog, isTemporalUnreachable } from './temporal-errors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { requireAdmin } from './admin-auth';
import { AuthThrottle } from './auth-throttle';
import { codecRouter } from './codec-routes';
import { createHealthChecker, type SaltoHealthProbe } from './health';
import { importRouter } from './import-routes';
import type { ImportStaging } from '../import/import-staging';
import { pageRouter } from './page/page-routes';
import { holdersRouter } from './holders-routes';
import { peopleRouter } from './people-routes';
import { SessionSigner } from './session';
import type { SignedOutSessions } from './signed-out-sessions';
import { sessionRouter } from './session-routes';
import { setupRouter, type SetupSaltoCheck } from './setup-routes';
import { statusRouter } from './status-routes';
import { webhookRouter } from './webhook-route';
import { personStartSource, reservationStartSource, setupForStarts } from './person-start';
import { DEMO_EMAIL_LOOKUP_KEY } from '../shared/email-lookup';
import type { DeliveryGate } from './delivery-gate';
import type { SetupWorkflowInput } from '../workflows/setup';
import type { Registry } from 'prom-client';
import { webhookMetrics } from '../metrics/webhook-metrics';
import { peopleMetrics } from '../metrics/people-metrics';
import type { LogLine } from '../runtime/log';

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  webhookSecrets: string[];
  adminToken: string;
  setupDefaults: Pick<SetupWorkflowInput, 'reservationLeadMinutes' | 'reservationLagMinutes'>;
  /** Extra admin routes (the SALTO KS connection), mounted behind the admin token. */
  adminRouters?: express.Router[];
  /** Routes before authentication (the OAuth callback, the set-up page). */
  publicRouters?: express.Router[];
  log?: LogLine;
  now?: () => number;
  /** Where browsers reach the API; https makes the session cookie Secure. */
  publicUrl?: string;
  /** The Temporal Web UI, for the set-up page's links to person workflows. */
  temporalUiUrl?: string;
  /** How long a set-up page sign-in lasts (default 12 hours). */
  sessionTtlMs?: number;
  /**
   * Signed-out sessions, shared by every API process and kept across restarts (a file in
   * production: ADMIN_SIGNED_OUT_SESSIONS_FILE); default: this process only.
   */
  signedOutSessions?: SignedOutSessions;
  /** GET /api/setup marks mapped groups SALTO KS no longer has (none when absent). */
  saltoCheck?: SetupSaltoCheck;
  /**
   * The payload codec, for the codec server (/codec/encode, /codec/decode) that the Temporal Web
   * UI at `temporalUiUrl` calls; null or absent: payloads are not encrypted and pass unchanged.
   */
  payloadCodec?: PayloadCodec | null;
  /** The keys of the e-mail search attribute (EMAIL_LOOKUP_KEY); absent: the public demo key. */
  emailLookupSecrets?: Buffer[];
  /** POST /api/import and its progress; absent: those routes answer 404. */
  imports?: { staging: ImportStaging; rowsPerSecond: number };
  /** Served at GET /metrics (Prometheus text), and fed by the webhook; absent: no /metrics. */
  metrics?: Registry;
  /** What GET /api/health asks SALTO KS; absent: the SALTO KS check says none is configured. */
  saltoHealth?: SaltoHealthProbe;
  /** Bounds the webhook's deliveries waiting on Temporal (WEBHOOK_MAX_IN_FLIGHT); absent: the default. */
  webhookGate?: DeliveryGate;
}

export function createApiApp(options: ApiOptions): Express {
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (options.publicUrl?.startsWith('https:')) {
    // Browsers reach the API over https only: tell them never to try plain http (HSTS).
    app.use((_req, res, next) => {
      res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
      next();
    });
  }

  app.get('/healthz', async (_req, res) => {
    try {
      await options.client.withDeadline(Date.now() + 3000, () =>
        options.client.workflowService.getSystemInfo({}),
      );
      res.json({ ok: true, temporal: 'reachable' });
    } catch {
      res.status(503).json({ ok: false, temporal: 'unreachable' });
    }
  });

  const metrics = options.metrics;
  if (metrics) {
    peopleMetrics(metrics, options.client);
    // No personal data in any series; like /healthz, for the scraper on the internal network.
    app.get('/metrics', async (_req, res) => {
      res.set('Content-Type', metrics.contentType).send(await metrics.metrics());
    });
  }

  // One read of the set-up, at most once a second, for the starts of new people and reservations.
  const setupForNewWorkflows = setupForStarts({
    client: options.client,
    onReadFailure: (err) =>
      log(`webhook: the set-up could not be read for new workflows' starts: ${describeErrorForLog(err)}`),
  });
  app.use(
    webhookRouter({
      ...(metrics ? { metrics: webhookMetrics(metrics) } : {}),
      client: options.client,
      taskQueue: options.taskQueue,
      setupDefaults: options.setupDefaults,
      // The workers hash e-mails with the first key: a person's start carries the same hash.
      personStart: personStartSource({
        client: options.client,
        emailSecret: options.emailLookupSecrets?.[0] ?? DEMO_EMAIL_LOOKUP_KEY,
        setup: setupForNewWorkflows,
      }),
      reservationStart: reservationStartSource(setupForNewWorkflows),
      secrets: options.webhookSecrets,
      log,
      ...(options.webhookGate ? { gate: options.webhookGate } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  for (const router of options.publicRouters ?? []) app.use(router);

  const sessions = new SessionSigner(options.adminToken, {
    ...(options.sessionTtlMs ? { ttlMs: options.sessionTtlMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.signedOutSessions ? { signedOut: options.signedOutSessions } : {}),
  });
  app.use(pageRouter());
  const throttle = new AuthThrottle({ log, ...(options.now ? { now: options.now } : {}) });
  app.use(
    sessionRouter({
      adminToken: options.adminToken,
      sessions,
      throttle,
      secureCookies: options.publicUrl?.startsWith('https:') ?? false,
    }),
  );

  app.use(
    codecRouter({
      codec: options.payloadCodec ?? null,
      adminToken: options.adminToken,
      sessions,
      throttle,
      webUiOrigin: options.temporalUiUrl ? new URL(options.temporalUiUrl).origin : null,
    }),
  );
  app.use('/api', requireAdmin({ adminToken: options.adminToken, sessions, throttle }));
  // Before the JSON body parser: an import file is streamed, never parsed whole.
  if (options.imports) {
    app.use(
      importRouter({
        client: options.client,
        taskQueue: options.taskQueue,
        ...options.imports,
        ...(options.now ? { now: options.now } : {}),
      }),
    );
  }
  app.use('/api', express.json({ limit: '64kb' }));
  app.get('/api/page-config', (_req, res) => {
    res.json({ temporalUiUrl: options.temporalUiUrl ?? null, namespace: options.client.options.namespace });
  });
  const health = createHealthChecker({
    client: options.client,
    taskQueue: options.taskQueue,
    ...(options.saltoHealth ? { salto: options.saltoHealth } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  app.get('/api/health', async (_req, res) => {
    res.json(await health());
  });
  app.use(setupRouter(options));
  app.use(holdersRouter({ client: options.client, pageTokenKey: sessions.derivedKey('holders page token') }));
  app.use(
    peopleRouter({
      client: options.client,
      pageTokenKey: sessions.derivedKey('people page token'),
      ...(options.emailLookupSecrets ? { emailLookupSecrets: options.emailLookupSecrets } : {}),
    }),
  );
  app.use(statusRouter(options));
  for (const router of options.adminRouters ?? []) app.use(router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const errors: ErrorRequestHandler = (
    err: { status?: number; type?: string; name?: string; message?: string },
    _req,
    res,
    _next,
  ) => {
    if (err.type === 'entity.too.large' || err.status === 413) {
      res.status(413).json({ error: 'payload_too_large' });
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res
        .status(400)
        .json({ error: 'invalid_request', issues: [{ path: '', message: 'body is not valid JSON' }] });
      return;
    }
    if (err instanceof URIError) {
      res.status(400).json({
        error: 'invalid_request',
        issues: [{ path: 'path', message: 'must be valid UTF-8 once percent-decoded' }],
      });
      return;
    }
    // Temporal or SALTO KS out of reach: unavailable for now, the caller may retry. Anything
    // else is a bug or a refusal: a 500 that names nothing internal (the log has it).
    log(`request failed: ${describeErrorForLog(err)}`);
    if (isTemporalUnreachable(err) || (err instanceof SaltoError && err.retryable)) {
      res.status(503).set('Retry-After', '5').json({ error: 'unavailable' });
      return;
    }
    res.status(500).json({ error: 'internal' });
  };
  app.use(errors);
  return app;
}
