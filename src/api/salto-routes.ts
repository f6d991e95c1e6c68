// "Sign into your SALTO KS account" (admin-api.md): connection state, the password grant, the
// authorization-code flow with PKCE, and the SALTO KS sites and groups the set-up page offers.
// Tokens are never returned: the connection lives in the encrypted token store.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { createOAuthState, createPkcePair, SaltoError, type SaltoClient, type SaltoOAuth } from '../salto';
import { readCookie } from './session';
import { parseOr400 } from './validation';

export interface SaltoRoutesOptions {
  auth: SaltoOAuth;
  client: SaltoClient;
  identityUrl: string;
  apiUrl: string;
  /** Where the API is reached from a browser: the OAuth redirect comes back there. */
  publicUrl: string;
  /** Signs the short-lived cookie that carries the PKCE verifier to the callback. */
  cookieKey: string;
  /** Where to send the operator after the callback (the set-up page). */
  afterSignIn?: string;
}

const COOKIE = 'salto_pkce';
const PENDING_MS = 10 * 60_000;
const passwordBody = z.object({
  grant: z.literal('password'),
  username: z.string().min(1),
  password: z.string().min(1),
});

function sign(value: string, key: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

/** Read at request time: the public address may be known only once the server listens. */
function callbackUrl(options: SaltoRoutesOptions): string {
  return `${options.publicUrl}/api/salto/callback`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function saltoConnectionStatus(options: SaltoRoutesOptions) {
  return async () => {
    const status = await options.auth.status();
    return {
      connected: status.connected && !status.needsReconnect,
      identityUrl: options.identityUrl,
      apiUrl: options.apiUrl,
      account: status.connected
        ? { grant: status.grant, accessTokenExpiresAt: status.accessTokenExpiresAt }
        : null,
      error: status.needsReconnect ? 'SALTO KS refused the stored sign-in: re-connect SALTO KS' : null,
    };
  };
}

/** Behind the admin token. */
export function saltoAdminRouter(options: SaltoRoutesOptions): Router {
  const router = express.Router();
  const status = saltoConnectionStatus(options);

  router.get('/api/salto/connection', async (_req, res) => {
    res.json(await status());
  });

  router.post('/api/salto/connection', async (req, res) => {
    const body = parseOr400(passwordBody, req.body, res);
    if (!body) return;
    try {
      await options.auth.connectWithPassword({ username: body.username, password: body.password });
    } catch (err) {
      res.status(400).json({ error: 'salto_refused', message: errorText(err) });
      return;
    }
    res.json(await status());
  });

  router.delete('/api/salto/connection', async (_req, res) => {
    await options.auth.disconnect();
    res.json(await status());
  });

  router.get('/api/salto/authorize', (_req, res) => {
    const state = createOAuthState();
    const pkce = createPkcePair();
    const expires = Date.now() + PENDING_MS;
    const payload = `${state}.${pkce.codeVerifier}.${expires}`;
    res.cookie(COOKIE, `${payload}.${sign(payload, options.cookieKey)}`, {
      httpOnly: true,
      sameSite: 'lax', // the identity server's redirect back is a top-level cross-site GET
      path: '/api/salto/callback',
      maxAge: PENDING_MS,
      secure: options.publicUrl.startsWith('https:'),
    });
    res.redirect(
      302,
      options.auth.authorizeUrl({
        redirectUri: callbackUrl(options),
        state,
        codeChallenge: pkce.codeChallenge,
      }),
    );
  });

  const saltoFailure = (res: express.Response, err: unknown): void => {
    // What the caller asked for does not exist, or is not an id: its mistake, not SALTO KS's.
    if (err instanceof SaltoError && err.kind === 'not_found') {
      res.status(404).json({ error: 'not_found', message: errorText(err) });
      return;
    }
    if (err instanceof SaltoError && (err.kind === 'bad_request' || err.kind === 'client_error')) {
      res.status(400).json({ error: 'invalid_request', message: errorText(err) });
      return;
    }
    const status = err instanceof SaltoError && !err.retryable ? 502 : 503;
    res.status(status).json({ error: 'salto_unavailable', message: errorText(err) });
  };

  router.get('/api/salto/sites', async (_req, res) => {
    try {
      const sites = await options.client.listSites();
      res.json(
        sites.map((s) => ({
          id: s.id,
          name: s.customer_reference ?? s.site_uid ?? s.id,
          timeZone: s.time_zone,
        })),
      );
    } catch (err) {
      saltoFailure(res, err);
    }
  });

  router.get('/api/salto/sites/:siteId/access-groups', async (req, res) => {
    try {
      const groups = await options.client.listAccessGroups(req.params.siteId);
      res.json(groups.map((g) => ({ id: g.id, name: g.customer_reference ?? g.id })));
    } catch (err) {
      saltoFailure(res, err);
    }
  });

  return router;
}

/** Public: the identity server sends the browser back here; the signed cookie proves who started it. */
export function saltoCallbackRouter(options: SaltoRoutesOptions): Router {
  const router = express.Router();
  router.get('/api/salto/callback', async (req, res) => {
    const cookie = readCookie(req, COOKIE);
    res.clearCookie(COOKIE, { path: '/api/salto/callback' });
    const [state, codeVerifier, expires, mac] = (cookie ?? '').split('.');
    const expected =
      state && codeVerifier && expires ? sign(`${state}.${codeVerifier}.${expires}`, options.cookieKey) : '';
    const macOk =
      mac !== undefined &&
      mac.length === expected.length &&
      timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
    if (!macOk || Number(expires) < Date.now() || req.query.state !== state) {
      res
        .status(400)
        .type('text/plain')
        .send(
          'This sign-in link expired or did not start here. Start "Sign into your SALTO KS account" again.',
        );
      return;
    }
    if (typeof req.query.error === 'string') {
      res.status(400).type('text/plain').send(`SALTO KS refused the sign-in: ${req.query.error}`);
      return;
    }
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    try {
      await options.auth.connectWithAuthorizationCode({
        code,
        redirectUri: callbackUrl(options),
        codeVerifier: codeVerifier!,
      });
    } catch (err) {
      res
        .status(400)
        .type('text/plain')
        .send(`SALTO KS sign-in failed: ${errorText(err)}`);
      return;
    }
    res.redirect(302, options.afterSignIn ?? '/');
  });
  return router;
}
