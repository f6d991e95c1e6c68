// The SALTO KS connection of this process: hands out a valid access token, renews it about
// 60 s before it runs out (or after a 401), and makes sure only one renewal is in flight
// however many calls wait for it, in this process and (through the store's lock) in every
// process sharing the store — refresh tokens rotate, so two renewals would race.
import { reconnectRequiredError, SaltoError } from './errors';
import { silentSaltoLogger, type SaltoLogger } from './logger';
import { buildAuthorizeUrl } from './pkce';
import {
  PASSWORD_SCOPE,
  requestToken,
  TOKEN_PATH,
  type TokenAnswer,
  type TokenEndpointOptions,
} from './token-endpoint';
import type { SaltoConnection, TokenStore } from './token-store';

export interface PasswordCredentials {
  username: string;
  password: string;
}

export interface SaltoOAuthOptions {
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  tokenStore: TokenStore;
  /** A system user for headless set-ups (SALTO_KS_USERNAME / SALTO_KS_PASSWORD): signs in without the set-up page. */
  passwordCredentials?: PasswordCredentials;
  /** Per request to the identity server; default 15 000 ms. */
  timeoutMs?: number;
  /** Renew this long before expiry (capped at half the token's lifetime); default 60 000 ms. */
  renewBeforeExpiryMs?: number;
  logger?: SaltoLogger;
  now?: () => number;
}

export interface SaltoConnectionStatus {
  connected: boolean;
  grant: SaltoConnection['grant'] | null;
  /** ISO instant the current access token runs out. */
  accessTokenExpiresAt: string | null;
  /** The identity server refused the stored sign-in: an operator must sign in again. */
  needsReconnect: boolean;
}

export class SaltoOAuth {
  private connection: SaltoConnection | null = null;
  private loading: Promise<void> | null = null;
  private renewal: Promise<SaltoConnection> | null = null;
  private refused = false;
  private readonly endpoint: TokenEndpointOptions;
  private readonly logger: SaltoLogger;
  private readonly now: () => number;
  private readonly renewBeforeExpiryMs: number;

  constructor(private readonly options: SaltoOAuthOptions) {
    this.endpoint = {
      identityUrl: options.identityUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs: options.timeoutMs ?? 15_000,
    };
    this.logger = options.logger ?? silentSaltoLogger;
    this.now = options.now ?? Date.now;
    this.renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? 60_000;
  }

  /** A valid access token, renewing first when it is about to run out. */
  async accessToken(): Promise<string> {
    await this.load();
    // Check and start the renewal in one synchronous step, so concurrent callers join one renewal.
    const current = this.connection;
    if (current !== null && !this.isDue(current)) return current.accessToken;
    return (await this.renew(null)).accessToken;
  }

  /** The API answered 401 to `rejectedToken`: renew once (or join the renewal already running). */
  async renewAfterRejection(rejectedToken: string): Promise<string> {
    await this.load();
    if (this.renewal !== null) return (await this.renewal).accessToken;
    const current = this.connection;
    if (current !== null && current.accessToken !== rejectedToken && !this.isDue(current)) {
      return current.accessToken; // someone renewed while our request was on its way
    }
    return (await this.renew(rejectedToken)).accessToken;
  }

  /** Signs in with a system user; `remember` keeps the credentials (encrypted by the store) for renewals. */
  async connectWithPassword(credentials: PasswordCredentials, remember = true): Promise<void> {
    const answer = await requestToken(this.endpoint, {
      grant_type: 'password',
      username: credentials.username,
      password: credentials.password,
      scope: PASSWORD_SCOPE,
    });
    const connection = this.fromAnswer(answer, 'password', null, remember ? credentials : null);
    await this.options.tokenStore.exclusive(() => this.adopt(connection, 'password'));
  }

  /** Finishes the authorization-code flow: the code from the redirect plus the PKCE verifier kept since. */
  async connectWithAuthorizationCode(params: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<void> {
    const answer = await requestToken(this.endpoint, {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
    });
    const connection = this.fromAnswer(answer, 'authorization_code', null, null);
    // Under the lock, so a renewal of the old sign-in in another process cannot overwrite it.
    await this.options.tokenStore.exclusive(() => this.adopt(connection, 'authorization_code'));
  }

  /** Where to send the operator to sign in (see pkce.ts for the verifier/challenge and state). */
  authorizeUrl(params: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    scope?: string;
  }): string {
    return buildAuthorizeUrl({
      identityUrl: this.options.identityUrl,
      clientId: this.options.clientId,
      ...params,
    });
  }

  async disconnect(): Promise<void> {
    await this.load();
    this.connection = null;
    this.refused = false;
    await this.options.tokenStore.exclusive(() => this.options.tokenStore.clear());
  }

  async status(): Promise<SaltoConnectionStatus> {
    await this.load();
    const c = this.connection;
    const canSignInAlone = this.options.passwordCredentials !== undefined;
    return {
      connected: c !== null || canSignInAlone,
      grant: c?.grant ?? (canSignInAlone ? 'password' : null),
      accessTokenExpiresAt: c === null ? null : new Date(c.expiresAt).toISOString(),
      needsReconnect: this.refused,
    };
  }

  private load(): Promise<void> {
    // A failed load (wrong key, a file being replaced, a passing I/O error) is tried again on
    // the next call rather than remembered for the life of the process.
    this.loading ??= this.options.tokenStore.load().then(
      (stored) => {
        this.connection ??= stored;
      },
      (error: unknown) => {
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }

  private isDue(connection: SaltoConnection): boolean {
    const lifetime = connection.expiresAt - connection.obtainedAt;
    const margin = Math.min(this.renewBeforeExpiryMs, lifetime / 2);
    return this.now() >= connection.expiresAt - margin;
  }

  private renew(rejectedToken: string | null): Promise<SaltoConnection> {
    this.renewal ??= this.performRenewal(rejectedToken).finally(() => {
      this.renewal = null;
    });
    return this.renewal;
  }

  private performRenewal(rejectedToken: string | null): Promise<SaltoConnection> {
    // One renewal at a time across every process that shares the store (the API and all
    // workers): refresh tokens rotate, so a second process spending the same one is refused.
    return this.options.tokenStore.exclusive(async () => {
      // Another process may have renewed while we waited for the lock.
      const stored = await this.options.tokenStore.load();
      if (this.renewedElsewhere(stored, rejectedToken)) return this.useStored(stored);
      const { connection, grantUsed } = await this.obtainFresh(stored ?? this.connection);
      if (grantUsed === 'stored') return this.useStored(connection);
      await this.adopt(connection, grantUsed);
      return connection;
    });
  }

  /** Another process's renewal, already in the store: taken as ours, nothing written. */
  private useStored(connection: SaltoConnection): SaltoConnection {
    this.connection = connection;
    this.refused = false;
    return connection;
  }

  /** The stored connection is newer than ours (and than the one SALTO KS refused) and still good. */
  private renewedElsewhere(
    stored: SaltoConnection | null,
    rejectedToken: string | null,
  ): stored is SaltoConnection {
    return (
      stored !== null &&
      stored.accessToken !== this.connection?.accessToken &&
      stored.accessToken !== rejectedToken &&
      !this.isDue(stored)
    );
  }

  private async obtainFresh(
    current: SaltoConnection | null,
  ): Promise<{ connection: SaltoConnection; grantUsed: 'refresh_token' | 'password' | 'stored' }> {
    const password = current?.passwordCredentials ?? this.options.passwordCredentials ?? null;
    if (current?.refreshToken) {
      try {
        const answer = await requestToken(this.endpoint, {
          grant_type: 'refresh_token',
          refresh_token: current.refreshToken,
        });
        // A rotated refresh token replaces the old one; when none comes back, the old one stays valid.
        const connection = this.fromAnswer(
          answer,
          current.grant,
          current.refreshToken,
          current.passwordCredentials,
        );
        return { connection, grantUsed: 'refresh_token' };
      } catch (error) {
        if (error instanceof SaltoError && error.kind === 'reconnect_required') {
          // A lost race, not a lost sign-in: a process that took over a stale lock (or does not
          // share the lock) spent this refresh token first and stored what it got for it.
          const stored = await this.renewalSavedElsewhere(current.refreshToken);
          if (stored !== null) {
            this.logger.info('SALTO KS refresh token already spent by another process; using its renewal');
            return { connection: stored, grantUsed: 'stored' };
          }
        }
        if (!(error instanceof SaltoError && error.kind === 'reconnect_required') || password === null) {
          this.noteRefusal(error);
          throw error;
        }
        this.logger.warn('SALTO KS refused the refresh token; signing in again with the system user');
      }
    }
    if (password !== null) {
      try {
        const answer = await requestToken(this.endpoint, {
          grant_type: 'password',
          username: password.username,
          password: password.password,
          scope: PASSWORD_SCOPE,
        });
        const connection = this.fromAnswer(answer, 'password', null, current?.passwordCredentials ?? null);
        return { connection, grantUsed: 'password' };
      } catch (error) {
        this.noteRefusal(error);
        throw error;
      }
    }
    this.refused = true;
    throw reconnectRequiredError('POST', TOKEN_PATH, null, 'SALTO KS is not connected (no stored sign-in)');
  }

  /**
   * After SALTO KS refused `spentRefreshToken`: the renewal another process got for it, if one
   * is (or within a second becomes) stored. The winner of a race may still be saving its answer.
   */
  private async renewalSavedElsewhere(spentRefreshToken: string): Promise<SaltoConnection | null> {
    for (let look = 0; look < 5; look++) {
      if (look > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      const stored = await this.options.tokenStore.load();
      if (stored !== null && stored.refreshToken !== spentRefreshToken && !this.isDue(stored)) return stored;
    }
    return null;
  }

  private noteRefusal(error: unknown): void {
    if (error instanceof SaltoError && error.kind === 'reconnect_required') {
      this.refused = true;
      this.logger.warn('SALTO KS refused the stored sign-in; re-connect SALTO KS', {
        errorCode: error.errorCode,
      });
    }
  }

  private fromAnswer(
    answer: TokenAnswer,
    grant: SaltoConnection['grant'],
    previousRefreshToken: string | null,
    passwordCredentials: PasswordCredentials | null,
  ): SaltoConnection {
    const obtainedAt = this.now();
    return {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token ?? previousRefreshToken,
      obtainedAt,
      expiresAt: obtainedAt + answer.expires_in * 1000,
      scope: answer.scope ?? null,
      grant,
      passwordCredentials,
    };
  }

  private async adopt(connection: SaltoConnection, how: string): Promise<void> {
    await this.options.tokenStore.save(connection);
    this.connection = connection;
    this.refused = false;
    this.logger.info('SALTO KS access token obtained', {
      grant: how,
      expiresInSeconds: Math.round((connection.expiresAt - connection.obtainedAt) / 1000),
    });
  }
}
