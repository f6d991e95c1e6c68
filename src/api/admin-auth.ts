// Protection of /api/*: the admin token as a bearer token (scripts, operators' tools), or the set-up
// page's session cookie. Token comparison is constant-time over SHA-256 digests, so neither the
// token's length nor its prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { CSRF_HEADER, isSafeMethod, readCookie, SESSION_COOKIE, type SessionSigner } from './session';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
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
}): RequestHandler {
  return (req, res, next) => {
    const header = req.get('Authorization');
    if (header !== undefined) {
      const match = /^Bearer (.+)$/.exec(header);
      if (!match || !tokenMatches(match[1]!, options.adminToken)) return unauthorized(res);
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
