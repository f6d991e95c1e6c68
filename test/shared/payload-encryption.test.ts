// The payload codec from its promise: nothing readable without the key, every key id decrypts,
// the first one encrypts, a tampered or unknown payload is refused by name, and payloads written
// before encryption still read.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  newPayloadKeyText,
  parsePayloadKeys,
  PayloadDecryptionError,
  PayloadKeyError,
} from '../../src/shared/payload-encryption';

const person = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const plain = (): Payload => defaultPayloadConverter.toPayload(person);
const text = (b: Uint8Array | null | undefined): string =>
  Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('payload keys from text', () => {
  it('reads kid:base64 entries in order; the first one encrypts', () => {
    const keys = parsePayloadKeys(`${newPayloadKeyText('new')}, ${newPayloadKeyText('old')}`);
    assert.deepEqual(
      keys.map((k) => [k.id, k.key.length]),
      [
        ['new', 32],
        ['old', 32],
      ],
    );
  });

  it('refuses what is not a key, naming the entry but never echoing the key', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const cases: [string, RegExp][] = [
      ['', /no key given/],
      ['just-a-key', /entry 1 is not kid:base64key/],
      [`bad id!:${randomBytes(32).toString('base64')}`, /entry 1: key id/],
      [`k1:${short}`, /must be 32 bytes .* not 16/],
      [`k1:not*base64`, /not base64/],
      [`${newPayloadKeyText('k1')},${newPayloadKeyText('k1')}`, /entry 2: key id "k1" given twice/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => parsePayloadKeys(input),
        (err: Error) =>
          err instanceof PayloadKeyError && message.test(err.message) && !err.message.includes(short),
        input,
      );
    }
  });
});

describe('the encryption codec', () => {
  const [current, previous] = [
    parsePayloadKeys(newPayloadKeyText('k2'))[0]!,
    parsePayloadKeys(newPayloadKeyText('k1'))[0]!,
  ];

  it('encrypts: the encoded payload names its key and shows nothing of the value', async () => {
    const codec = new EncryptionCodec([current, previous]);
    const [encoded] = await codec.encode([plain()]);
    assert.equal(text(encoded!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded!.metadata?.[KEY_ID_METADATA]), 'k2');
    const raw = Buffer.from(encoded!.data!);
    for (const secret of ['Ada', 'Lovelace', 'ada@example.com', 'json/plain'])
      assert.ok(!raw.includes(Buffer.from(secret)), `${secret} visible`);
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), person);
    assert.equal(text(decoded!.metadata?.encoding), 'json/plain');
  });

  it('two encryptions of one value differ (a fresh IV each time)', async () => {
    const codec = new EncryptionCodec([current]);
    const [a, b] = await codec.encode([plain(), plain()]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('rotates without downtime: a payload of the old key reads after a new key is put first', async () => {
    const [old] = await new EncryptionCodec([previous]).encode([plain()]);
    const rotated = new EncryptionCodec([current, previous]);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!), person);
    const [fresh] = await rotated.encode([plain()]);
    assert.equal(text(fresh!.metadata?.[KEY_ID_METADATA]), 'k2');
    // Once the old key is removed, its payloads are refused by name.
    await assert.rejects(new EncryptionCodec([current]).decode([old!]), /no payload key with id "k1"/);
  });

  it('refuses a tampered, truncated or wrongly keyed payload', async () => {
    const codec = new EncryptionCodec([current]);
    const [encoded] = await codec.encode([plain()]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await assert.rejects(codec.decode([{ ...encoded!, data: flipped }]), PayloadDecryptionError);
    await assert.rejects(codec.decode([{ ...encoded!, data: flipped.subarray(0, 20) }]), /truncated/);
    const impostor = { ...current, key: randomBytes(32) };
    await assert.rejects(
      new EncryptionCodec([impostor]).decode([encoded!]),
      /does not authenticate with key "k2"/,
    );
  });

  it('passes through payloads written before encryption was turned on', async () => {
    const codec = new EncryptionCodec([current]);
    const old = plain();
    assert.deepEqual(await codec.decode([old]), [old]);
  });
});
