// Configuration from environment variables, validated once at start-up.
// Every error names the variable, so an operator knows what to fix.
import { z } from 'zod';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from './runtime/worker-tuning';
import { DEFAULT_QUICK_RETRIES } from './salto/quick-retry';
import { DEMO_EMAIL_LOOKUP_KEY } from './shared/email-lookup';
import { DEFAULT_WEBHOOK_MAX_IN_FLIGHT } from './api/delivery-gate';

const port = z.coerce.number().int().min(1).max(65535);
const minutes = z.coerce
  .number()
  .int()
  .min(0)
  .max(24 * 60);
const optionalUrl = z
  .string()
  .url()
  .transform((u) => u.replace(/\/+$/, ''))
  .optional();
const nonEmpty = z.string().min(1);
const secretList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0),
  )
  .pipe(z.array(z.string().min(16, 'each secret needs at least 16 characters')).min(1));

const envSchema = z.object({
  PORT: port.default(3000),
  TEMPORAL_ADDRESS: nonEmpty.default('localhost:7233'),
  TEMPORAL_NAMESPACE: nonEmpty.default('default'),
  TEMPORAL_TASK_QUEUE: nonEmpty.default('access-sync'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  SALTO_KS_IDENTITY_URL: optionalUrl,
  SALTO_KS_API_URL: optionalUrl,
  SALTO_KS_CLIENT_ID: nonEmpty.optional(),
  SALTO_KS_CLIENT_SECRET: nonEmpty.optional(),
  SALTO_KS_USERNAME: nonEmpty.optional(),
  SALTO_KS_PASSWORD: nonEmpty.optional(),
  SALTO_KS_CONNECTION_FILE: nonEmpty.default('data/salto-connection.enc'),
  SALTO_KS_CONNECTION_KEY: z.string().min(32, 'needs at least 32 characters').optional(),
  SALTO_KS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  SALTO_KS_QUICK_RETRIES: z.coerce.number().int().min(0).max(5).default(DEFAULT_QUICK_RETRIES),
  DESKWORKS_WEBHOOK_SECRET: secretList.optional(),
  ADMIN_TOKEN: z.string().min(16, 'needs at least 16 characters').optional(),
  ADMIN_SIGNED_OUT_SESSIONS_FILE: nonEmpty.default('data/signed-out-sessions.json'),
  RESERVATION_LEAD_MINUTES: minutes.default(15),
  RESERVATION_LAG_MINUTES: minutes.default(15),
  RECONCILE_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(15),
  SALTO_SIMULATOR_PORT: port.default(8090),
  /** Uploaded imports wait here for the workers: the API and every worker must share it. */
  IMPORT_STAGING_DIR: nonEmpty.default('data/imports'),
  IMPORT_ROWS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(25),
  /** Webhook deliveries waiting on Temporal at once; past it a 503 at once (src/api/delivery-gate.ts). */
  WEBHOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_WEBHOOK_MAX_IN_FLIGHT),
  /** `json`: one JSON object per log line (for log shippers); `pretty`: readable lines (`npm start`). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** The worker's GET /healthz; unset: none (two workers on one host would collide). */
  WORKER_HEALTH_PORT: port.optional(),
  /** Workflows a worker keeps in memory (its sticky cache): bounds the worker's memory. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /**
   * `watchdog`: the workflow sandbox is entered without the SDK's per-call timeout, and one
   * watchdog per worker catches a stuck workflow (src/runtime/sandbox-watchdog.ts); `sdk`: the
   * SDK's own 5 s timeout on every entry, which costs a thread each.
   */
  WORKER_DEADLOCK_DETECTION: z.enum(['watchdog', 'sdk']).default('watchdog'),
  SALTO_SIMULATOR_STATE_FILE: nonEmpty.optional(),
  /**
   * The keys of the e-mail search attribute (src/shared/email-lookup.ts), comma-separated: the
   * first is published, every one is searched (a rotation). The same on the API and the workers.
   */
  EMAIL_LOOKUP_KEY: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    )
    .pipe(z.array(z.string().min(32, 'each key needs at least 32 characters')).min(1))
    .optional(),
  PUBLIC_URL: z
    .string()
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});

export type Config = z.infer<typeof envSchema>;

/** The exit code of every process (and of `npm start`) that refuses its configuration. */
export const CONFIG_EXIT_CODE = 2;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * How a process ends when it cannot start: a refused configuration prints only its message (each
 * bad variable named) and exits CONFIG_EXIT_CODE; anything else prints its stack and exits 1.
 */
export function exitOnStartupFailure(processName: string, err: unknown): never {
  process.stderr.write(
    err instanceof ConfigError
      ? `${err.message}\n`
      : `${processName} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(err instanceof ConfigError ? CONFIG_EXIT_CODE : 1);
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as in most shells' `VAR= cmd` habit.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(environment)'),
        message: i.message,
      })),
    );
  }
  const config = parsed.data;
  const problems: { variable: string; message: string }[] = [];
  if (Boolean(config.SALTO_KS_IDENTITY_URL) !== Boolean(config.SALTO_KS_API_URL)) {
    problems.push({
      variable: config.SALTO_KS_IDENTITY_URL ? 'SALTO_KS_API_URL' : 'SALTO_KS_IDENTITY_URL',
      message: 'SALTO_KS_IDENTITY_URL and SALTO_KS_API_URL are set together or not at all',
    });
  }
  if (config.SALTO_KS_API_URL) {
    for (const variable of ['SALTO_KS_CLIENT_ID', 'SALTO_KS_CLIENT_SECRET'] as const) {
      if (!config[variable]) problems.push({ variable, message: 'required when SALTO_KS_API_URL is set' });
    }
  }
  if (Boolean(config.SALTO_KS_USERNAME) !== Boolean(config.SALTO_KS_PASSWORD)) {
    problems.push({
      variable: config.SALTO_KS_USERNAME ? 'SALTO_KS_PASSWORD' : 'SALTO_KS_USERNAME',
      message: 'SALTO_KS_USERNAME and SALTO_KS_PASSWORD are set together or not at all',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** For processes that cannot run without a variable the defaults leave unset. */
export function requireSet<K extends keyof Config>(config: Config, ...names: K[]): void {
  const missing = names.filter((n) => config[n] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((variable) => ({ variable, message: 'required, but not set' })));
  }
}

/** The keys of the e-mail search attribute, the published one first: EMAIL_LOOKUP_KEY, else the public demo key. */
export function emailLookupSecrets(config: Pick<Config, 'EMAIL_LOOKUP_KEY'>): Buffer[] {
  return config.EMAIL_LOOKUP_KEY === undefined
    ? [DEMO_EMAIL_LOOKUP_KEY]
    : config.EMAIL_LOOKUP_KEY.map((k) => Buffer.from(k, 'utf8'));
}

/** Said at start-up by a production process without its own e-mail lookup key. */
export const DEMO_EMAIL_KEY_WARNING =
  'EMAIL_LOOKUP_KEY is not set: the e-mail search attribute uses the public demo key, so anyone who can read Temporal visibility can test an address against it. Set a random key of 32 characters or more, the same on the API and the workers.';
