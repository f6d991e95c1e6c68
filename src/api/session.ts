// The set-up page's sign-in: the admin token, typed once, is exchanged for a session cookie, so
// it never sits in the browser's storage, in URLs or in logs. Sessions are stateless — an HMAC
// of the session id and its expiry, keyed from the admin token — so any number of API
// processes accept them, and changing ADMIN_TOKEN signs everyone out. A sign-out is kept in a
// list every API process reads (see signed-out-sessions.ts) until the cookie would expire.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { InMemorySignedOutSessions, type SignedOutSessions } from './signed-out-sessions';

export const SESSION_COOKIE = 'access_sync_session';
export const CSRF_HEADER = 'X-CSRF-Token';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60_000;

export interface Session {
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Sent back by the page in X-CSRF-Token on every change; derived from the id, so never stored. */
  csrfToken: string;
}

export interface IssuedSession extends Session {
  cookieValue: string;
}

export interface SessionSignerOptions {
  ttlMs?: number;
  now?: () => number;
  /** Shared by every API process (a file in production); default: this process only. */
  signedOut?: SignedOutSessions;
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('base64url');
}

/** Constant-time equality of two strings of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'compare').update(given, 'utf8').digest();
  const b = createHmac('sha256', 'compare').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export class SessionSigner {
  private readonly key: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly signedOut: SignedOutSessions;

  constructor(adminToken: string, options: SessionSignerOptions = {}) {
    // A key of its own: the raw admin token also signs other cookies (the SALTO KS PKCE one).
    this.key = createHmac('sha256', adminToken).update('set-up page session v1').digest();
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
    this.signedOut = options.signedOut ?? new InMemorySignedOutSessions(this.now);
  }

  /** A key of its own for another purpose (e.g. sealing page tokens), derived from the same secret. */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`derived: ${purpose}`).digest();
  }

  get maxAgeMs(): number {
    return this.ttlMs;
  }

  issue(): IssuedSession {
    const id = randomBytes(18).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    const payload = `${id}.${expiresAt}`;
    return {
      id,
      expiresAt,
      csrfToken: this.csrfTokenOf(id),
      cookieValue: `${payload}.${mac(this.key, payload)}`,
    };
  }

  /** The session a cookie value proves, or null when it is missing, forged, expired or signed out. */
  verify(cookieValue: string | null | undefined): Session | null {
    const parts = (cookieValue ?? '').split('.');
    if (parts.length !== 3) return null;
    const [id = '', expires = '', signature = ''] = parts;
    if (!/^\d{1,15}$/.test(expires) || !sameSecret(signature, mac(this.key, `${id}.${expires}`))) return null;
    const expiresAt = Number(expires);
    if (expiresAt <= this.now() || this.signedOut.has(id)) return null;
    return { id, expiresAt, csrfToken: this.csrfTokenOf(id) };
  }

  csrfMatches(session: Session, given: string | undefined): boolean {
    return given !== undefined && given.length > 0 && sameSecret(given, session.csrfToken);
  }

  /** Signs the session out on every API process that shares the list, until it would expire. */
  revoke(session: Session): Promise<void> {
    return this.signedOut.add(session.id, session.expiresAt);
  }

  private csrfTokenOf(sessionId: string): string {
    return mac(this.key, `csrf.${sessionId}`);
  }
}

/** One cookie's value from the Cookie header (no cookie-parser dependency for one cookie). */
export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.get('Cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** GET, HEAD and OPTIONS change nothing, so they need no CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
