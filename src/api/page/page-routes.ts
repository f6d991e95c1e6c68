// Serves the set-up page: one static HTML shell and its plain CSS and JavaScript. The shell holds
// no data — everything comes from /api/* once signed in — so it is public.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';

/**
 * The assets are served from the source folder: tsc does not copy them to dist/. From
 * dist/src/api/page (built, also in the Docker image, which copies src/api/page/assets) the
 * source folder is four levels up; next to this file when run from source.
 */
export function pageAssetsDir(): string {
  const candidates = [
    resolve(__dirname, '..', '..', '..', '..', 'src', 'api', 'page', 'assets'),
    join(__dirname, 'assets'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`set-up page assets not found in ${candidates.join(' or ')}`);
  return found;
}

// Only our own scripts, styles and API; no framing (clickjacking), no referrer to SALTO KS.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function securityHeaders(res: { setHeader(name: string, value: string): unknown }): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

export function pageRouter(assetsDir: string = pageAssetsDir()): Router {
  const router = express.Router();
  const indexHtml = join(assetsDir, 'index.html');

  router.get('/', (_req, res) => {
    securityHeaders(res);
    // The shell is tiny; no-cache makes a redeploy visible at the next load.
    res.set('Cache-Control', 'no-cache').sendFile(indexHtml);
  });
  router.use(
    '/assets',
    express.static(assetsDir, {
      index: false,
      redirect: false,
      // Revalidate each load (ETag): a redeploy is never hidden behind a stale script.
      cacheControl: true,
      maxAge: 0,
      setHeaders: securityHeaders,
    }),
  );
  router.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  return router;
}
