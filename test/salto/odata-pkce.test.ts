// $filter escaping and the PKCE helpers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailFilter, odataString } from '../../src/salto/odata';
import { buildAuthorizeUrl, codeChallengeS256, createPkcePair } from '../../src/salto/pkce';
import { parseFilter } from '../../src/simulator/odata';

describe('OData $filter values', () => {
  it("doubles a ' inside a string literal", () => {
    assert.equal(odataString("o'brien@example.com"), "'o''brien@example.com'");
    assert.equal(emailFilter("a'b''c@x.io"), "user/email eq 'a''b''''c@x.io'");
  });

  it("round-trips through the simulator's parser", () => {
    const email = "d'arcy.o'neil@example.com";
    assert.deepEqual(parseFilter(emailFilter(email)), [{ path: ['user', 'email'], value: email }]);
  });
});

describe('PKCE S256', () => {
  it('matches the RFC 7636 appendix B example', () => {
    assert.equal(
      codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes a fresh 43-character verifier and its challenge', () => {
    const a = createPkcePair();
    const b = createPkcePair();
    assert.equal(a.codeVerifier.length, 43);
    assert.notEqual(a.codeVerifier, b.codeVerifier);
    assert.equal(a.codeChallenge, codeChallengeS256(a.codeVerifier));
  });

  it('builds the authorize URL of the contract', () => {
    const url = new URL(
      buildAuthorizeUrl({
        identityUrl: 'https://identity.eu.my-clay.com/',
        clientId: 'cid',
        redirectUri: 'https://sync.example/salto/callback',
        state: 'st',
        codeChallenge: 'ch',
      }),
    );
    assert.equal(url.origin + url.pathname, 'https://identity.eu.my-clay.com/connect/authorize');
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('scope'), 'user_api.full_access offline_access');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('redirect_uri'), 'https://sync.example/salto/callback');
    assert.match(url.search, /scope=user_api\.full_access%20offline_access/);
  });
});
