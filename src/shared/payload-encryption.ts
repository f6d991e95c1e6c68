// AES-256-GCM encryption of every payload Temporal stores: names and e-mails never sit in plain
// text in a history, a memo, a query answer or a failure. Each key has an id (`kid`) written
// beside the ciphertext; the first key encrypts and every key decrypts, so a key is rotated by
// putting a new one first and removing the old one once no history needs it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class PayloadKeyError extends Error {}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `kid:base64key,kid:base64key` (the first one encrypts). Every problem is named with the
 * position of the entry, never with the key itself.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0)
    throw new PayloadKeyError('no key given (expected kid:base64key[,kid:base64key…])');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const where = `entry ${index + 1}`;
    if (colon < 0) throw new PayloadKeyError(`${where} is not kid:base64key`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) throw new PayloadKeyError(`${where}: key id must be 1–64 of A-Z a-z 0-9 . _ -`);
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`${where}: key id "${id}" given twice`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
      throw new PayloadKeyError(`${where} (key id "${id}"): the key is not base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32)
      throw new PayloadKeyError(
        `${where} (key id "${id}"): the key must be 32 bytes (44 base64 characters), not ${key.length}`,
      );
    keys.push({ id, key });
  });
  return keys;
}

/** A fresh key in the form parsePayloadKeys reads. */
export function newPayloadKeyText(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class PayloadDecryptionError extends Error {}

const utf8 = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new PayloadKeyError('the encryption codec needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((p) => this.encrypt(p)));
  }

  /** Payloads written before encryption was turned on pass through unchanged. */
  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p)));
  }

  private encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.current.id),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const id = utf8(payload.metadata?.[KEY_ID_METADATA]);
    const key = this.byId.get(id);
    if (!key) throw new PayloadDecryptionError(`no payload key with id "${id}" is configured`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError('an encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(`an encrypted payload does not authenticate with key "${id}"`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** A refusal as a rejected promise, as the SDK (and any caller) expects of a codec. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export function isEncrypted(payload: Payload): boolean {
  return utf8(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}
