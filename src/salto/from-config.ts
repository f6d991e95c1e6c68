// Builds the connection and the client from configuration (src/config.ts), so the worker
// and the API wire SALTO KS the same way.
import type { Config } from '../config';
import { SaltoClient, type SaltoClientOptions } from './client';
import type { SaltoLogger } from './logger';
import { SaltoOAuth, type PasswordCredentials } from './oauth';
import type { TokenStore } from './token-store';

export interface SaltoAccount {
  identityUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** A system user for headless sign-in; without one an operator signs in on the set-up page. */
  passwordCredentials?: PasswordCredentials;
}

/** The account configured by SALTO_KS_* variables, or null when none is (then the simulator is used). */
export function saltoAccountFromConfig(config: Config): SaltoAccount | null {
  const { SALTO_KS_IDENTITY_URL, SALTO_KS_API_URL, SALTO_KS_CLIENT_ID, SALTO_KS_CLIENT_SECRET } = config;
  if (!SALTO_KS_IDENTITY_URL || !SALTO_KS_API_URL || !SALTO_KS_CLIENT_ID || !SALTO_KS_CLIENT_SECRET)
    return null;
  return {
    identityUrl: SALTO_KS_IDENTITY_URL,
    apiUrl: SALTO_KS_API_URL,
    clientId: SALTO_KS_CLIENT_ID,
    clientSecret: SALTO_KS_CLIENT_SECRET,
    ...(config.SALTO_KS_USERNAME && config.SALTO_KS_PASSWORD
      ? { passwordCredentials: { username: config.SALTO_KS_USERNAME, password: config.SALTO_KS_PASSWORD } }
      : {}),
  };
}

export interface SaltoConnectionParts {
  auth: SaltoOAuth;
  client: SaltoClient;
}

export function createSaltoConnection(
  account: SaltoAccount,
  options: {
    tokenStore: TokenStore;
    timeoutMs: number;
    /** SALTO_KS_QUICK_RETRIES: tries of a request within the call after a passing fault. */
    quickRetries?: number;
    logger?: SaltoLogger;
    abortSignal?: () => AbortSignal | undefined;
    onExchange?: SaltoClientOptions['onExchange'];
  },
): SaltoConnectionParts {
  const auth = new SaltoOAuth({
    identityUrl: account.identityUrl,
    clientId: account.clientId,
    clientSecret: account.clientSecret,
    tokenStore: options.tokenStore,
    timeoutMs: options.timeoutMs,
    ...(account.passwordCredentials ? { passwordCredentials: account.passwordCredentials } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const client = new SaltoClient({
    apiUrl: account.apiUrl,
    auth,
    timeoutMs: options.timeoutMs,
    ...(options.quickRetries !== undefined ? { quickRetries: options.quickRetries } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  return { auth, client };
}
