// Sign-in, CSRF and sign-out over HTTP, through createApiApp's real wiring (the page, /session,
// the /api guard). No Temporal is needed: the one admin route here is the test's own.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import express from 'express';
import { createApiApp } from '../../src/api/app';
import { FileSignedOutSessions, type SignedOutSessions } from '../../src/api/signed-out-sessions';

const ADMIN_TOKEN = 'session-test-admin-token-0123456789';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | string | null;
}

/** An admin route that answers what reached it, so a test sees whether the guard let it through. */
function echoRouter(): express.Router {
  const router = express.Router();
  router.get('/api/echo', (_req, res) => void res.json({ reached: 'GET' }));
  router.post('/api/echo', (req, res) => void res.json({ reached: 'POST', body: req.body as unknown }));
  return router;
}

function startApi(
  options: {
    publicUrl?: string;
    now?: () => number;
    log?: (line: string) => void;
    signedOutSessions?: SignedOutSessions;
  } = {},
): Promise<{ url: string; server: Server }> {
  const app = createApiApp({
    // Nothing here reaches Temporal; the page config reads only the namespace.
    client: { options: { namespace: 'test-namespace' } } as unknown as Client,
    taskQueue: 'unused',
    webhookSecrets: ['unused-webhook-secret-0123456789'],
    adminToken: ADMIN_TOKEN,
    setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
    adminRouters: [echoRouter()],
    temporalUiUrl: 'http://temporal-ui.example',
    log: () => undefined,
    ...options,
  });
  return new Promise((resolve) => {
    const server = app.listen(0, () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    );
  });
}

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: Answer['body'] = text || null;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, text, body };
}

const cookiePair = (setCookie: string): string => setCookie.split(';')[0]!;

void describe('the page session over HTTP', () => {
  let api: { url: string; server: Server };
  let cookie: string;
  let csrfToken: string;

  before(async () => {
    api = await startApi();
    const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
    assert.equal(signIn.status, 200);
    cookie = cookiePair(signIn.headers.get('set-cookie') ?? '');
    csrfToken = (signIn.body as { csrfToken: string }).csrfToken;
  });

  after(async () => {
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  void it('serves the page shell and its assets to anyone, with a strict content security policy', async () => {
    const page = await call(`${api.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="admin-token">Admin token<\/label>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const script = await call(`${api.url}/assets/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await call(`${api.url}/assets/nothing-here.js`)).status, 404);
  });

  void it('sets an HttpOnly, SameSite=Strict cookie for the right token, and answers the CSRF token', async () => {
    const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^access_sync_session=[^;]+/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: a Secure cookie would never come back');
    assert.doesNotMatch(setCookie, new RegExp(ADMIN_TOKEN), 'the cookie is not the token');
    assert.equal(typeof (signIn.body as { csrfToken: unknown }).csrfToken, 'string');
    assert.equal(signIn.headers.get('cache-control'), 'no-store');
  });

  void it('refuses a wrong or missing token without setting a cookie', async () => {
    const wrong = await call(`${api.url}/session`, { method: 'POST', body: { token: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const missing = await call(`${api.url}/session`, { method: 'POST', body: {} });
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('set-cookie'), null);
  });

  void it('tells a reloaded page whether it is signed in, and its CSRF token again', async () => {
    assert.deepEqual((await call(`${api.url}/session`)).body, { signedIn: false });
    const again = (await call(`${api.url}/session`, { headers: { Cookie: cookie } })).body as {
      signedIn: boolean;
      csrfToken: string;
    };
    assert.equal(again.signedIn, true);
    assert.equal(again.csrfToken, csrfToken);
  });

  void it('lets the cookie read /api/*, and answers 401 to nobody', async () => {
    assert.deepEqual((await call(`${api.url}/api/echo`, { headers: { Cookie: cookie } })).body, {
      reached: 'GET',
    });
    const config = await call(`${api.url}/api/page-config`, { headers: { Cookie: cookie } });
    assert.deepEqual(config.body, {
      temporalUiUrl: 'http://temporal-ui.example',
      namespace: 'test-namespace',
    });
    const nobody = await call(`${api.url}/api/echo`);
    assert.equal(nobody.status, 401);
    assert.equal(nobody.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await call(`${api.url}/api/page-config`)).status, 401);
  });

  void it('refuses a change by cookie without the CSRF token, or with a wrong one', async () => {
    const without = await call(`${api.url}/api/echo`, {
      method: 'POST',
      headers: { Cookie: cookie },
      body: { x: 1 },
    });
    assert.equal(without.status, 403);
    assert.equal((without.body as { error: string }).error, 'csrf_token_invalid');
    const wrong = await call(`${api.url}/api/echo`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': `${csrfToken}x` },
      body: { x: 1 },
    });
    assert.equal(wrong.status, 403);
    const right = await call(`${api.url}/api/echo`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken },
      body: { x: 1 },
    });
    assert.deepEqual(right.body, { reached: 'POST', body: { x: 1 } });
  });

  void it('leaves bearer-token callers as they were: no CSRF token, and a wrong token fails even with a cookie', async () => {
    const bearer = await call(`${api.url}/api/echo`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { x: 2 },
    });
    assert.deepEqual(bearer.body, { reached: 'POST', body: { x: 2 } });
    const wrongBearer = await call(`${api.url}/api/echo`, {
      headers: { Authorization: 'Bearer nope', Cookie: cookie },
    });
    assert.equal(wrongBearer.status, 401);
  });

  void it('signs out: the cookie is cleared and no longer accepted', async () => {
    const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
    const ownCookie = cookiePair(signIn.headers.get('set-cookie') ?? '');
    const signOut = await call(`${api.url}/session`, { method: 'DELETE', headers: { Cookie: ownCookie } });
    assert.equal(signOut.status, 204);
    assert.match(signOut.headers.get('set-cookie') ?? '', /^access_sync_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await call(`${api.url}/api/echo`, { headers: { Cookie: ownCookie } })).status, 401);
    assert.equal(
      (await call(`${api.url}/api/echo`, { headers: { Cookie: cookie } })).status,
      200,
      'other sessions stay',
    );
  });
});

void describe('the page session behind https', () => {
  void it('marks the cookie Secure when the public URL is https', async () => {
    const api = await startApi({ publicUrl: 'https://access.example.com' });
    try {
      const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
      assert.match(signIn.headers.get('set-cookie') ?? '', /; Secure/);
    } finally {
      api.server.closeAllConnections();
      await new Promise((resolve) => api.server.close(resolve));
    }
  });

  void it('sends HSTS on every answer when the public URL is https, and not on plain http', async () => {
    const secure = await startApi({ publicUrl: 'https://access.example.com' });
    const plain = await startApi();
    try {
      for (const path of ['/', '/healthz', '/api/setup', '/session']) {
        const answer = await call(`${secure.url}${path}`);
        assert.match(
          answer.headers.get('strict-transport-security') ?? '',
          /^max-age=31536000; includeSubDomains$/,
          path,
        );
      }
      assert.equal((await call(`${plain.url}/`)).headers.get('strict-transport-security'), null);
    } finally {
      for (const api of [secure, plain]) {
        api.server.closeAllConnections();
        await new Promise((resolve) => api.server.close(resolve));
      }
    }
  });
});

void describe('guessing the admin token', () => {
  void it('is slowed per address after 5 wrong tries (sign-in and bearer alike), logged without the token', async () => {
    let clock = 1_000_000;
    const lines: string[] = [];
    const api = await startApi({ now: () => clock, log: (line) => lines.push(line) });
    const signIn = (token: string) => call(`${api.url}/session`, { method: 'POST', body: { token } });
    const bearer = (token: string) =>
      call(`${api.url}/api/echo`, { headers: { Authorization: `Bearer ${token}` } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await signIn(`guess-number-${i}`)).status, 401);
      for (let i = 3; i < 5; i++) assert.equal((await bearer(`guess-number-${i}`)).status, 401);
      // The sixth wrong try is judged, then the address waits 1 s, then 2 s: even the right token.
      assert.equal((await signIn('guess-number-5')).status, 401);
      const held = await signIn(ADMIN_TOKEN);
      assert.equal(held.status, 429);
      assert.equal(held.headers.get('retry-after'), '1');
      assert.equal((await bearer(ADMIN_TOKEN)).status, 429);
      clock += 1_000;
      assert.equal((await bearer('guess-number-6')).status, 401);
      const longer = await signIn(ADMIN_TOKEN);
      assert.equal(longer.status, 429);
      assert.equal(longer.headers.get('retry-after'), '2');
      clock += 2_000;
      // The right token passes and forgives the past.
      assert.equal((await signIn(ADMIN_TOKEN)).status, 200);
      assert.equal((await bearer('guess-number-7')).status, 401);
      assert.equal((await bearer(ADMIN_TOKEN)).status, 200);
      const failures = lines.filter((l) => l.startsWith('admin authentication failed'));
      assert.equal(failures.length, 8);
      assert.match(failures[0]!, /wrong token at sign-in\) from \S+: 1 in a row/);
      assert.ok(
        lines.every((l) => !l.includes('guess-number') && !l.includes(ADMIN_TOKEN)),
        lines.join('\n'),
      );
    } finally {
      api.server.closeAllConnections();
      await new Promise((resolve) => api.server.close(resolve));
    }
  });
});

void describe('sign-out across API processes and restarts', () => {
  const stop = async (api: { server: Server }): Promise<void> => {
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  };
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signed-out-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('a cookie signed out on one API process is refused by the others and after a restart', async () => {
    // Two API processes: each has its own list object over the one shared file.
    const file = join(dir, 'signed-out-sessions.json');
    const first = await startApi({ signedOutSessions: new FileSignedOutSessions(file) });
    const second = await startApi({ signedOutSessions: new FileSignedOutSessions(file) });
    try {
      const signIn = await call(`${first.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
      const stolen = cookiePair(signIn.headers.get('set-cookie') ?? '');
      const other = cookiePair(
        (await call(`${first.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } })).headers.get(
          'set-cookie',
        ) ?? '',
      );
      assert.equal((await call(`${second.url}/api/echo`, { headers: { Cookie: stolen } })).status, 200);
      assert.equal(
        (await call(`${first.url}/session`, { method: 'DELETE', headers: { Cookie: stolen } })).status,
        204,
      );
      // A copy of the cookie taken before the sign-out no longer works anywhere.
      assert.equal((await call(`${second.url}/api/echo`, { headers: { Cookie: stolen } })).status, 401);
      assert.equal((await call(`${first.url}/api/echo`, { headers: { Cookie: stolen } })).status, 401);
      assert.deepEqual((await call(`${second.url}/session`, { headers: { Cookie: stolen } })).body, {
        signedIn: false,
      });
      assert.equal((await call(`${second.url}/api/echo`, { headers: { Cookie: other } })).status, 200);
      await stop(second);
      const restarted = await startApi({ signedOutSessions: new FileSignedOutSessions(file) });
      try {
        assert.equal((await call(`${restarted.url}/api/echo`, { headers: { Cookie: stolen } })).status, 401);
        assert.equal((await call(`${restarted.url}/api/echo`, { headers: { Cookie: other } })).status, 200);
      } finally {
        await stop(restarted);
      }
    } finally {
      await stop(first);
      if (second.server.listening) await stop(second);
    }
  });

  void it('keeps only hashes of the signed-out ids, and forgets them once the cookie would have expired', async () => {
    const file = join(dir, 'expiry.json');
    let clock = Date.UTC(2026, 11, 1, 9);
    const api = await startApi({
      now: () => clock,
      signedOutSessions: new FileSignedOutSessions(file, () => clock),
    });
    try {
      const signOut = async (): Promise<string> => {
        const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
        const pair = cookiePair(signIn.headers.get('set-cookie') ?? '');
        await call(`${api.url}/session`, { method: 'DELETE', headers: { Cookie: pair } });
        return pair;
      };
      const early = await signOut();
      const sessionId = early.split('=')[1]!.split('.')[0]!;
      const text = await readFile(file, 'utf8');
      assert.ok(!text.includes(sessionId), 'the file holds no session id');
      assert.equal(Object.keys((JSON.parse(text) as { sessions: object }).sessions).length, 1);
      clock += 13 * 60 * 60_000; // past the 12-hour lifetime of the first cookie
      await signOut();
      const after = JSON.parse(await readFile(file, 'utf8')) as { sessions: object };
      assert.equal(Object.keys(after.sessions).length, 1, 'the expired entry was dropped');
    } finally {
      await stop(api);
    }
  });

  void it('a damaged list trusts no cookie (and says which file), until it is mended', async () => {
    const file = join(dir, 'damaged.json');
    const lines: string[] = [];
    const api = await startApi({
      signedOutSessions: new FileSignedOutSessions(file),
      log: (l) => lines.push(l),
    });
    try {
      const signIn = await call(`${api.url}/session`, { method: 'POST', body: { token: ADMIN_TOKEN } });
      const pair = cookiePair(signIn.headers.get('set-cookie') ?? '');
      await writeFile(file, '{"v":1,"sess');
      const refused = await call(`${api.url}/api/echo`, { headers: { Cookie: pair } });
      assert.equal(refused.status, 500);
      assert.deepEqual(refused.body, { error: 'internal' });
      assert.ok(
        lines.some((l) => l.includes(`${file} is damaged`)),
        lines.join('\n'),
      );
      await rm(file);
      assert.equal((await call(`${api.url}/api/echo`, { headers: { Cookie: pair } })).status, 200);
    } finally {
      await stop(api);
    }
  });
});
