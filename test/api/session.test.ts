// The set-up page's session: signed, expiring, revocable cookies and their CSRF tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { isSafeMethod, readCookie, SessionSigner } from '../../src/api/session';

const TOKEN = 'admin-token-0123456789abcdef';

function clock(start = Date.parse('2026-11-28T12:00:00Z')): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const requestWithCookie = (cookie: string | undefined): Request =>
  ({ get: (name: string) => (name.toLowerCase() === 'cookie' ? cookie : undefined) }) as unknown as Request;

void describe('SessionSigner', () => {
  void it('verifies the cookie it issued, with the same id, expiry and CSRF token', () => {
    const time = clock();
    const signer = new SessionSigner(TOKEN, { now: time.now, ttlMs: 60_000 });
    const issued = signer.issue();
    const session = signer.verify(issued.cookieValue);
    assert.deepEqual(session, { id: issued.id, expiresAt: time.now() + 60_000, csrfToken: issued.csrfToken });
    assert.notEqual(issued.csrfToken, issued.id);
    assert.ok(!issued.cookieValue.includes(issued.csrfToken), 'the cookie does not carry the CSRF token');
  });

  void it('gives every session its own id and CSRF token', () => {
    const signer = new SessionSigner(TOKEN);
    const a = signer.issue();
    const b = signer.issue();
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.csrfToken, b.csrfToken);
  });

  void it('refuses a tampered id, expiry or signature, and malformed values', () => {
    const signer = new SessionSigner(TOKEN);
    const { cookieValue } = signer.issue();
    const [id, expires, mac] = cookieValue.split('.') as [string, string, string];
    const flip = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const forged of [
      `${flip(id)}.${expires}.${mac}`,
      `${id}.${Number(expires) + 1000}.${mac}`,
      `${id}.${expires}.${flip(mac)}`,
      `${id}.${expires}`,
      `${id}.${expires}.${mac}.extra`,
      `${id}.soon.${mac}`,
      '',
      null,
      undefined,
    ]) {
      assert.equal(signer.verify(forged), null, String(forged));
    }
  });

  void it('refuses a cookie once it expired', () => {
    const time = clock();
    const signer = new SessionSigner(TOKEN, { now: time.now, ttlMs: 60_000 });
    const { cookieValue } = signer.issue();
    time.advance(59_999);
    assert.ok(signer.verify(cookieValue));
    time.advance(1);
    assert.equal(signer.verify(cookieValue), null);
  });

  void it('refuses cookies signed under another admin token: rotating the token signs everyone out', () => {
    const { cookieValue } = new SessionSigner(TOKEN).issue();
    assert.equal(new SessionSigner(`${TOKEN}-rotated`).verify(cookieValue), null);
    assert.ok(new SessionSigner(TOKEN).verify(cookieValue), 'another process with the same token accepts it');
  });

  void it("matches only the session's own CSRF token", () => {
    const signer = new SessionSigner(TOKEN);
    const mine = signer.issue();
    const other = signer.issue();
    const session = signer.verify(mine.cookieValue)!;
    assert.equal(signer.csrfMatches(session, mine.csrfToken), true);
    assert.equal(signer.csrfMatches(session, other.csrfToken), false);
    assert.equal(signer.csrfMatches(session, ''), false);
    assert.equal(signer.csrfMatches(session, undefined), false);
    assert.equal(signer.csrfMatches(session, `${mine.csrfToken}x`), false);
  });

  void it('refuses a signed-out session and keeps the others', async () => {
    const time = clock();
    const signer = new SessionSigner(TOKEN, { now: time.now, ttlMs: 60_000 });
    const out = signer.issue();
    const stays = signer.issue();
    await signer.revoke(signer.verify(out.cookieValue)!);
    assert.equal(signer.verify(out.cookieValue), null);
    assert.ok(signer.verify(stays.cookieValue));
  });

  void it('derives distinct keys per purpose, stable for one admin token', () => {
    const a = new SessionSigner(TOKEN);
    assert.deepEqual(
      a.derivedKey('people page token'),
      new SessionSigner(TOKEN).derivedKey('people page token'),
    );
    assert.notDeepEqual(a.derivedKey('people page token'), a.derivedKey('something else'));
    assert.notDeepEqual(
      a.derivedKey('people page token'),
      new SessionSigner(`${TOKEN}!`).derivedKey('people page token'),
    );
  });
});

void describe('readCookie', () => {
  void it('finds one cookie among several, decoded', () => {
    const req = requestWithCookie('salto_pkce=abc; access_sync_session=a%2Eb.c ; other=1');
    assert.equal(readCookie(req, 'access_sync_session'), 'a.b.c');
    assert.equal(readCookie(req, 'other'), '1');
  });

  void it('answers null for a missing cookie, no header, or a value that does not decode', () => {
    assert.equal(readCookie(requestWithCookie('other=1'), 'access_sync_session'), null);
    assert.equal(readCookie(requestWithCookie(undefined), 'access_sync_session'), null);
    assert.equal(readCookie(requestWithCookie('access_sync_session=%E0%A4%A'), 'access_sync_session'), null);
  });

  void it('does not take a cookie whose name only ends like the one asked for', () => {
    assert.equal(readCookie(requestWithCookie('xaccess_sync_session=1'), 'access_sync_session'), null);
  });
});

void describe('isSafeMethod', () => {
  void it('lets reads through without a CSRF token, never changes', () => {
    assert.deepEqual(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].map(isSafeMethod), [
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
