// Seeds (POST /__sim/reset, contract §3): every field optional, ids made up where missing.
import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimData, SimSite } from './model';

const seedUser = z.object({
  id: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().min(1),
  alias: z.string().nullable().optional(),
  blocked: z.boolean().optional(),
  subscription_state: z.enum(['subscribed', 'suspended']).optional(),
  groups: z.array(z.string()).optional(),
});

const seedSite = z.object({
  id: z.string().min(1).optional(),
  site_uid: z.string().min(1).optional(),
  name: z.string().optional(),
  time_zone: z.string().optional(),
  /** Simulator extension: paid seats; users created beyond them are "suspended". */
  seats: z.number().int().min(0).nullable().optional(),
  access_groups: z
    .array(z.object({ id: z.string().min(1).optional(), name: z.string().optional() }))
    .optional(),
  users: z.array(seedUser).optional(),
});

export const seedSchema = z.object({
  clients: z.record(z.string()).optional(),
  systemUsers: z.record(z.string()).optional(),
  tokenTtlSeconds: z.number().int().positive().optional(),
  sites: z.array(seedSite).optional(),
});

export type SimSeed = z.input<typeof seedSchema>;

export class SeedError extends Error {}

export function dataFromSeed(input: unknown): SimData {
  const parsed = seedSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeedError(
      `invalid seed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const seed = parsed.data;
  const platformIds = new Map<string, string>(); // one platform user per e-mail across sites
  const sites = (seed.sites ?? []).map((s, index): SimSite => {
    const groups = (s.access_groups ?? []).map((g, i) => ({
      id: g.id ?? randomUUID(),
      customer_reference: g.name ?? `Access group ${i + 1}`,
      members: [] as string[],
    }));
    const userRole = { id: randomUUID(), code: 'site_user', customer_reference: 'User' };
    const roles = [userRole, { id: randomUUID(), code: 'site_manager', customer_reference: 'Manager' }];
    const seen = new Set<string>();
    const users = (s.users ?? []).map((u) => {
      const key = u.email.toLowerCase();
      if (seen.has(key)) throw new SeedError(`site ${index}: e-mail ${u.email} appears twice`);
      seen.add(key);
      const userId = u.userId ?? platformIds.get(key) ?? randomUUID();
      platformIds.set(key, userId);
      for (const groupId of u.groups ?? []) {
        const group = groups.find((g) => g.id === groupId);
        if (group === undefined)
          throw new SeedError(`site ${index}: user ${u.email} names unknown group ${groupId}`);
        if (!group.members.includes(userId)) group.members.push(userId);
      }
      return {
        id: u.id ?? randomUUID(),
        userId,
        first_name: u.first_name ?? '',
        last_name: u.last_name ?? '',
        email: u.email,
        alias: u.alias ?? null,
        blocked: u.blocked ?? false,
        subscription_state: u.subscription_state ?? ('subscribed' as const),
        roleIds: [userRole.id],
        createdAt: 0, // seeded users are long settled
      };
    });
    return {
      id: s.id ?? randomUUID(),
      site_uid: s.site_uid ?? `DE${String(randomInt(1e9, 1e10))}`,
      customer_reference: s.name ?? `Site ${index + 1}`,
      time_zone: s.time_zone ?? 'Europe/Berlin',
      seats: s.seats ?? null,
      roles,
      access_groups: groups,
      users,
    };
  });
  return {
    clients: seed.clients ?? {},
    systemUsers: seed.systemUsers ?? {},
    tokenTtlSeconds: seed.tokenTtlSeconds ?? 3600,
    sites,
    accessTokens: {},
    refreshTokens: {},
    authorizationCodes: {},
  };
}
