// The SALTO KS simulator as an express app: identity server and Connect API on one origin,
// plus /__sim controls. Enforces what SALTO KS enforces (contract §2) and can misbehave on request (§3).
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adminRoutes, type SimulatorControls } from './admin-routes';
import { malformed, notFound, saltoError } from './answers';
import { requireBearer } from './api-support';
import { Faults } from './faults';
import { groupRoutes } from './group-routes';
import { identityRoutes } from './identity-routes';
import { stateView, type SimSiteUser } from './model';
import { readStateFile } from './persistence';
import { RequestLog } from './request-log';
import { dataFromSeed, type SimSeed } from './seed';
import { siteRoutes } from './site-routes';
import { SimulatorState } from './state';
import { userRoutes } from './user-routes';

export interface SimulatorLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SimulatorOptions {
  /** Keep the state in this file (written after every change); unset: in memory. */
  stateFile?: string;
  /** The state when there is no state file yet, and after POST /__sim/reset without a body. Default: empty. */
  seed?: SimSeed;
  logger?: SimulatorLogger;
  now?: () => number;
}

export interface Simulator extends SimulatorControls {
  app: Express;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? { info: () => undefined, warn: () => undefined };
  const stateFile = options.stateFile ?? null;
  const fromFile = stateFile === null ? null : readStateFile(stateFile);
  const state = new SimulatorState(fromFile ?? dataFromSeed(options.seed ?? {}), stateFile);
  if (fromFile === null) state.changed();
  else logger.info(`SALTO KS simulator: state loaded from ${stateFile}`);

  const faults = new Faults();
  const log = new RequestLog();
  const settling = (user: SimSiteUser) => now() - user.createdAt < faults.eventualConsistencyMs;

  const controls: SimulatorControls = {
    reset: (seed) => {
      state.replace(dataFromSeed(seed ?? options.seed ?? {}));
      faults.set({});
      log.clear();
      return stateView(state.data);
    },
    state: () => stateView(state.data),
    setFaults: (settings) => faults.set(settings),
    faults: () => faults.view(),
    revokeTokens: (which) => {
      state.data.accessTokens = {};
      if (which === 'all') {
        state.data.refreshTokens = {};
        state.data.authorizationCodes = {};
      }
      state.changed();
    },
    requests: () => log.list(),
    requestCount: () => log.count(),
    clearRequests: () => log.clear(),
    deleteAccessGroup: (siteId, groupId) => {
      const site = state.data.sites.find((s) => s.id === siteId);
      const before = site?.access_groups.length ?? 0;
      if (!site) return false;
      site.access_groups = site.access_groups.filter((g) => g.id !== groupId);
      if (site.access_groups.length === before) return false;
      state.changed();
      return true;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Log every request but the simulator's own controls, with the status it got.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/__sim')) {
      const [path = '', query = ''] = req.originalUrl.split('?', 2);
      res.on('finish', () => log.add({ method: req.method, path, query, status: res.statusCode, at: now() }));
    }
    next();
  });
  app.use(adminRoutes(controls));

  // Faults: latency first, then injected errors (before authentication, like a gateway would).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const delay = faults.delayMs();
    const hang = faults.hangFor(req.path);
    if (hang !== null) {
      // The request is carried out; only its answer is lost, after the client gave up on it.
      res.end = function heldBack(this: Response) {
        setTimeout(() => req.socket.destroy(), hang);
        return this;
      } as Response['end'];
    }
    const proceed = () => {
      const injected = faults.errorFor(req.method, req.path);
      if (injected === null) return next();
      if (injected.retryAfterSeconds !== null) res.set('Retry-After', String(injected.retryAfterSeconds));
      if (injected.status === 429) res.status(429).json({ Message: 'Too many requests.' });
      else saltoError(res, injected.status, '2201', 'Server fault (simulated).');
    };
    if (delay > 0) setTimeout(proceed, delay);
    else proceed();
  });

  app.use(identityRoutes(state, now));

  app.use(['/v1.1', '/v1.2'], requireBearer(state, now));
  app.use(['/v1.1', '/v1.2'], express.json({ limit: '1mb' }));
  app.use(siteRoutes(state));
  app.use(userRoutes(state, { now, settling }));
  app.use(groupRoutes(state, settling));

  app.use((_req: Request, res: Response) => notFound(res));
  // Bodies that are not JSON, and anything unforeseen, answer like SALTO would rather than with HTML.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return malformed(res);
    logger.warn(`SALTO KS simulator: ${error instanceof Error ? error.message : String(error)}`);
    saltoError(res, 500, '2201', 'Internal error.');
  });

  return { app, ...controls };
}
