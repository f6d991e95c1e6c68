// How every process reaches Temporal: address, namespace, mTLS and API key, from the variable
// names the Temporal CLI and SDKs use (TEMPORAL_ADDRESS, TEMPORAL_TLS_CLIENT_CERT_PATH, …), so an
// environment written for `temporal` works here too. Read once at start; every error names the
// variable. The same settings make the client connection (API, scripts) and the worker's.
import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError } from '../config';

type TlsConfig = NonNullable<Exclude<ConnectionOptions['tls'], boolean>>;

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** false: plaintext (a local dev server). */
  tls: TlsConfig | false;
  apiKey: string | null;
  /** Where the settings came from, for the start-up log line (never a key or a certificate). */
  description: string;
}

type Env = Record<string, string | undefined>;

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/;

/** A PEM given as a file (`<NAME>_PATH`) or inline (`<NAME>_DATA`), never both. */
function pemFrom(env: Env, name: string, problems: ConfigError['problems']): Buffer | null {
  const pathVar = `${name}_PATH`;
  const dataVar = `${name}_DATA`;
  const path = env[pathVar];
  const data = env[dataVar];
  if (path && data) {
    problems.push({ variable: dataVar, message: `give ${pathVar} or ${dataVar}, not both` });
    return null;
  }
  let text: string;
  let variable: string;
  if (path) {
    variable = pathVar;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push({
        variable,
        message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      });
      return null;
    }
  } else if (data) {
    variable = dataVar;
    // A PEM in a single-line variable often arrives with literal "\n".
    text = data.includes('\\n') && !data.includes('\n') ? data.replace(/\\n/g, '\n') : data;
  } else {
    return null;
  }
  if (!PEM.test(text)) {
    problems.push({ variable, message: 'is not PEM (expected -----BEGIN …----- … -----END …-----)' });
    return null;
  }
  return Buffer.from(text, 'utf8');
}

function flag(env: Env, variable: string, problems: ConfigError['problems']): boolean | null {
  const value = env[variable];
  if (value === undefined) return null;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  problems.push({ variable, message: `must be true or false, not "${value}"` });
  return null;
}

/**
 * Reads the Temporal connection settings. Throws ConfigError naming every bad variable: a
 * certificate without its key, a file that cannot be read, text that is not PEM, an API key
 * with TLS turned off.
 */
export function temporalConnectionSettings(
  environment: NodeJS.ProcessEnv = process.env,
): TemporalConnectionSettings {
  // An empty variable counts as unset, as in config.ts.
  const env: Env = Object.fromEntries(
    Object.entries(environment).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const problems: ConfigError['problems'] = [];
  const address = env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  if (!/^[^\s:/]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address))
    problems.push({ variable: 'TEMPORAL_ADDRESS', message: `must be host:port, not "${address}"` });
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const apiKey = env.TEMPORAL_API_KEY ?? null;
  const tlsFlag = flag(env, 'TEMPORAL_TLS', problems);
  const cert = pemFrom(env, 'TEMPORAL_TLS_CLIENT_CERT', problems);
  const key = pemFrom(env, 'TEMPORAL_TLS_CLIENT_KEY', problems);
  const ca = pemFrom(env, 'TEMPORAL_TLS_SERVER_CA_CERT', problems);
  const serverName = env.TEMPORAL_TLS_SERVER_NAME ?? null;

  const certGiven = Boolean(env.TEMPORAL_TLS_CLIENT_CERT_PATH || env.TEMPORAL_TLS_CLIENT_CERT_DATA);
  const keyGiven = Boolean(env.TEMPORAL_TLS_CLIENT_KEY_PATH || env.TEMPORAL_TLS_CLIENT_KEY_DATA);
  if (certGiven && !keyGiven)
    problems.push({
      variable: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
      message: 'a client certificate needs its key (TEMPORAL_TLS_CLIENT_KEY_PATH or _DATA)',
    });
  if (keyGiven && !certGiven)
    problems.push({
      variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      message: 'a client key needs its certificate (TEMPORAL_TLS_CLIENT_CERT_PATH or _DATA)',
    });

  const tlsDetails = certGiven || keyGiven || ca !== null || serverName !== null;
  // An API key travels as a bearer header: never over plaintext (Temporal Cloud also requires TLS).
  const tlsOn = tlsFlag ?? (tlsDetails || apiKey !== null);
  if (tlsFlag === false && apiKey !== null)
    problems.push({
      variable: 'TEMPORAL_TLS',
      message: 'cannot be false with TEMPORAL_API_KEY: the key would travel in plaintext',
    });
  if (tlsFlag === false && tlsDetails)
    problems.push({
      variable: 'TEMPORAL_TLS',
      message: 'is false, but TLS certificates or a server name are given',
    });
  if (problems.length > 0) throw new ConfigError(problems);

  const tls: TlsConfig | false = tlsOn
    ? {
        ...(serverName !== null ? { serverNameOverride: serverName } : {}),
        ...(ca !== null ? { serverRootCACertificate: ca } : {}),
        ...(cert !== null && key !== null ? { clientCertPair: { crt: cert, key } } : {}),
      }
    : false;
  const how = !tlsOn ? 'plaintext' : cert !== null ? 'mTLS' : 'TLS';
  return {
    address,
    namespace,
    tls,
    apiKey,
    description: `${address}, namespace ${namespace}, ${how}${apiKey !== null ? ', API key' : ''}`,
  };
}

/** Options for a client connection (the API, scripts). */
export function clientConnectionOptions(s: TemporalConnectionSettings): ConnectionOptions {
  return {
    address: s.address,
    tls: s.tls === false ? false : s.tls,
    ...(s.apiKey !== null ? { apiKey: s.apiKey } : {}),
  };
}

/** Options for the worker's native connection. */
export function workerConnectionOptions(s: TemporalConnectionSettings): NativeConnectionOptions {
  return {
    address: s.address,
    tls: s.tls === false ? false : s.tls,
    ...(s.apiKey !== null ? { apiKey: s.apiKey } : {}),
  };
}

/** A client connection, retried while Temporal is not reachable yet (a worker started first). */
export async function connectClientWithRetry(
  s: TemporalConnectionSettings,
  log: (line: string) => void,
  attempts = 30,
): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Connection.connect(clientConnectionOptions(s));
    } catch (err) {
      if (attempt >= attempts) throw err;
      log(`Temporal at ${s.address} not reachable yet (${(err as Error).message}); retrying in 2 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** The worker's native connection. */
export function connectWorker(s: TemporalConnectionSettings): Promise<NativeConnection> {
  return NativeConnection.connect(workerConnectionOptions(s));
}
