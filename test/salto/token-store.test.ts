// The encrypted token store: survives a restart, readable by the owner only, useless without the key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  deriveTokenStoreKey,
  EncryptedFileTokenStore,
  InMemoryTokenStore,
  type SaltoConnection,
} from '../../src/salto/token-store';

const connection: SaltoConnection = {
  accessToken: 'eyJhbGciOi.access-token-secret-part.sig',
  refreshToken: 'refresh-token-secret-value',
  obtainedAt: 1_000,
  expiresAt: 3_601_000,
  scope: 'user_api.full_access',
  grant: 'authorization_code',
  passwordCredentials: null,
};

describe('EncryptedFileTokenStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salto-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives back what it saved, from a new instance (a restart)', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'a', 'salto-connection.json');
    await new EncryptedFileTokenStore(file, key).save(connection);
    assert.deepEqual(await new EncryptedFileTokenStore(file, key).load(), connection);
  });

  it('writes a mode 0600 file that does not contain the tokens', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'b.json');
    await new EncryptedFileTokenStore(file, key).save(connection);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, /access-token-secret-part|refresh-token-secret-value/);
  });

  it('refuses a wrong key instead of returning garbage', async () => {
    const file = join(dir, 'c.json');
    await new EncryptedFileTokenStore(file, randomBytes(32)).save(connection);
    await assert.rejects(new EncryptedFileTokenStore(file, randomBytes(32)).load(), /cannot decrypt/);
  });

  it('answers null when nothing is stored, and after clear', async () => {
    const store = new EncryptedFileTokenStore(
      join(dir, 'd.json'),
      deriveTokenStoreKey('a-long-operator-secret'),
    );
    assert.equal(await store.load(), null);
    await store.save(connection);
    await store.clear();
    assert.equal(await store.load(), null);
  });

  it('refuses a file whose authentication tag was cut short (only 16-byte tags count)', async () => {
    const key = randomBytes(32);
    const file = join(dir, 'short-tag.json');
    await new EncryptedFileTokenStore(file, key).save(connection);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { tag: string };
    // A 4-byte prefix of the right tag: GCM would check only those 4 bytes if it were accepted.
    saved.tag = Buffer.from(saved.tag, 'base64').subarray(0, 4).toString('base64');
    await writeFile(file, JSON.stringify(saved));
    await assert.rejects(new EncryptedFileTokenStore(file, key).load(), /damaged file/);
  });

  it('a write that fails leaves no temporary file behind, and the old file as it was', async () => {
    const key = randomBytes(32);
    const parent = join(dir, 'failing-write');
    const target = join(parent, 'salto-connection.json');
    await mkdir(join(target, 'in-the-way'), { recursive: true }); // a directory where the file goes
    await assert.rejects(new EncryptedFileTokenStore(target, key).save(connection));
    assert.deepEqual((await readdir(parent)).sort(), ['salto-connection.json']);
    assert.ok((await stat(target)).isDirectory());
  });

  it('insists on a 32-byte key', () => {
    assert.throws(() => new EncryptedFileTokenStore(join(dir, 'e.json'), randomBytes(16)), /32 bytes/);
  });
});

describe('InMemoryTokenStore', () => {
  it('keeps a copy, not the caller’s object', async () => {
    const store = new InMemoryTokenStore();
    const mine = { ...connection };
    await store.save(mine);
    mine.accessToken = 'changed';
    assert.equal((await store.load())?.accessToken, connection.accessToken);
    await store.clear();
    assert.equal(await store.load(), null);
  });
});
