// Nothing the client logs or throws — nor what the activities hand to Temporal — contains an
// access token, a refresh token, the client secret or a password. Every scenario that touches
// them runs against the real simulator; everything written or thrown is captured and searched.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createPkcePair } from '../../src/salto/pkce';
import { InMemoryTokenStore, type SaltoConnection } from '../../src/salto/token-store';
import { activityRunner } from './helpers/activities';
import { makeClient, sleep, type TestClient } from './helpers/client';
import {
  baseSeed,
  SITE_A,
  TestSimulator,
  TEST_CLIENT_SECRET,
  TEST_PASSWORD,
  TEST_USERNAME,
} from './helpers/simulator';

/** A store that remembers every token it was given, so the test knows what to search for. */
class RecordingStore extends InMemoryTokenStore {
  readonly tokens = new Set<string>();
  override save(connection: SaltoConnection): Promise<void> {
    this.tokens.add(connection.accessToken);
    if (connection.refreshToken) this.tokens.add(connection.refreshToken);
    return super.save(connection);
  }
}

const WRONG_SECRET = 'wrong-client-secret-7d41c0';
const WRONG_PASSWORD = 'wrong-password-93be1f';

describe('secrets stay out of logs and errors', () => {
  let sim: TestSimulator;
  const store = new RecordingStore();
  const written: string[] = [];
  const thrown: unknown[] = [];

  before(async () => {
    sim = await TestSimulator.start({ seed: baseSeed({ tokenTtlSeconds: 2 }) });
  });
  after(async () => {
    await sim.close();
  });

  async function capture(promise: Promise<unknown>): Promise<void> {
    try {
      await promise;
    } catch (error) {
      thrown.push(error);
    }
  }

  function collect(t: TestClient): void {
    written.push(...t.logger.lines);
  }

  it('runs every sign-in and failure path while capturing', async () => {
    // Password grant, then its renewal.
    const withPassword = makeClient(sim.url, { store });
    await withPassword.client.listSites();
    await sleep(1100);
    await withPassword.client.listSites();
    collect(withPassword);

    // Authorization code, a refresh, a 401 renewal, then a revoked refresh token.
    const withCode = makeClient(sim.url, { password: false, store: new RecordingStore() });
    const codeStore = withCode.store as RecordingStore;
    const pkce = createPkcePair();
    const authorize = new URL(
      withCode.auth.authorizeUrl({
        redirectUri: 'http://127.0.0.1:9/cb',
        state: 's',
        codeChallenge: pkce.codeChallenge,
      }),
    );
    const form = new URLSearchParams(authorize.searchParams);
    form.set('username', TEST_USERNAME);
    form.set('password', TEST_PASSWORD);
    const redirect = await fetch(new URL('/connect/authorize', authorize), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    await withCode.auth.connectWithAuthorizationCode({
      code,
      redirectUri: 'http://127.0.0.1:9/cb',
      codeVerifier: pkce.codeVerifier,
    });
    await sleep(1100);
    await withCode.client.listSites();
    await sim.faults({ revokeTokens: 'access' });
    await withCode.client.listSites();
    await sim.faults({ revokeTokens: 'all' });
    await capture(withCode.client.listSites());
    collect(withCode);
    for (const token of codeStore.tokens) store.tokens.add(token);

    // A refused client secret and a refused system password.
    const wrongSecret = makeClient(sim.url, { oauth: { clientSecret: WRONG_SECRET } });
    await capture(wrongSecret.client.listSites());
    collect(wrongSecret);
    const wrongPassword = makeClient(sim.url, {
      oauth: { passwordCredentials: { username: TEST_USERNAME, password: WRONG_PASSWORD } },
    });
    await capture(wrongPassword.client.listSites());
    await capture(
      wrongPassword.auth.connectWithPassword({ username: TEST_USERNAME, password: WRONG_PASSWORD }),
    );
    collect(wrongPassword);

    // Activities failing in every class Temporal distinguishes.
    const t = makeClient(sim.url, { store, timeoutMs: 300 });
    const runner = activityRunner(t.client);
    await runner.run('listSaltoSites');
    await sim.faults({
      errors: [
        { status: 429, count: 1, retryAfterSeconds: 2 },
        { status: 500, count: 1 },
      ],
    });
    await capture(runner.run('listSaltoSites'));
    await capture(runner.run('listSaltoSites'));
    await capture(runner.run('listSaltoAccessGroups', { siteId: 'DE4520168385' }));
    await capture(
      runner.run('ensureSaltoUser', {
        siteId: SITE_A,
        personId: 'p',
        profile: { firstName: 'A', lastName: 'B', email: 'bad' },
      }),
    );
    await sim.faults({ latencyMs: 500 });
    await capture(runner.run('listSaltoSites'));
    await sim.faults({});
    collect(t);
    written.push(...runner.logLines);

    // A server that echoes the Authorization header back in its error message.
    const echo = createServer((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ ErrorCode: '1100', Message: `Bad header: ${req.headers.authorization ?? ''}` }),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoing = makeClient(`http://127.0.0.1:${(echo.address() as AddressInfo).port}`, {
      store,
      oauth: { identityUrl: sim.url },
    });
    await capture(echoing.client.listSites());
    collect(echoing);
    echo.closeAllConnections();
    await new Promise<void>((resolve) => echo.close(() => resolve()));

    assert.ok(thrown.length >= 10, `captured ${thrown.length} failures`);
    assert.ok(written.length >= 5, `captured ${written.length} log lines`);
    assert.ok(store.tokens.size >= 4, 'tokens were issued and recorded');
  });

  it('finds no token, secret or password in anything captured', () => {
    const secrets = [...store.tokens, TEST_CLIENT_SECRET, TEST_PASSWORD, WRONG_SECRET, WRONG_PASSWORD];
    const texts = [
      ...written,
      ...thrown.flatMap((error) => [
        String(error),
        error instanceof Error ? String(error.stack) : '',
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
      ]),
    ];
    assert.ok(texts.length > 40);
    for (const secret of secrets) {
      const leak = texts.find((text) => text.includes(secret));
      assert.equal(leak, undefined, `a secret appeared in: ${leak?.slice(0, 300)}`);
      // Not even the distinctive half of a token.
      const half = secret.slice(Math.floor(secret.length / 2));
      assert.equal(
        texts.find((text) => text.includes(half)),
        undefined,
      );
    }
    // The captured failures are the interesting ones, not empty shells.
    const messages = thrown.map((e) => (e instanceof Error ? e.message : ''));
    assert.ok(messages.some((m) => /re-connect SALTO KS/.test(m)));
    assert.ok(messages.some((m) => /SALTO_KS_CLIENT_SECRET/.test(m)));
    assert.ok(messages.some((m) => /Bad header: Bearer \[redacted\]/.test(m)));
    assert.ok(messages.some((m) => /no answer within 300 ms/.test(m)));
  });
});
