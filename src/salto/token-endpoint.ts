// POST {identity}/connect/token (contract §1): one grant in, tokens or a classified error out.
import { z } from 'zod';
import { classifyApiFailure, reconnectRequiredError, SaltoError, unexpectedResponseError } from './errors';
import { exchange } from './http';

export const TOKEN_PATH = '/connect/token';
/** Scope of the password grant (headless set-ups with a system user). */
export const PASSWORD_SCOPE = 'user_api.full_access';

export type TokenGrant =
  | { grant_type: 'password'; username: string; password: string; scope: string }
  | { grant_type: 'refresh_token'; refresh_token: string }
  | { grant_type: 'authorization_code'; code: string; redirect_uri: string; code_verifier: string };

export interface TokenEndpointOptions {
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().nullish(),
  refresh_token: z.string().min(1).nullish(),
});

export type TokenAnswer = z.infer<typeof tokenAnswer>;

export async function requestToken(options: TokenEndpointOptions, grant: TokenGrant): Promise<TokenAnswer> {
  const answer = await exchange({
    method: 'POST',
    url: `${options.identityUrl.replace(/\/+$/, '')}${TOKEN_PATH}`,
    path: TOKEN_PATH,
    headers: {
      Authorization: basicAuthorization(options.clientId, options.clientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: new URLSearchParams(grant).toString(),
    timeoutMs: options.timeoutMs,
  });
  if (answer.status === 200) {
    const parsed = tokenAnswer.safeParse(answer.json);
    if (!parsed.success) throw unexpectedResponseError('POST', TOKEN_PATH, 200, 'no access_token/expires_in');
    return parsed.data;
  }
  throw classifyTokenFailure(grant.grant_type, answer.status, answer.json, answer.retryAfter);
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

function classifyTokenFailure(
  grantType: TokenGrant['grant_type'],
  status: number,
  body: unknown,
  retryAfter: string | null,
): SaltoError {
  // Only the OAuth error code is repeated; error_description may echo what was sent.
  const oauthError =
    typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : null;
  if (oauthError === 'invalid_grant') {
    return reconnectRequiredError('POST', TOKEN_PATH, status, refusedGrantExplanation(grantType), oauthError);
  }
  if (oauthError === 'invalid_client' || status === 401) {
    return new SaltoError(
      {
        method: 'POST',
        path: TOKEN_PATH,
        status,
        errorCode: oauthError,
        kind: 'invalid_client',
        retryable: false,
        retryAfterMs: null,
        mayBeEventualConsistency: false,
      },
      'the identity server refused the client id or secret; check SALTO_KS_CLIENT_ID and SALTO_KS_CLIENT_SECRET',
    );
  }
  if (status === 400) {
    return new SaltoError(
      {
        method: 'POST',
        path: TOKEN_PATH,
        status,
        errorCode: oauthError,
        kind: 'bad_request',
        retryable: false,
        retryAfterMs: null,
        mayBeEventualConsistency: false,
      },
      `the identity server refused the ${grantType} grant`,
    );
  }
  // 429 and 5xx: the same rules as the API.
  return classifyApiFailure({ method: 'POST', path: TOKEN_PATH, status, body, retryAfterHeader: retryAfter });
}

function refusedGrantExplanation(grantType: TokenGrant['grant_type']): string {
  switch (grantType) {
    case 'refresh_token':
      return 'the identity server refused the stored refresh token (invalid_grant: revoked or expired)';
    case 'password':
      return 'the identity server refused the system user name or password (invalid_grant)';
    case 'authorization_code':
      return 'the identity server refused the sign-in code (invalid_grant: expired, used or not matching)';
  }
}
