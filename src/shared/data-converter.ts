// The one data converter of every client and worker (API, worker, scripts, tests): payloads
// encrypted with the configured keys, failure messages encoded so they are encrypted too.
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type PayloadKey } from './payload-encryption';

export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** null keys: no encryption (demo mode only; the caller warns). */
export function dataConverterFor(keys: readonly PayloadKey[] | null): DataConverter {
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    payloadCodecs: keys && keys.length > 0 ? [new EncryptionCodec(keys)] : [],
  };
}
