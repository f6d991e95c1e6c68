// PAYLOAD_ENCRYPTION_KEYS at start-up: required in production (NODE_ENV=production), and in a
// demo or development run its absence means plaintext histories with a loud warning.
import { ConfigError } from '../config';
import { parsePayloadKeys, PayloadKeyError, type PayloadKey } from '../shared/payload-encryption';

export const PAYLOAD_KEYS_VARIABLE = 'PAYLOAD_ENCRYPTION_KEYS';

export type RunMode = 'production' | 'demo';

export function runMode(env: NodeJS.ProcessEnv = process.env): RunMode {
  return env.NODE_ENV === 'production' ? 'production' : 'demo';
}

export const UNENCRYPTED_WARNING = [
  '!!! ------------------------------------------------------------------------------------ !!!',
  `!!! ${PAYLOAD_KEYS_VARIABLE} is not set: names and e-mails are stored UNENCRYPTED in        !!!`,
  '!!! Temporal histories. Fine for a demo; production (NODE_ENV=production) refuses to start. !!!',
  '!!! ------------------------------------------------------------------------------------ !!!',
].join('\n');

/**
 * The payload keys, or null (no encryption) in demo mode. Throws ConfigError naming the variable
 * when the keys are malformed, or missing in production.
 */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadKey[] | null {
  const text = env[PAYLOAD_KEYS_VARIABLE]?.trim() ?? '';
  if (text === '') {
    if (runMode(env) === 'production')
      throw new ConfigError([
        {
          variable: PAYLOAD_KEYS_VARIABLE,
          message:
            'is required in production (NODE_ENV=production): kid:base64key with a 32-byte key, e.g. from `openssl rand -base64 32`',
        },
      ]);
    return null;
  }
  try {
    return parsePayloadKeys(text);
  } catch (err) {
    if (err instanceof PayloadKeyError)
      throw new ConfigError([{ variable: PAYLOAD_KEYS_VARIABLE, message: err.message }]);
    throw err;
  }
}
