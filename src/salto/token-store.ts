// Where the signed-in SALTO KS connection lives between calls and across restarts.
// The service keeps it encrypted on disk, so a restart needs no new sign-in.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomically } from '../storage/atomic-file';
import { withFileLock } from '../storage/file-lock';

export interface SaltoConnection {
  accessToken: string;
  /** Present for authorization-code connections; a password-grant connection has none. */
  refreshToken: string | null;
  /** Epoch ms. */
  obtainedAt: number;
  expiresAt: number;
  scope: string | null;
  grant: 'authorization_code' | 'password';
  /**
   * Only for a password connection made at run time (not from environment variables): the
   * credentials to re-run the password grant when the access token runs out.
   */
  passwordCredentials: { username: string; password: string } | null;
}

export interface TokenStore {
  load(): Promise<SaltoConnection | null>;
  save(connection: SaltoConnection): Promise<void>;
  clear(): Promise<void>;
  /**
   * Runs `work` while no other holder of this store (in any process sharing it) runs its own:
   * refresh tokens rotate, so only one process at a time may spend the stored one.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

export class InMemoryTokenStore implements TokenStore {
  private connection: SaltoConnection | null = null;

  constructor(initial: SaltoConnection | null = null) {
    this.connection = initial;
  }

  load(): Promise<SaltoConnection | null> {
    return Promise.resolve(this.connection === null ? null : { ...this.connection });
  }

  save(connection: SaltoConnection): Promise<void> {
    this.connection = { ...connection };
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.connection = null;
    return Promise.resolve();
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** In one process, a queue: each holder waits for the previous one to finish. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work, work);
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;

interface EncryptedFile {
  v: number;
  iv: string;
  tag: string;
  data: string;
}

/**
 * AES-256-GCM encrypted JSON file, mode 0600, replaced atomically (see writeFileAtomically).
 * GCM authenticates as well as hides: a tampered file or a wrong key fails to load
 * instead of yielding garbage tokens.
 */
export class EncryptedFileTokenStore implements TokenStore {
  private readonly key: Buffer;

  private readonly lockStaleMs: number;

  /** `lockStaleMs`: a renewal lock older than this belongs to a process that died (default 60 s). */
  constructor(
    private readonly filePath: string,
    key: Buffer,
    options: { lockStaleMs?: number } = {},
  ) {
    this.lockStaleMs = options.lockStaleMs ?? 60_000;
    if (key.length !== KEY_BYTES)
      throw new Error(`token store key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  async load(): Promise<SaltoConnection | null> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const file = JSON.parse(text) as EncryptedFile;
    if (file.v !== FORMAT_VERSION)
      throw new Error(`token store ${this.filePath}: unknown format ${String(file.v)}`);
    const tag = Buffer.from(String(file.tag), 'base64');
    const iv = Buffer.from(String(file.iv), 'base64');
    // A shorter tag would let a forger try far fewer guesses: only a full 16-byte tag is accepted.
    if (tag.length !== TAG_BYTES || iv.length !== IV_BYTES)
      throw new Error(`token store ${this.filePath}: damaged file (bad IV or authentication tag length)`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]);
    } catch {
      throw new Error(`token store ${this.filePath}: cannot decrypt (wrong key or damaged file)`);
    }
    return JSON.parse(plain.toString('utf8')) as SaltoConnection;
  }

  async save(connection: SaltoConnection): Promise<void> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(connection), 'utf8'), cipher.final()]);
    const file: EncryptedFile = {
      v: FORMAT_VERSION,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await writeFileAtomically(this.filePath, JSON.stringify(file));
  }

  async clear(): Promise<void> {
    await rm(this.filePath, { force: true });
  }

  /** A lock file beside the store (`<file>.lock`), so every process sharing the file takes turns. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return withFileLock(`${this.filePath}.lock`, work, { staleMs: this.lockStaleMs });
  }
}

/**
 * A 32-byte key from a secret string (e.g. an environment variable). The secret should be
 * long and random; scrypt makes guessing a weak one expensive.
 */
export function deriveTokenStoreKey(secret: string): Buffer {
  if (secret.length < 16) throw new Error('the token store secret needs at least 16 characters');
  return scryptSync(secret, 'deskworks-salto-access-sync/token-store/v1', KEY_BYTES);
}
