// The Deskworks-Signature header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each v1 is
// HMAC-SHA256 over `<t>.<raw body>`. Several v1 entries and several secrets exist for rotation:
// any secret matching any entry passes. The timestamp bounds replays of a captured request.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';
export type SignatureVerdict = { ok: true } | { ok: false; reason: SignatureFailure };

export interface VerifySignatureInput {
  /** The header as Node gives it; duplicated headers arrive as an array or comma-joined. */
  header: string | string[] | undefined;
  /** The body exactly as received: re-serialised JSON would not match the sender's bytes. */
  rawBody: Buffer;
  /** Every secret currently accepted (DESKWORKS_WEBHOOK_SECRET, comma-separated for rotation). */
  secrets: string[];
  nowMs: number;
  toleranceSeconds?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
const UNIX_SECONDS = /^\d{1,12}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

interface ParsedHeader {
  /** The timestamp as written: it is signed as text, so it is used verbatim. */
  timestampText: string;
  timestampSeconds: number;
  signatures: Buffer[];
}

function parseSignatureHeader(header: string): ParsedHeader | null {
  let timestampText: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return null;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      // Two timestamps make it ambiguous which one was signed.
      if (timestampText !== undefined || !UNIX_SECONDS.test(value)) return null;
      timestampText = value;
    } else if (key === 'v1') {
      if (!HEX.test(value)) return null;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (a future v2, say) are ignored so that Deskworks can add one alongside v1.
  }
  if (timestampText === undefined || signatures.length === 0) return null;
  return { timestampText, timestampSeconds: Number(timestampText), signatures };
}

function hmacOf(secret: string, timestampText: string, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestampText}.`).update(rawBody).digest();
}

/** Checks a Deskworks-Signature header against the raw body; the reason is for logs, not for the caller. */
export function verifyDeskworksSignature(input: VerifySignatureInput): SignatureVerdict {
  const { rawBody, nowMs, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
  const header = Array.isArray(input.header) ? input.header.join(',') : input.header;
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };

  const parsed = parseSignatureHeader(header);
  if (parsed === null) return { ok: false, reason: 'malformed' };

  // Too far in the past or in the future alike: either may be a replay.
  if (Math.abs(nowMs / 1000 - parsed.timestampSeconds) > toleranceSeconds) {
    return { ok: false, reason: 'stale' };
  }

  // An empty key would let anyone sign; configuration forbids it, this guards the function itself.
  const usableSecrets = input.secrets.filter((secret) => secret.length > 0);
  for (const secret of usableSecrets) {
    const expected = hmacOf(secret, parsed.timestampText, rawBody);
    for (const candidate of parsed.signatures) {
      // timingSafeEqual throws on different lengths; a length says nothing about the secret.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true };
    }
  }
  return { ok: false, reason: 'mismatch' };
}

/** The header value Deskworks would send for this body, secret and time (tests and the demo use it). */
export function signDeskworksPayload(rawBody: string | Buffer, secret: string, tSeconds: number): string {
  if (!Number.isSafeInteger(tSeconds) || tSeconds < 0) {
    throw new RangeError(`tSeconds must be a non-negative whole number of seconds, got ${tSeconds}`);
  }
  const timestampText = String(tSeconds);
  return `t=${timestampText},v1=${hmacOf(secret, timestampText, rawBody).toString('hex')}`;
}
