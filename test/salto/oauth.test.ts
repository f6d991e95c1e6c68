// Signing in and staying signed in, against the real simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SaltoError } from '../../src/salto/errors';
import { createPkcePair } from '../../src/salto/pkce';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileTokenStore, InMemoryTokenStore } from '../../src/salto/token-store';
import { makeClient, rejection, sleep, type TestClient } from './helpers/client';
import {
  baseSeed,
  TestSimulator,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_PASSWORD,
  TEST_USERNAME,
} from './helpers/simulator';

const REDIRECT_URI = 'http://127.0.0.1:9/api/salto/callback';

/** Walks the operator's part of the authorization-code flow: the form, the credentials, the redirect. */
async function signInAtAuthorizePage(t: TestClient, state: string, codeChallenge: string): Promise<URL> {
  const authorizeUrl = t.auth.authorizeUrl({ redirectUri: REDIRECT_URI, state, codeChallenge });
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<form method="post" action="\/connect\/authorize">/);
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('username', TEST_USERNAME);
  form.set('password', TEST_PASSWORD);
  const answer = await fetch(new URL('/connect/authorize', authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  assert.equal(answer.status, 302);
  return new URL(answer.headers.get('location') ?? '');
}

async function connectWithCode(t: TestClient): Promise<void> {
  const pkce = createPkcePair();
  const back = await signInAtAuthorizePage(t, 'state-123', pkce.codeChallenge);
  await t.auth.connectWithAuthorizationCode({
    code: back.searchParams.get('code') ?? '',
    redirectUri: REDIRECT_URI,
    codeVerifier: pkce.codeVerifier,
  });
}

describe('SALTO KS sign-in', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await TestSimulator.start();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await sim.reset();
  });

  it('signs in with the authorization code and PKCE, redirecting back with code and state', async () => {
    const t = makeClient(sim.url, { password: false });
    const pkce = createPkcePair();
    const back = await signInAtAuthorizePage(t, 'state-xyz', pkce.codeChallenge);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'state-xyz');
    await t.auth.connectWithAuthorizationCode({
      code: back.searchParams.get('code') ?? '',
      redirectUri: REDIRECT_URI,
      codeVerifier: pkce.codeVerifier,
    });
    const stored = await t.store.load();
    assert.equal(stored?.grant, 'authorization_code');
    assert.ok(stored?.refreshToken, 'the authorization-code grant brings a refresh token');
    assert.equal((await t.client.listSites()).length, 2);
    assert.deepEqual(await t.auth.status(), {
      connected: true,
      grant: 'authorization_code',
      accessTokenExpiresAt: new Date(stored.expiresAt).toISOString(),
      needsReconnect: false,
    });
  });

  it('refuses a code with the wrong PKCE verifier, and a used code', async () => {
    const t = makeClient(sim.url, { password: false });
    const pkce = createPkcePair();
    const back = await signInAtAuthorizePage(t, 's', pkce.codeChallenge);
    const code = back.searchParams.get('code') ?? '';
    const wrong = await rejection(
      t.auth.connectWithAuthorizationCode({
        code,
        redirectUri: REDIRECT_URI,
        codeVerifier: createPkcePair().codeVerifier,
      }),
    );
    assert.ok(wrong instanceof SaltoError);
    assert.equal(wrong.kind, 'reconnect_required');
    // The failed exchange used the code up, as a real identity server does.
    await assert.rejects(
      t.auth.connectWithAuthorizationCode({
        code,
        redirectUri: REDIRECT_URI,
        codeVerifier: pkce.codeVerifier,
      }),
      /invalid_grant/,
    );
    assert.equal(await t.store.load(), null);
  });

  it('shows the sign-in form again on a wrong password', async () => {
    const t = makeClient(sim.url, { password: false });
    const url = new URL(
      t.auth.authorizeUrl({
        redirectUri: REDIRECT_URI,
        state: 's',
        codeChallenge: createPkcePair().codeChallenge,
      }),
    );
    const form = new URLSearchParams(url.searchParams);
    form.set('username', TEST_USERNAME);
    form.set('password', 'wrong');
    const answer = await fetch(new URL('/connect/authorize', url), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    assert.equal(answer.status, 401);
    assert.match(await answer.text(), /Wrong user name or password/);
  });

  it('renews an expiring password-grant token by running the password grant again (it has no refresh token)', async () => {
    await sim.reset(baseSeed({ tokenTtlSeconds: 2 }));
    const t = makeClient(sim.url);
    await t.client.listSites();
    assert.equal((await t.store.load())?.refreshToken, null);
    await sleep(1100); // past the renewal point: half the 2 s lifetime
    await t.client.listSites();
    const tokenRequests = await sim.tokenRequests();
    assert.equal(tokenRequests.length, 2);
    assert.ok(tokenRequests.every((r) => r.status === 200));
  });

  it('replaces a rotated refresh token, and the old one no longer works', async () => {
    await sim.reset(baseSeed({ tokenTtlSeconds: 2 }));
    const t = makeClient(sim.url, { password: false });
    await connectWithCode(t);
    const first = await t.store.load();
    await sleep(1100);
    await t.client.listSites();
    const second = await t.store.load();
    assert.ok(first?.refreshToken && second?.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    const reuse = await fetch(`${sim.url}/connect/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refreshToken }),
    });
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
  });

  it('renews an expired token exactly once for ten concurrent callers', async () => {
    await sim.reset(baseSeed({ tokenTtlSeconds: 2 }));
    const t = makeClient(sim.url, { password: false });
    await connectWithCode(t);
    await sleep(1100);
    await sim.clearRequests();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.client.listSites()));
    assert.ok(results.every((sites) => sites.length === 2));
    const renewals = await sim.tokenRequests();
    assert.equal(renewals.length, 1);
    assert.deepEqual(await sim.apiRequests(), Array<string>(10).fill('GET /v1.2/sites'));
  });

  it('on 401 renews once for all callers and retries each request once', async () => {
    const t = makeClient(sim.url, { password: false });
    await connectWithCode(t);
    await sim.faults({ revokeTokens: 'access' }); // SALTO forgot the access token; the refresh token still works
    await sim.clearRequests();
    const results = await Promise.all(Array.from({ length: 5 }, () => t.client.listSites()));
    assert.ok(results.every((sites) => sites.length === 2));
    assert.equal((await sim.tokenRequests()).length, 1);
    const statuses = (await sim.requests()).filter((r) => r.path === '/v1.2/sites').map((r) => r.status);
    assert.deepEqual(statuses.sort(), [...Array<number>(5).fill(200), ...Array<number>(5).fill(401)]);
  });

  it('gives up after one renewal when the API still answers 401: re-connect SALTO KS', async () => {
    // Tokens live 1 s and every request takes 1.1 s: each token has expired by the time it arrives.
    await sim.reset(baseSeed({ tokenTtlSeconds: 1 }));
    const t = makeClient(sim.url);
    await sim.faults({ latencyMs: 1100 });
    const error = await rejection(t.client.listSites());
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'reconnect_required');
    assert.equal(error.retryable, false);
    assert.match(error.message, /^SALTO KS GET \/v1\.2\/sites: 401 ErrorCode 1500: .*re-connect SALTO KS/);
    assert.equal((await sim.tokenRequests()).length, 2, 'the first sign-in and exactly one renewal');
    assert.equal((await sim.apiRequests()).length, 2, 'the request and exactly one retry');
  });

  it('reports a revoked refresh token as a clear "re-connect SALTO KS"', async () => {
    const t = makeClient(sim.url, { password: false });
    await connectWithCode(t);
    await sim.faults({ revokeTokens: 'all' });
    const error = await rejection(t.client.listSites());
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'reconnect_required');
    assert.equal(error.retryable, false);
    assert.equal(error.errorCode, 'invalid_grant');
    assert.match(error.message, /refresh token.*re-connect SALTO KS/);
    assert.equal((await t.auth.status()).needsReconnect, true);
    assert.ok(t.logger.lines.some((l) => l.includes('re-connect SALTO KS')));
  });

  it('falls back to the system user when the refresh token is refused and one is configured', async () => {
    const t = makeClient(sim.url); // with password credentials
    await connectWithCode(t);
    await sim.faults({ revokeTokens: 'all' });
    assert.equal((await t.client.listSites()).length, 2);
    assert.equal((await t.store.load())?.grant, 'password');
  });

  it('says "not connected" when there is neither a stored sign-in nor a system user', async () => {
    const t = makeClient(sim.url, { password: false });
    const error = await rejection(t.client.listSites());
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'reconnect_required');
    assert.match(error.message, /not connected.*re-connect SALTO KS/);
    assert.equal((await sim.requests()).length, 0, 'nothing was sent');
  });

  it('names the client variables, not the secret, when the client is refused', async () => {
    const t = makeClient(sim.url, { oauth: { clientSecret: 'a-wrong-secret-value-123' } });
    const error = await rejection(t.client.listSites());
    assert.ok(error instanceof SaltoError);
    assert.equal(error.kind, 'invalid_client');
    assert.equal(error.retryable, false);
    assert.match(error.message, /SALTO_KS_CLIENT_SECRET/);
    assert.doesNotMatch(error.message + String(error.stack), /a-wrong-secret-value-123/);
  });

  it('tries the token store again after a failed load instead of remembering the failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salto-load-'));
    try {
      const file = join(dir, 'salto-connection.enc');
      const key = randomBytes(32);
      await writeFile(file, '{"v":1,"iv":"trunc'); // caught half-written by another process
      const t = makeClient(sim.url, { store: new EncryptedFileTokenStore(file, key), password: false });
      await assert.rejects(t.auth.accessToken());
      // The other process finishes its write: the next call reads it.
      const other = makeClient(sim.url, { store: new EncryptedFileTokenStore(file, key) });
      await other.auth.connectWithPassword({ username: TEST_USERNAME, password: TEST_PASSWORD });
      assert.equal(await t.auth.accessToken(), await other.auth.accessToken());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('picks up a renewal another process saved instead of renewing again (shared token store)', async () => {
    await sim.reset(baseSeed({ tokenTtlSeconds: 2 }));
    const store = new InMemoryTokenStore();
    const api = makeClient(sim.url, { password: false, store });
    const worker = makeClient(sim.url, { password: false, store });
    await connectWithCode(api);
    await worker.client.listSites(); // uses the stored sign-in: no token request
    await sleep(1100);
    await api.client.listSites(); // the API process renews (the refresh token rotates)
    await worker.client.listSites(); // the worker takes the renewed token from the store
    const grants = (await sim.tokenRequests()).map((r) => r.status);
    assert.deepEqual(grants, [200, 200], 'the code exchange and one refresh, nothing refused');
  });
});
