// Refresh tokens rotate: SALTO KS accepts each one once. The API and every worker share one
// token store, so they must renew one at a time, and a process that loses a race anyway must
// take the winner's renewal instead of asking an operator to sign in again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createPkcePair } from '../../src/salto/pkce';
import { EncryptedFileTokenStore, type SaltoConnection, type TokenStore } from '../../src/salto/token-store';
import { makeClient, sleep, type TestClient } from './helpers/client';
import { baseSeed, TestSimulator, TEST_PASSWORD, TEST_USERNAME } from './helpers/simulator';

const run = promisify(execFile);
const REDIRECT_URI = 'http://127.0.0.1:9/api/salto/callback';

/** The operator signs in on the set-up page: an authorization-code connection with a refresh token. */
async function signIn(t: TestClient, simUrl: string): Promise<void> {
  const pkce = createPkcePair();
  const authorizeUrl = t.auth.authorizeUrl({
    redirectUri: REDIRECT_URI,
    state: 's',
    codeChallenge: pkce.codeChallenge,
  });
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('username', TEST_USERNAME);
  form.set('password', TEST_PASSWORD);
  const back = await fetch(`${simUrl}/connect/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
  await t.auth.connectWithAuthorizationCode({
    code,
    redirectUri: REDIRECT_URI,
    codeVerifier: pkce.codeVerifier,
  });
}

describe('one refresh at a time across processes sharing the token store', () => {
  let sim: TestSimulator;
  let dir: string;
  let file: string;
  const key = randomBytes(32);
  before(async () => {
    sim = await TestSimulator.start();
    dir = await mkdtemp(join(tmpdir(), 'salto-shared-'));
    file = join(dir, 'salto-connection.enc');
  });
  after(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await sim.reset(baseSeed({ tokenTtlSeconds: 2 }));
    await rm(file, { force: true });
  });

  it('four processes whose token ran out renew it once between them, and none is refused', async () => {
    await signIn(
      makeClient(sim.url, { password: false, store: new EncryptedFileTokenStore(file, key) }),
      sim.url,
    );
    await sleep(1100); // within the renewal margin of a 2 s token: every process will renew first
    await sim.clearRequests();
    const startAt = Date.now() + 1500; // after every process has started and loaded the store
    const helper = join(__dirname, 'helpers', 'renewing-process.js');
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, [helper, sim.url, file, key.toString('hex'), String(startAt)], {
          timeout: 30_000,
        }),
      ),
    );
    const answers = outputs.map((o) => JSON.parse(o.stdout.trim()) as Record<string, unknown>);
    assert.deepEqual(answers, Array(4).fill({ sites: 2, needsReconnect: false }));
    const grants = (await sim.tokenRequests()).map((r) => r.status);
    assert.deepEqual(grants, [200], 'exactly one refresh, nothing refused');
    assert.deepEqual(await sim.apiRequests(), Array<string>(4).fill('GET /v1.2/sites'));
  });

  it('a process that spent an already-spent refresh token takes the winner’s renewal, not "re-connect"', async () => {
    const winner = makeClient(sim.url, { password: false, store: new EncryptedFileTokenStore(file, key) });
    await signIn(winner, sim.url);
    const beforeRenewal = await winner.store.load();
    assert.ok(beforeRenewal);
    await sleep(1100);
    await winner.client.listSites(); // renews: the refresh token rotates
    // The loser read the store before the winner saved, and its lock did not hold the winner
    // back (a lock taken over as stale): it spends the old refresh token.
    const loser = makeClient(sim.url, { password: false, store: readingFirst(beforeRenewal, file, key) });
    await loser.auth.status();
    assert.equal((await loser.client.listSites()).length, 2);
    assert.equal((await loser.auth.status()).needsReconnect, false);
    assert.equal(await loser.auth.accessToken(), (await winner.store.load())?.accessToken);
    const grants = (await sim.tokenRequests()).map((r) => r.status);
    assert.deepEqual(grants, [200, 200, 400], 'the sign-in, the winner’s refresh, the loser’s refused one');
    assert.ok(loser.logger.lines.some((l) => l.includes('already spent by another process')));
  });

  it('a refresh token refused for good still asks for a new sign-in (after looking at the store)', async () => {
    const t = makeClient(sim.url, { password: false, store: new EncryptedFileTokenStore(file, key) });
    await signIn(t, sim.url);
    await sim.faults({ revokeTokens: 'all' });
    await assert.rejects(t.client.listSites(), /re-connect SALTO KS/);
    assert.equal((await t.auth.status()).needsReconnect, true);
  });
});

/**
 * The shared file store, except that its first load answers `stale` (what a racing process
 * read before the winner saved) and its lock excludes nobody.
 */
function readingFirst(stale: SaltoConnection, file: string, key: Buffer): TokenStore {
  const real = new EncryptedFileTokenStore(file, key);
  let loads = 0;
  return {
    load: () => (loads++ < 2 ? Promise.resolve({ ...stale }) : real.load()),
    save: (c) => real.save(c),
    clear: () => real.clear(),
    exclusive: (work) => work(),
  };
}
