// The e-mail search attribute's keyed hash: one value per address as SALTO KS and Deskworks
// compare them (case and surrounding spaces aside), a different value under another key, and the
// key read from EMAIL_LOOKUP_KEY with an error that names it.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, emailLookupSecrets, loadConfig } from '../../src/config';
import { DEMO_EMAIL_LOOKUP_KEY, emailLookupKey } from '../../src/shared/email-lookup';

const KEY = Buffer.from('a key of thirty-two characters or more for tests', 'utf8');

describe('the e-mail lookup key', () => {
  it('is HMAC-SHA256 of the lower-cased, trimmed address, in hex', () => {
    const expected = createHmac('sha256', KEY).update('ada@example.com').digest('hex');
    for (const form of ['ada@example.com', 'Ada@Example.COM', '  ada@example.com\t'])
      assert.equal(emailLookupKey(form, KEY), expected, form);
  });

  it('differs between addresses and between keys', () => {
    assert.notEqual(emailLookupKey('ada@example.com', KEY), emailLookupKey('ada@example.org', KEY));
    assert.notEqual(
      emailLookupKey('ada@example.com', KEY),
      emailLookupKey('ada@example.com', DEMO_EMAIL_LOOKUP_KEY),
    );
  });

  it('takes its keys from EMAIL_LOOKUP_KEY, the published one first, else the demo key; a short one is refused by name', () => {
    const older = 'an older key still searched after a rotation';
    const set = loadConfig({ EMAIL_LOOKUP_KEY: ` ${KEY.toString('utf8')}, ${older} ` });
    assert.deepEqual(emailLookupSecrets(set), [KEY, Buffer.from(older, 'utf8')]);
    assert.deepEqual(emailLookupSecrets(loadConfig({})), [DEMO_EMAIL_LOOKUP_KEY]);
    assert.throws(
      () => loadConfig({ EMAIL_LOOKUP_KEY: 'too short' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some((p) => p.variable === 'EMAIL_LOOKUP_KEY' && /32 characters/.test(p.message)),
    );
  });
});
