// Site users: list (with $filter by e-mail), get, create (duplicate e-mail 400 1101; beyond
// the paid seats "suspended"), patch (403 2203 while settling after a create), delete.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { malformed, notAllowed, validationFailed } from './answers';
import { requestUrl, sendList, siteOf, siteUserJson, siteUserOf, TEMPLATES } from './api-support';
import type { SimSiteUser } from './model';
import { parseFilter, type FilterClause } from './odata';
import type { SiteIndex } from './site-index';
import type { SimulatorState } from './state';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const createBody = z.object({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  role_ids: z.array(z.string()).min(1),
  alias: z.string().nullish(),
  blocked: z.boolean().optional(),
});

const patchBody = z.object({
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  alias: z.string().nullable().optional(),
  blocked: z.boolean().optional(),
});

export interface UserRouteOptions {
  now: () => number;
  /** True while a new user is still "settling" (the eventual-consistency fault). */
  settling: (user: SimSiteUser) => boolean;
}

export function userRoutes(state: SimulatorState, options: UserRouteOptions): Router {
  const router = express.Router();

  router.get('/v1.2/sites/:s/users', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    if (site === null) return;
    const users = usersNamedByFilter(state.index(site), req) ?? site.users;
    sendList(
      req,
      res,
      users.map((u) => siteUserJson(site, u)),
      TEMPLATES.siteUser,
    );
  });

  router.get('/v1.2/sites/:s/users/:u', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const user = site && siteUserOf(state, site, req, res);
    if (site && user) res.json(siteUserJson(site, user));
  });

  router.post('/v1.2/sites/:s/users', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    if (site === null) return;
    if (!isObject(req.body)) return malformed(res, 'A JSON object is required.');
    const parsed = createBody.safeParse(req.body);
    if (!parsed.success) return validationFailed(res, `Invalid field ${fieldOf(parsed.error)}.`);
    const body = parsed.data;
    const email = body.email.trim();
    if (!EMAIL.test(email)) return validationFailed(res, 'The email address is not valid.');
    const index = state.index(site);
    if (index.userByEmail(email) !== undefined) {
      return validationFailed(res, 'This email address is already in use.');
    }
    if (body.role_ids.some((id) => !site.roles.some((r) => r.id === id))) {
      return validationFailed(res, 'Unknown role.');
    }
    const subscribed = index.subscribedCount;
    const user: SimSiteUser = {
      id: randomUUID(),
      userId: state.platformUserIdFor(email) ?? randomUUID(),
      first_name: body.first_name,
      last_name: body.last_name,
      email,
      alias: body.alias ?? null,
      blocked: body.blocked ?? false,
      subscription_state: site.seats !== null && subscribed >= site.seats ? 'suspended' : 'subscribed',
      roleIds: [...new Set(body.role_ids)],
      createdAt: options.now(),
    };
    index.addUser(user);
    state.changed();
    res.status(201).json(siteUserJson(site, user));
  });

  router.patch('/v1.2/sites/:s/users/:u', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const user = site && siteUserOf(state, site, req, res);
    if (!site || !user) return;
    if (!isObject(req.body)) return malformed(res, 'A JSON object is required.');
    const parsed = patchBody.safeParse(req.body);
    if (!parsed.success) return validationFailed(res, `Invalid field ${fieldOf(parsed.error)}.`);
    if (options.settling(user)) return notAllowed(res);
    const patch = parsed.data;
    if (patch.first_name !== undefined) user.first_name = patch.first_name;
    if (patch.last_name !== undefined) user.last_name = patch.last_name;
    if (patch.alias !== undefined) user.alias = patch.alias;
    if (patch.blocked !== undefined) user.blocked = patch.blocked;
    state.changed();
    res.json(siteUserJson(site, user));
  });

  router.delete('/v1.2/sites/:s/users/:u', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const user = site && siteUserOf(state, site, req, res);
    if (!site || !user) return;
    state.index(site).removeUser(user);
    state.changed();
    res.status(202).end();
  });

  return router;
}

/**
 * A filter on user/email names at most one user of the site: the index finds it, instead of every
 * user being turned into its answer shape to be matched (the engine looks a person up by e-mail
 * before each create). Null when the filter does not name an e-mail; a bad filter is left to
 * sendList, which answers it with 1102.
 */
function usersNamedByFilter(index: SiteIndex, req: Request): SimSiteUser[] | null {
  const raw = requestUrl(req).searchParams.get('$filter');
  if (raw === null) return null;
  let clauses: FilterClause[];
  try {
    clauses = parseFilter(raw);
  } catch {
    return null;
  }
  const email = clauses.find((c) => c.path.join('/') === 'user/email')?.value;
  if (typeof email !== 'string') return null;
  const user = index.userByEmail(email);
  return user === undefined ? [] : [user];
}

export function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function fieldOf(error: z.ZodError): string {
  return error.issues[0]?.path.join('.') || 'body';
}
