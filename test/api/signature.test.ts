// Deskworks-Signature: HMAC over `<t>.<raw body>`, any secret and any v1 entry may match,
// and a timestamp more than 300 s from now (either way) is a replay.
// `void` before describe/it: node:test returns promises that its runner awaits itself.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signDeskworksPayload, verifyDeskworksSignature } from '../../src/api/signature';

const currentSecret = 'whsec_current_0123456789abcdef';
const previousSecret = 'whsec_previous_fedcba9876543210';
const body = '{"id":"evt_1","type":"product.deleted","occurredAt":"2026-11-28T14:03:11Z","data":{"id":"p1"}}';
const rawBody = Buffer.from(body, 'utf8');
const signedAtSeconds = 1_795_874_591;
const nowMs = signedAtSeconds * 1000 + 4_000;

function v1Of(header: string): string {
  const match = /v1=([0-9a-f]+)/.exec(header);
  assert.ok(match?.[1], `no v1 in ${header}`);
  return match[1];
}

void describe('signDeskworksPayload', () => {
  void it('writes t and a 64-hex-digit v1 that is the HMAC-SHA256 of `<t>.<body>`', () => {
    const header = signDeskworksPayload(body, currentSecret, signedAtSeconds);
    assert.match(header, /^t=1795874591,v1=[0-9a-f]{64}$/);
    const independent = createHmac('sha256', currentSecret)
      .update(`${signedAtSeconds}.${body}`)
      .digest('hex');
    assert.equal(v1Of(header), independent);
  });

  void it('signs a Buffer body like the same text', () => {
    assert.equal(
      signDeskworksPayload(rawBody, currentSecret, signedAtSeconds),
      signDeskworksPayload(body, currentSecret, signedAtSeconds),
    );
  });

  void it('refuses a timestamp that is not whole seconds', () => {
    assert.throws(() => signDeskworksPayload(body, currentSecret, 1_795_874_591_000.5), RangeError);
  });
});

void describe('verifyDeskworksSignature', () => {
  const header = signDeskworksPayload(rawBody, currentSecret, signedAtSeconds);

  void it('accepts a valid signature', () => {
    assert.deepEqual(verifyDeskworksSignature({ header, rawBody, secrets: [currentSecret], nowMs }), {
      ok: true,
    });
  });

  void it('accepts during rotation when the second secret is the one that matches', () => {
    const verdict = verifyDeskworksSignature({
      header,
      rawBody,
      secrets: [previousSecret, currentSecret],
      nowMs,
    });
    assert.deepEqual(verdict, { ok: true });
  });

  void it('accepts when any of several v1 entries matches, whatever its position', () => {
    const stale = v1Of(signDeskworksPayload(rawBody, previousSecret, signedAtSeconds));
    const good = v1Of(header);
    for (const entries of [`v1=${stale},v1=${good}`, `v1=${good},v1=${stale}`]) {
      const verdict = verifyDeskworksSignature({
        header: `t=${signedAtSeconds},${entries}`,
        rawBody,
        secrets: [currentSecret],
        nowMs,
      });
      assert.deepEqual(verdict, { ok: true }, entries);
    }
  });

  void it('accepts spaces after commas and an unknown scheme beside v1', () => {
    const verdict = verifyDeskworksSignature({
      header: `t=${signedAtSeconds}, v0=abcd, v1=${v1Of(header)}`,
      rawBody,
      secrets: [currentSecret],
      nowMs,
    });
    assert.deepEqual(verdict, { ok: true });
  });

  void it('accepts the header duplicated by a proxy, as Node hands it over in an array', () => {
    const verdict = verifyDeskworksSignature({
      header: [`t=${signedAtSeconds}`, `v1=${v1Of(header)}`],
      rawBody,
      secrets: [currentSecret],
      nowMs,
    });
    assert.deepEqual(verdict, { ok: true });
  });

  void it('rejects a signature made with another secret as mismatch', () => {
    const verdict = verifyDeskworksSignature({ header, rawBody, secrets: [previousSecret], nowMs });
    assert.deepEqual(verdict, { ok: false, reason: 'mismatch' });
  });

  void it('rejects a tampered body as mismatch, even one byte', () => {
    const tampered = Buffer.from(body.replace('"p1"', '"p2"'), 'utf8');
    const verdict = verifyDeskworksSignature({ header, rawBody: tampered, secrets: [currentSecret], nowMs });
    assert.deepEqual(verdict, { ok: false, reason: 'mismatch' });
  });

  void it('rejects a timestamp changed after signing as mismatch', () => {
    const shifted = header.replace(`t=${signedAtSeconds}`, `t=${signedAtSeconds + 1}`);
    const verdict = verifyDeskworksSignature({ header: shifted, rawBody, secrets: [currentSecret], nowMs });
    assert.deepEqual(verdict, { ok: false, reason: 'mismatch' });
  });

  void it('rejects a v1 of the wrong length as mismatch without throwing', () => {
    const short = `t=${signedAtSeconds},v1=${v1Of(header).slice(0, 32)}`;
    const verdict = verifyDeskworksSignature({ header: short, rawBody, secrets: [currentSecret], nowMs });
    assert.deepEqual(verdict, { ok: false, reason: 'mismatch' });
  });

  void it('rejects everything when no usable secret is configured', () => {
    const verdict = verifyDeskworksSignature({ header, rawBody, secrets: [''], nowMs });
    assert.deepEqual(verdict, { ok: false, reason: 'mismatch' });
  });

  void it('rejects a timestamp more than 300 s in the past as stale, and accepts exactly 300 s', () => {
    const signedAt = signedAtSeconds * 1000;
    const at = (ms: number) =>
      verifyDeskworksSignature({ header, rawBody, secrets: [currentSecret], nowMs: ms });
    assert.deepEqual(at(signedAt + 300_000), { ok: true });
    assert.deepEqual(at(signedAt + 301_000), { ok: false, reason: 'stale' });
  });

  void it('rejects a timestamp more than 300 s in the future as stale', () => {
    const signedAt = signedAtSeconds * 1000;
    const at = (ms: number) =>
      verifyDeskworksSignature({ header, rawBody, secrets: [currentSecret], nowMs: ms });
    assert.deepEqual(at(signedAt - 300_000), { ok: true });
    assert.deepEqual(at(signedAt - 301_000), { ok: false, reason: 'stale' });
  });

  void it('honours another tolerance', () => {
    const verdict = verifyDeskworksSignature({
      header,
      rawBody,
      secrets: [currentSecret],
      nowMs: signedAtSeconds * 1000 + 61_000,
      toleranceSeconds: 60,
    });
    assert.deepEqual(verdict, { ok: false, reason: 'stale' });
  });

  void it('rejects malformed headers as malformed', () => {
    const good = v1Of(header);
    const malformed = [
      `v1=${good}`, // no timestamp
      `t=${signedAtSeconds}`, // no signature
      `t=soon,v1=${good}`,
      `t=-5,v1=${good}`,
      `t=${signedAtSeconds},v1=not-hex`,
      `t=${signedAtSeconds},v1=abc`, // odd number of hex digits
      `t=${signedAtSeconds},t=${signedAtSeconds},v1=${good}`,
      `t=${signedAtSeconds};v1=${good}`,
      `sha256=${good}`,
    ];
    for (const bad of malformed) {
      const verdict = verifyDeskworksSignature({ header: bad, rawBody, secrets: [currentSecret], nowMs });
      assert.deepEqual(verdict, { ok: false, reason: 'malformed' }, bad);
    }
  });

  void it('rejects an absent or blank header as missing', () => {
    for (const absent of [undefined, '', '   ', []]) {
      const verdict = verifyDeskworksSignature({ header: absent, rawBody, secrets: [currentSecret], nowMs });
      assert.deepEqual(verdict, { ok: false, reason: 'missing' }, JSON.stringify(absent));
    }
  });
});
