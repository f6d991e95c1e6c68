// The identity server (contract §1): POST /connect/token with the three grants and Basic
// client authentication, and GET/POST /connect/authorize for the authorization-code flow.
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { AUTHORIZE_FIELDS, signInPage, type AuthorizeParams } from './authorize-page';
import type { SimulatorState } from './state';
import { jwtLikeAccessToken, opaqueToken } from './tokens';

const API_SCOPE = 'user_api.full_access';
const OFFLINE_SCOPE = 'offline_access';
const KNOWN_SCOPES = new Set([API_SCOPE, OFFLINE_SCOPE, 'openid', 'profile']);
const CODE_TTL_MS = 5 * 60_000;

export function identityRoutes(state: SimulatorState, now: () => number): Router {
  const router = express.Router();
  router.use('/connect', express.urlencoded({ extended: false }));

  router.post('/connect/token', (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    const form = formOf(req);
    const clientId = authenticateClient(state, req, form);
    if (clientId === null) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    const grant = form.grant_type;
    if (grant === 'password') {
      const scopes = scopeList(form.scope ?? API_SCOPE);
      if (scopes === null) return oauthError(res, 'invalid_scope');
      const expected = state.data.systemUsers[form.username ?? ''];
      if (expected === undefined || !sameSecret(expected, form.password ?? '')) {
        return oauthError(res, 'invalid_grant', 'invalid_username_or_password');
      }
      // Like IdentityServer: a refresh token only when offline_access is asked for.
      return issue(res, clientId, form.username!, scopes, scopes.includes(OFFLINE_SCOPE));
    }
    if (grant === 'refresh_token') {
      const token = form.refresh_token ?? '';
      const stored = state.data.refreshTokens[token];
      if (stored === undefined || stored.clientId !== clientId) return oauthError(res, 'invalid_grant');
      delete state.data.refreshTokens[token]; // rotation: a refresh token is good for one use
      return issue(res, clientId, stored.subject, [API_SCOPE, OFFLINE_SCOPE], true);
    }
    if (grant === 'authorization_code') {
      const code = state.data.authorizationCodes[form.code ?? ''];
      if (code !== undefined) delete state.data.authorizationCodes[form.code ?? ''];
      if (
        code === undefined ||
        code.expiresAt <= now() ||
        code.clientId !== clientId ||
        code.redirectUri !== form.redirect_uri ||
        s256(form.code_verifier ?? '') !== code.codeChallenge
      ) {
        state.changed();
        return oauthError(res, 'invalid_grant');
      }
      const scopes = scopeList(code.scope) ?? [API_SCOPE];
      return issue(res, clientId, code.subject, scopes, true);
    }
    oauthError(res, 'unsupported_grant_type');
  });

  router.get('/connect/authorize', (req: Request, res: Response) => {
    const params = authorizeParams(req.query);
    const problem = checkAuthorizeRequest(state, params);
    if (problem !== null) {
      res.status(400).type('text/plain').send(`Bad sign-in request: ${problem}`);
      return;
    }
    res.type('html').send(signInPage(params, null));
  });

  router.post('/connect/authorize', (req: Request, res: Response) => {
    const form = formOf(req);
    const params = authorizeParams(form);
    const problem = checkAuthorizeRequest(state, params);
    if (problem !== null) {
      res.status(400).type('text/plain').send(`Bad sign-in request: ${problem}`);
      return;
    }
    const expected = state.data.systemUsers[form.username ?? ''];
    if (expected === undefined || !sameSecret(expected, form.password ?? '')) {
      res.status(401).type('html').send(signInPage(params, 'Wrong user name or password.'));
      return;
    }
    const code = opaqueToken();
    state.data.authorizationCodes[code] = {
      clientId: params.client_id,
      subject: form.username!,
      redirectUri: params.redirect_uri,
      codeChallenge: params.code_challenge,
      scope: params.scope,
      expiresAt: now() + CODE_TTL_MS,
    };
    state.changed();
    const target = new URL(params.redirect_uri);
    target.searchParams.set('code', code);
    if (params.state !== '') target.searchParams.set('state', params.state);
    res.redirect(302, target.toString());
  });

  function issue(
    res: Response,
    clientId: string,
    subject: string,
    scopes: string[],
    withRefresh: boolean,
  ): void {
    const ttl = state.data.tokenTtlSeconds;
    const scope = scopes.filter((s) => s !== OFFLINE_SCOPE).join(' ') || API_SCOPE;
    state.pruneExpiredTokens(now());
    const accessToken = jwtLikeAccessToken({
      sub: subject,
      client_id: clientId,
      scope,
      exp: Math.floor((now() + ttl * 1000) / 1000),
    });
    state.data.accessTokens[accessToken] = { clientId, subject, expiresAt: now() + ttl * 1000 };
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ttl,
      token_type: 'Bearer',
      scope,
    };
    if (withRefresh) {
      const refreshToken = opaqueToken();
      state.data.refreshTokens[refreshToken] = { clientId, subject };
      body.refresh_token = refreshToken;
    }
    state.changed();
    res.json(body);
  }

  return router;
}

function formOf(req: Request): Record<string, string | undefined> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : undefined,
    ]),
  );
}

/** Basic authentication (RFC 6749 §2.3.1, form-encoded id and secret), or id/secret in the form. */
function authenticateClient(
  state: SimulatorState,
  req: Request,
  form: Record<string, string | undefined>,
): string | null {
  let id = form.client_id;
  let secret = form.client_secret;
  const header = req.get('authorization');
  if (header !== undefined && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    try {
      id = decode(decoded.slice(0, colon));
      secret = decode(decoded.slice(colon + 1));
    } catch {
      return null;
    }
  }
  if (id === undefined || secret === undefined) return null;
  const expected = state.data.clients[id];
  return expected !== undefined && sameSecret(expected, secret) ? id : null;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function scopeList(scope: string): string[] | null {
  const scopes = scope.split(/\s+/).filter((s) => s !== '');
  if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.has(s)) || !scopes.includes(API_SCOPE))
    return null;
  return scopes;
}

function oauthError(res: Response, error: string, description?: string): void {
  res.status(400).json({ error, ...(description ? { error_description: description } : {}) });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function authorizeParams(source: Record<string, unknown>): AuthorizeParams {
  const read = (name: string) => (typeof source[name] === 'string' ? source[name] : '');
  return Object.fromEntries(AUTHORIZE_FIELDS.map((f) => [f, read(f)])) as unknown as AuthorizeParams;
}

function checkAuthorizeRequest(state: SimulatorState, p: AuthorizeParams): string | null {
  if (p.response_type !== 'code') return 'response_type must be "code"';
  if (state.data.clients[p.client_id] === undefined) return 'unknown client_id';
  try {
    const uri = new URL(p.redirect_uri);
    if (uri.protocol !== 'http:' && uri.protocol !== 'https:') return 'redirect_uri must be http(s)';
  } catch {
    return 'redirect_uri must be an absolute URL';
  }
  if (scopeList(p.scope) === null) return 'scope must include user_api.full_access';
  if (p.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge)) {
    return 'PKCE with code_challenge_method S256 is required';
  }
  return null;
}
