// What every Connect API route shares: bearer tokens, resolving `{s}`, lists, and the JSON
// shapes of the contract's objects (§2 Objects).
import type { NextFunction, Request, Response } from 'express';
import { malformed, notFound, saltoError } from './answers';
import type { SimAccessGroup, SimRole, SimSite, SimSiteUser } from './model';
import { checkFilterFields, ODataError, page, parseListParams } from './odata';
import type { SimulatorState } from './state';

/** 401 1500 unless the bearer token was issued here and has not expired or been revoked. */
export function requireBearer(state: SimulatorState, now: () => number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    const info = token === undefined ? undefined : state.data.accessTokens[token];
    if (info === undefined || info.expiresAt <= now()) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      saltoError(res, 401, '1500', 'The access token is missing, expired or revoked.');
      return;
    }
    next();
  };
}

/** The site named by the `s` path parameter, or an answer already sent (400 1100 / 404 2202). */
export function siteOf(state: SimulatorState, req: Request, res: Response): SimSite | null {
  const found = state.findSite(String(req.params.s));
  if ('site' in found) return found.site;
  if (found.problem === 'site_uid') malformed(res, 'The site must be given by its id, not its site_uid.');
  else notFound(res, 'Site');
  return null;
}

export function groupOf(site: SimSite, req: Request, res: Response): SimAccessGroup | null {
  const group = site.access_groups.find((g) => g.id === String(req.params.ag));
  if (group === undefined) notFound(res, 'Access group');
  return group ?? null;
}

export function siteUserOf(
  state: SimulatorState,
  site: SimSite,
  req: Request,
  res: Response,
): SimSiteUser | null {
  const user = state.index(site).userById(String(req.params.u));
  if (user === undefined) notFound(res, 'User');
  return user ?? null;
}

/**
 * Answers one page of `items` as {items, next_page_link, count}. `template` is an object of
 * the item's shape, so a $filter on an unknown field is a 1102 even on an empty list.
 */
export function sendList<T>(req: Request, res: Response, items: T[], template: T): void {
  const self = requestUrl(req);
  try {
    const params = parseListParams(self.searchParams);
    checkFilterFields(template, params.filter);
    res.json(page(items, params, self));
  } catch (error) {
    if (!(error instanceof ODataError)) throw error;
    saltoError(res, 400, error.errorCode, error.message);
  }
}

/** Absolute URL of this request as the client addressed it (next_page_link is absolute). */
export function requestUrl(req: Request): URL {
  return new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
}

export const siteJson = (s: SimSite) => ({
  id: s.id,
  site_uid: s.site_uid,
  customer_reference: s.customer_reference,
  time_zone: s.time_zone,
});

export const roleJson = (r: SimRole) => ({
  id: r.id,
  code: r.code,
  customer_reference: r.customer_reference,
});

export const groupJson = (g: SimAccessGroup) => ({ id: g.id, customer_reference: g.customer_reference });

export const platformUserJson = (u: SimSiteUser) => ({
  id: u.userId,
  first_name: u.first_name,
  last_name: u.last_name,
  email: u.email,
});

export function siteUserJson(site: SimSite, u: SimSiteUser) {
  return {
    id: u.id,
    user: platformUserJson(u),
    alias: u.alias,
    blocked: u.blocked,
    subscription_state: u.subscription_state,
    roles: site.roles.filter((r) => u.roleIds.includes(r.id)).map(roleJson),
  };
}

/** Example objects of each list's item shape, for checking $filter fields. */
export const TEMPLATES = {
  role: { id: '', code: '', customer_reference: '' },
  group: { id: '', customer_reference: '' },
  platformUser: { id: '', first_name: '', last_name: '', email: '' },
  siteUser: {
    id: '',
    user: { id: '', first_name: '', last_name: '', email: '' },
    alias: '',
    blocked: false,
    subscription_state: 'subscribed' as 'subscribed' | 'suspended',
    roles: [] as ReturnType<typeof roleJson>[],
  },
};
