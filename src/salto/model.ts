// The Connect API's objects (contract §2 "Objects"), read tolerantly: fields SALTO may leave
// out or null get defaults, unknown fields are ignored.
import { z } from 'zod';

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const siteSchema = z.object({
  id: z.string().min(1),
  site_uid: text,
  customer_reference: text,
  time_zone: text,
});
export type Site = z.infer<typeof siteSchema>;

export const accessGroupSchema = z.object({ id: z.string().min(1), customer_reference: text });
export type AccessGroup = z.infer<typeof accessGroupSchema>;

export const roleSchema = z.object({ id: z.string().min(1), code: text, customer_reference: text });
export type Role = z.infer<typeof roleSchema>;

export const platformUserSchema = z.object({
  id: z.string().min(1),
  first_name: text,
  last_name: text,
  email: text,
});
export type PlatformUser = z.infer<typeof platformUserSchema>;

export const siteUserSchema = z.object({
  id: z.string().min(1),
  user: platformUserSchema,
  alias: text,
  blocked: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  subscription_state: z
    .string()
    .nullish()
    .transform((v): 'subscribed' | 'suspended' => (v === 'suspended' ? 'suspended' : 'subscribed')),
  roles: z
    .array(roleSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type SiteUser = z.infer<typeof siteUserSchema>;

/**
 * A member of an access group. The contract assumes platform users; should SALTO answer
 * site users instead, the platform id is the embedded user.id.
 */
export const groupMemberSchema = z
  .object({ id: z.string().min(1), user: z.object({ id: z.string().min(1) }).nullish() })
  .transform((m) => ({ platformUserId: m.user?.id ?? m.id }));
export type GroupMember = z.infer<typeof groupMemberSchema>;

export interface CreateSiteUserBody {
  first_name: string;
  last_name: string;
  email: string;
  role_ids: string[];
  alias?: string;
  blocked?: boolean;
}

export interface PatchSiteUserBody {
  first_name?: string;
  last_name?: string;
  alias?: string;
  blocked?: boolean;
}

/** The code of the role every ordinary user gets. */
export const SITE_USER_ROLE_CODE = 'site_user';
