// The simulator's own /__sim endpoints (contract §3): reset with a seed, state, faults, request log.
// They exist only here; the client never calls them.
import express, { type Request, type Response, type Router } from 'express';
import { faultSettingsSchema, type FaultSettings } from './faults';
import type { SimStateView } from './model';
import type { LoggedRequest } from './request-log';
import { SeedError } from './seed';

export interface SimulatorControls {
  reset(seed?: unknown): SimStateView;
  state(): SimStateView;
  setFaults(settings: FaultSettings): void;
  faults(): FaultSettings;
  revokeTokens(which: 'access' | 'all'): void;
  requests(): LoggedRequest[];
  /** Requests served since the last clear (the log itself keeps only the latest). */
  requestCount(): { served: number; kept: number };
  clearRequests(): void;
  /** As someone deleting an access group in the SALTO KS app (the Connect API has no such call). */
  deleteAccessGroup(siteId: string, groupId: string): boolean;
}

export function adminRoutes(controls: SimulatorControls): Router {
  const router = express.Router();
  router.use('/__sim', express.json({ limit: '20mb' }));

  router.post('/__sim/reset', (req: Request, res: Response) => {
    // No body at all: back to the seed the simulator started with.
    const body: unknown = req.body;
    try {
      res.json(controls.reset(body === undefined ? undefined : body));
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      res.status(400).json({ error: error.message });
    }
  });

  router.get('/__sim/state', (_req: Request, res: Response) => {
    res.json(controls.state());
  });

  router.get('/__sim/faults', (_req: Request, res: Response) => {
    res.json(controls.faults());
  });

  router.post('/__sim/faults', (req: Request, res: Response) => {
    const parsed = faultSettingsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res
        .status(400)
        .json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    if (parsed.data.revokeTokens !== undefined) controls.revokeTokens(parsed.data.revokeTokens);
    controls.setFaults(parsed.data);
    res.json(controls.faults());
  });

  router.delete('/__sim/sites/:siteId/access_groups/:groupId', (req: Request, res: Response) => {
    const { siteId, groupId } = req.params as { siteId: string; groupId: string };
    if (controls.deleteAccessGroup(siteId, groupId)) res.status(204).end();
    else res.status(404).json({ error: `no access group ${groupId} on site ${siteId}` });
  });

  router.get('/__sim/requests', (_req: Request, res: Response) => {
    res.json(controls.requests());
  });

  router.get('/__sim/requests/count', (_req: Request, res: Response) => {
    res.json(controls.requestCount());
  });

  router.delete('/__sim/requests', (_req: Request, res: Response) => {
    controls.clearRequests();
    res.status(204).end();
  });

  return router;
}
