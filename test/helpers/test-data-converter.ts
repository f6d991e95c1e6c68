// The tests' own payload key (not a secret: it only ever encrypts test data), and the data
// converter every test client and worker uses, the same as production's (src/shared/data-converter.ts).
import { dataConverterFor } from '../../src/shared/data-converter';
import { EncryptionCodec, parsePayloadKeys } from '../../src/shared/payload-encryption';

export const TEST_PAYLOAD_KEYS_TEXT = `test-1:${Buffer.from('deskworks-salto-test-payload-key').toString('base64')}`;
export const TEST_PAYLOAD_KEYS = parsePayloadKeys(TEST_PAYLOAD_KEYS_TEXT);
export const testDataConverter = dataConverterFor(TEST_PAYLOAD_KEYS);
export const testPayloadCodec = new EncryptionCodec(TEST_PAYLOAD_KEYS);
