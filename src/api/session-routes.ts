// POST /session exchanges the admin token for the page's session cookie (HttpOnly, so scripts
// never see it; SameSite=Strict, so other sites cannot ride on it); GET /session tells a
// reloaded page whether it is signed in and hands it the CSRF token again; DELETE signs out.
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { tokenMatches, tooSoon } from './admin-auth';
import { clientAddress, type AuthThrottle } from './auth-throttle';
import { CSRF_HEADER, readCookie, SESSION_COOKIE, type Session, type SessionSigner } from './session';
import { parseOr400 } from './validation';

export interface SessionRoutesOptions {
  adminToken: string;
  sessions: SessionSigner;
  /** Secure cookies when the page is served over https. */
  secureCookies: boolean;
  /** Slows down guessing of the admin token per client address. */
  throttle?: AuthThrottle;
}

const signInBody = z.object({ token: z.string().min(1, 'type the admin token').max(1024) });

function sessionAnswer(session: Session): {
  signedIn: true;
  csrfToken: string;
  csrfHeader: string;
  expiresAt: string;
} {
  return {
    signedIn: true,
    csrfToken: session.csrfToken,
    csrfHeader: CSRF_HEADER,
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}

export function sessionRouter(options: SessionRoutesOptions): Router {
  const router = express.Router();
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: options.secureCookies,
  };
  const noStore = (res: Response): Response => res.set('Cache-Control', 'no-store');

  router.post('/session', express.json({ limit: '4kb' }), (req, res) => {
    noStore(res);
    const address = clientAddress(req);
    if (options.throttle && tooSoon(options.throttle, address, res)) return;
    const body = parseOr400(signInBody, req.body, res);
    if (!body) return;
    if (!tokenMatches(body.token, options.adminToken)) {
      options.throttle?.failed(address, 'wrong token at sign-in');
      res.status(401).json({ error: 'unauthorized', message: 'That is not the admin token (ADMIN_TOKEN).' });
      return;
    }
    options.throttle?.succeeded(address);
    const session = options.sessions.issue();
    res.cookie(SESSION_COOKIE, session.cookieValue, { ...cookieOptions, maxAge: options.sessions.maxAgeMs });
    res.json(sessionAnswer(session));
  });

  router.get('/session', (req, res) => {
    noStore(res);
    const session = options.sessions.verify(readCookie(req, SESSION_COOKIE));
    res.json(session ? sessionAnswer(session) : { signedIn: false });
  });

  // Signing out needs no CSRF token: the worst another site could do is sign the operator out,
  // and SameSite=Strict keeps the cookie off its requests anyway.
  router.delete('/session', async (req, res) => {
    noStore(res);
    const session = options.sessions.verify(readCookie(req, SESSION_COOKIE));
    if (session) await options.sessions.revoke(session);
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.status(204).end();
  });

  return router;
}
