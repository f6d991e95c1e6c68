// GET /v1.2/sites (a bare array), a site, its roles and its access groups.
import express, { type Request, type Response, type Router } from 'express';
import { groupJson, roleJson, sendList, siteJson, siteOf, TEMPLATES } from './api-support';
import type { SimulatorState } from './state';

export function siteRoutes(state: SimulatorState): Router {
  const router = express.Router();

  router.get('/v1.2/sites', (_req: Request, res: Response) => {
    res.json(state.data.sites.map(siteJson));
  });

  router.get('/v1.2/sites/:s', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    if (site !== null) res.json(siteJson(site));
  });

  router.get('/v1.2/sites/:s/roles', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    if (site !== null) sendList(req, res, site.roles.map(roleJson), TEMPLATES.role);
  });

  router.get('/v1.2/sites/:s/access_groups', (req: Request, res: Response) => {
    const site = siteOf(state, req, res);
    if (site !== null) sendList(req, res, site.access_groups.map(groupJson), TEMPLATES.group);
  });

  return router;
}
