// The codec server: POST /codec/encode and /codec/decode in the shape the Temporal Web UI calls
// ({payloads: [{metadata: {k: base64}, data: base64}]}), so an operator signed in to the set-up
// page reads decrypted histories in the Web UI, and nobody else does. Admin session or token;
// CORS only for the configured Web UI origin.
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from './admin-auth';
import type { AuthThrottle } from './auth-throttle';
import type { SessionSigner } from './session';

export interface CodecRouteOptions {
  /** null: payloads are not encrypted (demo mode), and both operations hand them back unchanged. */
  codec: PayloadCodec | null;
  adminToken: string;
  sessions: SessionSigner;
  throttle?: AuthThrottle;
  /** The Web UI's origin (scheme://host:port); no other origin gets CORS headers. */
  webUiOrigin: string | null;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const bodySchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(10_000),
});

type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRouter(options: CodecRouteOptions): Router {
  const router = Router();
  const corsFor = (req: Request, res: Response): boolean => {
    const origin = req.get('Origin');
    if (origin === undefined) return true; // not a browser's cross-origin call (curl, tctl, tests)
    if (options.webUiOrigin === null || origin !== options.webUiOrigin) return false;
    res.set({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    return true;
  };

  router.options(['/codec/encode', '/codec/decode'], (req, res) => {
    if (!corsFor(req, res)) {
      res.status(403).json({ error: 'origin_not_allowed' });
      return;
    }
    res
      .set({
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      })
      .status(204)
      .end();
  });

  const guard = requireAdmin({
    adminToken: options.adminToken,
    sessions: options.sessions,
    csrf: false,
    ...(options.throttle ? { throttle: options.throttle } : {}),
  });
  for (const op of ['encode', 'decode'] as const) {
    router.post(
      `/codec/${op}`,
      (req, res, next) => {
        if (!corsFor(req, res)) {
          res.status(403).json({ error: 'origin_not_allowed' });
          return;
        }
        next();
      },
      guard,
      express.json({ limit: '8mb' }),
      async (req, res) => {
        const parsed = bodySchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({
            error: 'invalid_request',
            issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
          return;
        }
        const payloads = parsed.data.payloads.map(fromJson);
        if (options.codec === null) {
          res.json({ payloads: payloads.map(toJson) });
          return;
        }
        try {
          const result = await (op === 'encode'
            ? options.codec.encode(payloads)
            : options.codec.decode(payloads));
          res.json({ payloads: result.map(toJson) });
        } catch (err) {
          // A payload this key set cannot open (a removed key, a tampered payload): say which.
          res.status(400).json({
            error: 'invalid_request',
            issues: [{ path: 'payloads', message: (err as Error).message }],
          });
        }
      },
    );
  }
  return router;
}
