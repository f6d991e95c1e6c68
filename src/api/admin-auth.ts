// Bearer-token protection of /api/*: constant-time comparison of SHA-256 digests, so neither
// the token's length nor its prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireAdminToken(expected: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('Authorization') ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !tokenMatches(match[1]!, expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized' });
      return;
    }
    next();
  };
}
