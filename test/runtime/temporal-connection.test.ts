// TEMPORAL_* connection variables as the Temporal CLI names them: plaintext by default, TLS and
// mTLS from files or inline PEM, an API key only over TLS, and every mistake named by variable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config';
import { temporalConnectionSettings } from '../../src/runtime/temporal-connection';
import { payloadKeysFromEnv } from '../../src/runtime/payload-keys-from-env';
import { newPayloadKeyText } from '../../src/shared/payload-encryption';

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIBfake\n-----END PRIVATE KEY-----\n';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    temporalConnectionSettings(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe('Temporal connection settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-conn-'));
  const certPath = join(dir, 'client.pem');
  const keyPath = join(dir, 'client.key');
  writeFileSync(certPath, PEM_CERT);
  writeFileSync(keyPath, PEM_KEY);

  it('defaults to a local plaintext dev server', () => {
    const s = temporalConnectionSettings({});
    assert.equal(s.address, 'localhost:7233');
    assert.equal(s.namespace, 'default');
    assert.equal(s.tls, false);
    assert.equal(s.apiKey, null);
    assert.match(s.description, /plaintext/);
  });

  it('reads mTLS from files, with CA and server name', () => {
    const s = temporalConnectionSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'access-sync',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: PEM_CERT,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    assert.ok(s.tls);
    assert.equal(s.tls.serverNameOverride, 'temporal.internal');
    assert.equal(Buffer.from(s.tls.clientCertPair!.crt).toString(), PEM_CERT);
    assert.equal(Buffer.from(s.tls.clientCertPair!.key).toString(), PEM_KEY);
    assert.equal(Buffer.from(s.tls.serverRootCACertificate!).toString(), PEM_CERT);
    assert.equal(s.namespace, 'access-sync');
    assert.match(s.description, /mTLS/);
    assert.doesNotMatch(s.description, /BEGIN/);
  });

  it('reads inline PEM given with literal \\n, as single-line variables carry it', () => {
    const s = temporalConnectionSettings({
      TEMPORAL_TLS_CLIENT_CERT_DATA: PEM_CERT.replace(/\n/g, '\\n'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: PEM_KEY.replace(/\n/g, '\\n'),
    });
    assert.ok(s.tls);
    assert.equal(Buffer.from(s.tls.clientCertPair!.crt).toString(), PEM_CERT);
  });

  it('turns TLS on for an API key (Temporal Cloud), and refuses the key over plaintext', () => {
    const s = temporalConnectionSettings({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'k',
    });
    assert.deepEqual(s.tls, {});
    assert.equal(s.apiKey, 'k');
    assert.doesNotMatch(s.description, /\bk\b(?!ey)/);
    assert.deepEqual(problemsOf({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }), [
      'TEMPORAL_TLS: cannot be false with TEMPORAL_API_KEY: the key would travel in plaintext',
    ]);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      TEMPORAL_ADDRESS: 'http://temporal:7233',
      TEMPORAL_TLS: 'maybe',
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem'),
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'not a pem',
    });
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
    ]);
    assert.ok(problems.some((p) => /cannot read .*missing\.pem: ENOENT/.test(p)));
    assert.ok(problems.some((p) => /needs its key/.test(p)));
  });

  it('refuses a path and inline data for one certificate, and a key without its certificate', () => {
    assert.deepEqual(
      problemsOf({ TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath, TEMPORAL_TLS_CLIENT_KEY_DATA: PEM_KEY }).map(
        (p) => p.split(':')[0],
      ),
      ['TEMPORAL_TLS_CLIENT_KEY_DATA', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
    );
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS at start-up', () => {
  it('is required in production, named in the error', () => {
    assert.throws(
      () => payloadKeysFromEnv({ NODE_ENV: 'production' }),
      (err: Error) => err instanceof ConfigError && err.problems[0]!.variable === 'PAYLOAD_ENCRYPTION_KEYS',
    );
  });

  it('may be absent in a demo (no encryption), and is read when given', () => {
    assert.equal(payloadKeysFromEnv({}), null);
    const keys = payloadKeysFromEnv({
      NODE_ENV: 'production',
      PAYLOAD_ENCRYPTION_KEYS: newPayloadKeyText('p1'),
    });
    assert.equal(keys?.[0]?.id, 'p1');
  });

  it('names the variable for a malformed key, in any mode', () => {
    assert.throws(
      () => payloadKeysFromEnv({ PAYLOAD_ENCRYPTION_KEYS: 'p1:short' }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.problems[0]!.variable === 'PAYLOAD_ENCRYPTION_KEYS' &&
        /32 bytes/.test(err.problems[0]!.message),
    );
  });
});
