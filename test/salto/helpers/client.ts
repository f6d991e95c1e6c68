// The real client, pointed at a test simulator, with a logger that captures every line.
import { SaltoClient, type SaltoClientOptions } from '../../../src/salto/client';
import type { SaltoLogger } from '../../../src/salto/logger';
import { SaltoOAuth, type SaltoOAuthOptions } from '../../../src/salto/oauth';
import { InMemoryTokenStore, type TokenStore } from '../../../src/salto/token-store';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_PASSWORD, TEST_USERNAME } from './simulator';

export interface CapturingLogger extends SaltoLogger {
  lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: object) =>
    lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`);
  return { lines, info: write('info'), warn: write('warn') };
}

export interface TestClient {
  client: SaltoClient;
  auth: SaltoOAuth;
  store: TokenStore;
  logger: CapturingLogger;
}

export function makeClient(
  url: string,
  options: {
    password?: boolean;
    store?: TokenStore;
    timeoutMs?: number;
    oauth?: Partial<SaltoOAuthOptions>;
    abortSignal?: () => AbortSignal | undefined;
    onExchange?: SaltoClientOptions['onExchange'];
    quickRetries?: number;
  } = {},
): TestClient {
  const logger = capturingLogger();
  const store = options.store ?? new InMemoryTokenStore();
  const auth = new SaltoOAuth({
    identityUrl: url,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    tokenStore: store,
    ...(options.password === false
      ? {}
      : { passwordCredentials: { username: TEST_USERNAME, password: TEST_PASSWORD } }),
    logger,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...options.oauth,
  });
  const client = new SaltoClient({
    apiUrl: url,
    auth,
    logger,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    ...(options.quickRetries !== undefined ? { quickRetries: options.quickRetries } : {}),
  });
  return { client, auth, store, logger };
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but it resolved');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
