// The SALTO KS client's public surface (plain TypeScript; no Temporal here).
export { SaltoClient, type AccessTokenSource, type SaltoClientOptions } from './client';
export {
  classifyApiFailure,
  parseRetryAfter,
  RECONNECT_HINT,
  SaltoError,
  type SaltoErrorDetails,
  type SaltoErrorKind,
} from './errors';
export {
  createSaltoConnection,
  saltoAccountFromConfig,
  type SaltoAccount,
  type SaltoConnectionParts,
} from './from-config';
export { consoleSaltoLogger, silentSaltoLogger, type SaltoLogFields, type SaltoLogger } from './logger';
export * from './model';
export {
  SaltoOAuth,
  type PasswordCredentials,
  type SaltoConnectionStatus,
  type SaltoOAuthOptions,
} from './oauth';
export { emailFilter, MAX_PAGE_SIZE, odataString } from './odata';
export {
  AUTHORIZE_SCOPE,
  buildAuthorizeUrl,
  codeChallengeS256,
  createCodeVerifier,
  createOAuthState,
  createPkcePair,
  type PkcePair,
} from './pkce';
export {
  deriveTokenStoreKey,
  EncryptedFileTokenStore,
  InMemoryTokenStore,
  type SaltoConnection,
  type TokenStore,
} from './token-store';
