// POST /__sim/faults: make the simulator misbehave on purpose, for tests and demos.
import { z } from 'zod';

const errorRule = z
  .object({
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
    /** Answer the next `count` matching requests with this status… */
    count: z.number().int().min(1).optional(),
    /** …or this fraction of them, at random. */
    fraction: z.number().min(0).max(1).optional(),
    /** Retry-After (seconds) sent with a 429 or 503. */
    retryAfterSeconds: z.number().min(0).optional(),
    /** Only requests whose path starts with this (default: the Connect API, "/v1"). */
    pathPrefix: z.string().optional(),
    method: z.string().optional(),
  })
  .refine((r) => r.count !== undefined || r.fraction !== undefined, 'give count or fraction');

export const faultSettingsSchema = z.object({
  errors: z.array(errorRule).optional(),
  /** Added to every answer outside /__sim. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  /** With it, each answer waits a random time between latencyMs and this instead. */
  latencyMaxMs: z.number().int().min(0).max(60_000).optional(),
  /**
   * This fraction of Connect API requests hang: they are carried out, but their answer is held
   * for `ms` and then the connection is dropped, as when a gateway stalls past the client's timeout.
   */
  hangs: z
    .object({
      fraction: z.number().min(0).max(1),
      ms: z.number().int().min(1).max(600_000),
      /** Only requests whose path starts with this (default: the Connect API, "/v1"). */
      pathPrefix: z.string().optional(),
    })
    .optional(),
  /** After a user is created, for this long: group adds answer 404 2202, patches 403 2203. */
  eventualConsistencyMs: z.number().int().min(0).optional(),
  /** One-off action: revoke every access token ('access') or access and refresh tokens ('all'). */
  revokeTokens: z.enum(['access', 'all']).optional(),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;
type ErrorRule = z.infer<typeof errorRule>;

export interface InjectedError {
  status: number;
  retryAfterSeconds: number | null;
}

export class Faults {
  private rules: ErrorRule[] = [];
  private latencyMaxMs: number | null = null;
  private hangs: { fraction: number; ms: number; pathPrefix?: string | undefined } | null = null;
  latencyMs = 0;
  eventualConsistencyMs = 0;

  /** Replaces the settings (an empty object clears every fault). */
  set(settings: FaultSettings): void {
    this.rules = (settings.errors ?? []).map((r) => ({ ...r }));
    this.latencyMs = settings.latencyMs ?? 0;
    this.latencyMaxMs = settings.latencyMaxMs ?? null;
    this.hangs = settings.hangs ? { ...settings.hangs } : null;
    this.eventualConsistencyMs = settings.eventualConsistencyMs ?? 0;
  }

  view(): FaultSettings {
    return {
      errors: this.rules.map((r) => ({ ...r })),
      latencyMs: this.latencyMs,
      ...(this.latencyMaxMs === null ? {} : { latencyMaxMs: this.latencyMaxMs }),
      ...(this.hangs === null ? {} : { hangs: { ...this.hangs } }),
      eventualConsistencyMs: this.eventualConsistencyMs,
    };
  }

  /** How long this answer waits before it is worked on. */
  delayMs(): number {
    const max = this.latencyMaxMs;
    if (max === null || max <= this.latencyMs) return this.latencyMs;
    return this.latencyMs + Math.floor(Math.random() * (max - this.latencyMs + 1));
  }

  /** How long to hold this request's answer before dropping the connection; null: answer it. */
  hangFor(path: string): number | null {
    if (this.hangs === null || !path.startsWith(this.hangs.pathPrefix ?? '/v1')) return null;
    return Math.random() < this.hangs.fraction ? this.hangs.ms : null;
  }

  /** The error to answer this request with, if a rule fires; counted rules are used up. */
  errorFor(method: string, path: string): InjectedError | null {
    for (const rule of this.rules) {
      if (!path.startsWith(rule.pathPrefix ?? '/v1')) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      let fire = false;
      if (rule.count !== undefined && rule.count > 0) {
        rule.count -= 1;
        fire = true;
      } else if (rule.count === undefined && rule.fraction !== undefined) {
        fire = Math.random() < rule.fraction;
      }
      if (fire) {
        this.rules = this.rules.filter((r) => r.count === undefined || r.count > 0);
        return { status: rule.status, retryAfterSeconds: rule.retryAfterSeconds ?? null };
      }
    }
    return null;
  }
}
