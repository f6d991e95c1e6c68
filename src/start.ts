// `npm start`: the whole product on one machine — the Temporal dev server (SQLite file under
// data/, Web UI), the SALTO KS simulator when no real SALTO KS is configured, the worker and the
// API — with labelled logs, stopped cleanly on Ctrl-C.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitOnStartupFailure, loadConfig, type Config } from './config';
import { startPart, stopParts, type Part } from './runtime/child-processes';
import { isListening, waitForPort } from './runtime/wait-for-port';
import { devServerSearchAttributeArgs, SEARCH_ATTRIBUTE_DEFINITIONS } from './shared/search-attributes';
import { devServerDynamicConfigArgs, devServerSqlitePragmaArgs } from './shared/temporal-server-settings';
import { DEMO_SALTO } from './demo/demo-salto-account';
import { loadDemoOnce } from './demo/load-demo';
import { newPayloadKeyText } from './shared/payload-encryption';

const root = join(__dirname, '..', '..');
const dataDir = join(root, 'data');
const log = (line: string): void => void process.stdout.write(`[start] ${line}\n`);

/** Set when the dev server runs inside this process (the SDK's download) rather than as a child. */
let stopDownloadedServer: (() => Promise<void>) | null = null;

interface Manifest {
  cli?: { path: string | null };
}

interface DemoSecrets {
  webhookSecret: string;
  adminToken: string;
  connectionKey: string;
  /** kid:base64 (PAYLOAD_ENCRYPTION_KEYS): histories in data/ stay readable across restarts. */
  payloadKeys: string;
  /** EMAIL_LOOKUP_KEY: the key of the e-mail search attribute (absent from a data/ made before 0.5.0). */
  emailLookupKey: string;
}

/** The demo's secrets and keys, made once and kept in data/ so restarts reuse them. */
function demoSecrets(): DemoSecrets {
  const file = join(dataDir, 'demo-secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoSecrets>) : {};
  const secrets: DemoSecrets = {
    webhookSecret: kept.webhookSecret ?? randomBytes(24).toString('hex'),
    adminToken: kept.adminToken ?? randomBytes(24).toString('hex'),
    connectionKey: kept.connectionKey ?? randomBytes(32).toString('hex'),
    // A data/ from before payload encryption keeps its plaintext histories readable: decoding
    // passes unencrypted payloads through.
    payloadKeys: kept.payloadKeys ?? newPayloadKeyText('demo-1'),
    emailLookupKey: kept.emailLookupKey ?? randomBytes(32).toString('hex'),
  };
  if (JSON.stringify(kept) !== JSON.stringify(secrets))
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

function temporalCliPath(): string | null {
  try {
    const manifest = JSON.parse(
      readFileSync(join(root, '.temporal-bin', 'manifest.json'), 'utf8'),
    ) as Manifest;
    return manifest.cli?.path ?? null;
  } catch {
    return null;
  }
}

async function startTemporal(config: Config, parts: Part[]): Promise<void> {
  const [host = 'localhost', portText = '7233'] = config.TEMPORAL_ADDRESS.split(':');
  const port = Number(portText);
  if (await isListening(host, port)) {
    log(`Temporal already answers at ${config.TEMPORAL_ADDRESS}: using it`);
    return;
  }
  if (!['localhost', '127.0.0.1'].includes(host)) {
    throw new Error(
      `TEMPORAL_ADDRESS ${config.TEMPORAL_ADDRESS} does not answer, and npm start only starts a local dev server`,
    );
  }
  const cli = temporalCliPath();
  const uiPort = Number(new URL(config.TEMPORAL_UI_URL).port || 8233);
  if (!cli) {
    // No Go and no `temporal` on PATH: the SDK downloads the dev server (needs internet).
    log('no Temporal CLI built here: letting the Temporal SDK download the dev server');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        dbFilename: join(dataDir, 'temporal.sqlite'),
        ip: '127.0.0.1',
        port,
        ui: true,
        uiPort,
        namespace: config.TEMPORAL_NAMESPACE,
        searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
        extraArgs: [...devServerDynamicConfigArgs(), ...devServerSqlitePragmaArgs()],
      },
    });
    stopDownloadedServer = () => env.teardown();
    log(`Temporal dev server on ${config.TEMPORAL_ADDRESS}, state in data/temporal.sqlite`);
    return;
  }
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    config.TEMPORAL_NAMESPACE,
    // The Web UI decrypts histories through the API's codec server (admin sign-in needed).
    '--ui-codec-endpoint',
    `http://localhost:${config.PORT}/codec`,
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
    ...devServerDynamicConfigArgs(),
    ...devServerSqlitePragmaArgs(),
  ];
  parts.push(startPart('temporal', cli, args, process.env));
  await waitForPort('127.0.0.1', port, 60_000, 'the Temporal dev server');
  log(`Temporal dev server on ${config.TEMPORAL_ADDRESS}, state in data/temporal.sqlite`);
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    exitOnStartupFailure('npm start', err);
  }
  const secrets = demoSecrets();
  const useSimulator = !config.SALTO_KS_API_URL;
  const simulatorUrl = `http://localhost:${config.SALTO_SIMULATOR_PORT}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DESKWORKS_WEBHOOK_SECRET: process.env.DESKWORKS_WEBHOOK_SECRET || secrets.webhookSecret,
    ADMIN_TOKEN: process.env.ADMIN_TOKEN || secrets.adminToken,
    SALTO_KS_CONNECTION_KEY: process.env.SALTO_KS_CONNECTION_KEY || secrets.connectionKey,
    EMAIL_LOOKUP_KEY: process.env.EMAIL_LOOKUP_KEY || secrets.emailLookupKey,
    PAYLOAD_ENCRYPTION_KEYS: process.env.PAYLOAD_ENCRYPTION_KEYS || secrets.payloadKeys,
    SALTO_KS_CONNECTION_FILE: process.env.SALTO_KS_CONNECTION_FILE || join(dataDir, 'salto-connection.enc'),
    IMPORT_STAGING_DIR: process.env.IMPORT_STAGING_DIR || join(dataDir, 'imports'),
    // Readable lines in a terminal; production keeps the default, one JSON object per line.
    LOG_FORMAT: process.env.LOG_FORMAT || 'pretty',
    ADMIN_SIGNED_OUT_SESSIONS_FILE:
      process.env.ADMIN_SIGNED_OUT_SESSIONS_FILE || join(dataDir, 'signed-out-sessions.json'),
    ...(useSimulator
      ? {
          SALTO_KS_IDENTITY_URL: simulatorUrl,
          SALTO_KS_API_URL: simulatorUrl,
          SALTO_KS_CLIENT_ID: DEMO_SALTO.clientId,
          SALTO_KS_CLIENT_SECRET: DEMO_SALTO.clientSecret,
          SALTO_KS_USERNAME: DEMO_SALTO.username,
          SALTO_KS_PASSWORD: DEMO_SALTO.password,
          SALTO_SIMULATOR_STATE_FILE:
            process.env.SALTO_SIMULATOR_STATE_FILE || join(dataDir, 'salto-simulator.json'),
        }
      : {}),
  };

  const parts: Part[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await stopParts(parts);
    await stopDownloadedServer?.();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    await startTemporal(config, parts);
    if (useSimulator) {
      parts.push(startPart('salto-sim', process.execPath, [join(__dirname, 'simulator-main.js')], env));
      await waitForPort('127.0.0.1', config.SALTO_SIMULATOR_PORT, 30_000, 'the SALTO KS simulator');
    }
    parts.push(startPart('worker', process.execPath, [join(__dirname, 'worker-main.js')], env));
    parts.push(startPart('api', process.execPath, [join(__dirname, 'api-main.js')], env));
    await waitForPort('127.0.0.1', config.PORT, 60_000, 'the API');
  } catch (err) {
    process.stderr.write(`[start] ${(err as Error).message}\n`);
    await stop(1);
    return;
  }
  for (const part of parts) {
    void part.exited.then((code) => {
      if (!stopping) {
        log(`${part.name} exited (code ${code}); stopping everything`);
        void stop(1);
      }
    });
  }

  const api = `http://localhost:${config.PORT}`;
  log('');
  log('Everything is running. Ctrl-C stops it all.');
  // Only the demo's own generated secrets are printed (configuration.md); an operator's never are.
  const token = process.env.ADMIN_TOKEN ? '(ADMIN_TOKEN as set)' : `admin token: ${secrets.adminToken}`;
  const secret = process.env.DESKWORKS_WEBHOOK_SECRET ? '(as set)' : `secret: ${secrets.webhookSecret}`;
  log(`  Set-up page and API:  ${api}/   (${token})`);
  log(`  Deskworks webhook:    ${api}/webhooks/deskworks   (${secret})`);
  log(`  Temporal Web UI:      ${config.TEMPORAL_UI_URL}`);
  if (useSimulator) log(`  SALTO KS simulator:   ${simulatorUrl}/__sim/state`);
  else log(`  SALTO KS:             ${config.SALTO_KS_API_URL}`);
  log('');
  // Demo data only on the simulator: a real SALTO KS account never gets made-up people.
  if (useSimulator) await loadDemoData(api, env);
}

async function loadDemoData(apiUrl: string, env: NodeJS.ProcessEnv): Promise<void> {
  const demoLog = (line: string): void => void process.stdout.write(`[demo] ${line}\n`);
  try {
    const loaded = await loadDemoOnce({
      markerFile: join(dataDir, 'demo-loaded.json'),
      target: {
        apiUrl,
        // The first secret signs; any of them verifies (rotation).
        webhookSecret: (env.DESKWORKS_WEBHOOK_SECRET ?? '').split(',')[0]?.trim() ?? '',
        adminToken: env.ADMIN_TOKEN ?? '',
      },
      saltoSignIn: { username: DEMO_SALTO.username, password: DEMO_SALTO.password },
      log: demoLog,
    });
    if (loaded) {
      demoLog(
        'watch the SALTO KS users and group memberships appear in the simulator state and the workflows in the Web UI;',
      );
      demoLog('send more events with `npm run demo:events -- --help`');
    }
  } catch (err) {
    // The product keeps running without the demo: say what failed and how to retry.
    demoLog(`loading the demo data failed: ${(err as Error).message}`);
    demoLog('everything else keeps running; restart `npm start` to try loading it again');
  }
}

void main();
