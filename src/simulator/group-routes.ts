// Access-group membership, keyed by the platform user id: list, add, remove, and the bulk
// PATCH of v1.1. A site-user id (or any id not a platform user of the site) answers 404 2202.
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { malformed, notFound } from './answers';
import { groupOf, platformUserJson, sendList, siteOf, TEMPLATES } from './api-support';
import type { SimSite, SimSiteUser } from './model';
import type { SimulatorState } from './state';
import { isObject } from './user-routes';

const bulkBody = z.object({
  add_ids: z.array(z.string()).optional(),
  remove_ids: z.array(z.string()).optional(),
});

export function groupRoutes(state: SimulatorState, settling: (user: SimSiteUser) => boolean): Router {
  const router = express.Router();

  /** The site user whose platform id this is, unless it is unknown or still settling after its create. */
  function memberCandidate(site: SimSite, platformUserId: string): SimSiteUser | null {
    const user = state.index(site).userByPlatformId(platformUserId);
    return user === undefined || settling(user) ? null : user;
  }

  router.get('/v1.2/sites/:s/access_groups/:ag/users', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const group = site && groupOf(site, req, res);
    if (!site || !group) return;
    const memberIds = state.index(site).memberSet(group);
    const members = site.users.filter((u) => memberIds.has(u.userId)).map(platformUserJson);
    sendList(req, res, members, TEMPLATES.platformUser);
  });

  router.post('/v1.2/sites/:s/access_groups/:ag/users', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const group = site && groupOf(site, req, res);
    if (!site || !group) return;
    const userId: unknown = isObject(req.body) ? req.body.user_id : undefined;
    if (typeof userId !== 'string' || userId === '') return malformed(res, 'user_id is required.');
    if (memberCandidate(site, userId) === null) return notFound(res, 'User');
    if (state.index(site).addMembers(group, [userId])) state.changed();
    res.status(200).end();
  });

  router.delete('/v1.2/sites/:s/access_groups/:ag/users/:pid', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const group = site && groupOf(site, req, res);
    if (!site || !group) return;
    const userId = String(req.params.pid);
    if (!state.index(site).removeMembers(group, [userId])) return notFound(res, 'Member');
    state.changed();
    res.status(200).end();
  });

  router.patch('/v1.1/sites/:s/access_groups/:ag/users', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    const group = site && groupOf(site, req, res);
    if (!site || !group) return;
    const parsed = bulkBody.safeParse(req.body);
    if (!isObject(req.body) || !parsed.success)
      return malformed(res, 'add_ids and remove_ids must be arrays.');
    const addIds = parsed.data.add_ids ?? [];
    const removeIds = new Set(parsed.data.remove_ids ?? []);
    // All or nothing: every id to add must be a (settled) platform user of this site.
    if (addIds.some((id) => memberCandidate(site, id) === null)) return notFound(res, 'User');
    const index = state.index(site);
    const adding = new Set(addIds);
    const added = index.addMembers(group, addIds);
    // An id in both lists stays a member; removing a non-member is nothing to do.
    const removed = index.removeMembers(
      group,
      [...removeIds].filter((id) => !adding.has(id)),
    );
    if (added || removed) state.changed();
    res.status(204).end();
  });

  return router;
}
