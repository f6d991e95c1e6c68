// Protection of /api/*: the admin token as a bearer token (scripts, operators' tools), or the set-up
// page's session cookie. Token comparison is constant-time over SHA-256 digests, so neither the
// token's length nor its prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { clientAddress, type AuthThrottle } from './auth-throttle';
import { CSRF_HEADER, isSafeMethod, readCookie, SESSION_COOKIE, type SessionSigner } from './session';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Answers 429 with Retry-After when this address must still wait; true when it did. */
export function tooSoon(throttle: AuthThrottle, address: string, res: Response): boolean {
  const waitMs = throttle.waitMs(address);
  if (waitMs === 0) return false;
  res
    .status(429)
    .set('Retry-After', String(Math.ceil(waitMs / 1000)))
    .json({
      error: 'too_many_attempts',
      message: 'Too many wrong admin tokens from this address: wait and try again.',
    });
  return true;
}

function unauthorized(res: Response): void {
  res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized' });
}

export function requireAdminToken(expected: string): RequestHandler {
  return requireAdmin({ adminToken: expected });
}

/**
 * A request with an Authorization header is judged by it alone: bearer callers are unaffected by
 * sessions and need no CSRF token (a browser never adds that header by itself). Otherwise a
 * valid session cookie admits it, and a change (anything but GET/HEAD/OPTIONS) must also carry
 * the session's CSRF token in X-CSRF-Token — on top of SameSite=Strict, which older or
 * misconfigured browsers may not honour.
 */
export function requireAdmin(options: {
  adminToken: string;
  sessions?: SessionSigner;
  /** false for endpoints that change nothing (the codec server): no CSRF token asked of a session. */
  csrf?: boolean;
  /** Slows down guessing of the bearer token per client address. */
  throttle?: AuthThrottle;
}): RequestHandler {
  return (req, res, next) => {
    const header = req.get('Authorization');
    if (header !== undefined) {
      const address = clientAddress(req);
      if (options.throttle && tooSoon(options.throttle, address, res)) return;
      const match = /^Bearer (.+)$/.exec(header);
      if (!match || !tokenMatches(match[1]!, options.adminToken)) {
        options.throttle?.failed(address, 'wrong bearer token');
        return unauthorized(res);
      }
      options.throttle?.succeeded(address);
      return next();
    }
    const session = options.sessions?.verify(readCookie(req, SESSION_COOKIE));
    if (!session) return unauthorized(res);
    const csrfNeeded = options.csrf !== false && !isSafeMethod(req.method);
    if (csrfNeeded && !options.sessions!.csrfMatches(session, req.get(CSRF_HEADER))) {
      res.status(403).json({
        error: 'csrf_token_invalid',
        message: `a change made with the session cookie needs the session's CSRF token in the ${CSRF_HEADER} header`,
      });
      return;
    }
    // Answers carry people's access and the set-up: keep them out of shared caches.
    res.set('Cache-Control', 'no-store');
    next();
  };
}
