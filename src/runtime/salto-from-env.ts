// The SALTO KS connection of a process (worker or API), from configuration: one encrypted token
// store shared by both, so a sign-in on the set-up page reaches the worker too.
import { resolve } from 'node:path';
import { currentActivityCancellation } from '../activities/activity-cancellation';
import { ConfigError, type Config } from '../config';
import {
  consoleSaltoLogger,
  createSaltoConnection,
  deriveTokenStoreKey,
  EncryptedFileTokenStore,
  saltoAccountFromConfig,
  type SaltoAccount,
  type SaltoConnectionParts,
} from '../salto';
import type { SaltoExchange } from '../salto/client';
import type { SaltoLogger } from '../salto/logger';

export function saltoFromConfig(
  config: Config,
  options: { onExchange?: (exchange: SaltoExchange) => void; logger?: SaltoLogger } = {},
): SaltoConnectionParts & { account: SaltoAccount } {
  const account = saltoAccountFromConfig(config);
  if (!account) {
    throw new ConfigError([
      {
        variable: 'SALTO_KS_API_URL',
        message:
          'required (with SALTO_KS_IDENTITY_URL, SALTO_KS_CLIENT_ID, SALTO_KS_CLIENT_SECRET); `npm start` sets them for the simulator',
      },
    ]);
  }
  if (!config.SALTO_KS_CONNECTION_KEY) {
    throw new ConfigError([
      {
        variable: 'SALTO_KS_CONNECTION_KEY',
        message: 'required: the key that encrypts the stored SALTO KS sign-in (32+ characters)',
      },
    ]);
  }
  const tokenStore = new EncryptedFileTokenStore(
    resolve(config.SALTO_KS_CONNECTION_FILE),
    deriveTokenStoreKey(config.SALTO_KS_CONNECTION_KEY),
    // A renewal makes at most two identity calls under the lock: a lock older than three of
    // them belongs to a process that died.
    { lockStaleMs: Math.max(60_000, 3 * config.SALTO_KS_REQUEST_TIMEOUT_MS) },
  );
  return {
    account,
    ...createSaltoConnection(account, {
      tokenStore,
      timeoutMs: config.SALTO_KS_REQUEST_TIMEOUT_MS,
      quickRetries: config.SALTO_KS_QUICK_RETRIES,
      logger: options.logger ?? consoleSaltoLogger,
      abortSignal: currentActivityCancellation,
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    }),
  };
}
