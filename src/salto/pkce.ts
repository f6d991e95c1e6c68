// Authorization code with PKCE (S256), for the set-up page's "Sign into your SALTO KS account":
// the service keeps the verifier, sends the challenge to the authorize URL, and later
// exchanges the returned code with the verifier (contract §1).
import { createHash, randomBytes } from 'node:crypto';

/** Scope of the authorization-code flow: the API plus a refresh token. */
export const AUTHORIZE_SCOPE = 'user_api.full_access offline_access';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
}

/** 43 characters of base64url randomness (RFC 7636 allows 43–128). */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

export function codeChallengeS256(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

export function createPkcePair(): PkcePair {
  const codeVerifier = createCodeVerifier();
  return { codeVerifier, codeChallenge: codeChallengeS256(codeVerifier) };
}

/** Opaque value that ties the redirect back to the sign-in the service started (CSRF guard). */
export function createOAuthState(): string {
  return randomBytes(16).toString('base64url');
}

export interface AuthorizeUrlParams {
  identityUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope?: string;
}

export function buildAuthorizeUrl(params: AuthorizeUrlParams): string {
  const url = new URL(`${params.identityUrl.replace(/\/+$/, '')}/connect/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    scope: params.scope ?? AUTHORIZE_SCOPE,
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
  })
    .toString()
    // Spaces as %20, as SALTO's documentation writes them ('+' is escaped as %2B, so this is safe).
    .replace(/\+/g, '%20');
  return url.toString();
}
