// The set-up half of the admin API (admin-api.md "Mapping"): reads are queries of the set-up
// workflow, changes are updates that start it if needed and answer with the new set-up. A read
// also checks the mapped groups against SALTO KS, so a group deleted there since shows up.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import {
  emptySetup,
  setupToApiView,
  sitesToCheck,
  withMissingGroups,
  type SetupView,
} from '../core/setup-rules';
import type { Setup } from '../core/types';
import { SETUP_WORKFLOW_ID, SETUP_WORKFLOW_TYPE } from '../shared/ids';
import {
  getSetupQuery,
  setCenterSiteUpdate,
  setPolicyUpdate,
  setProductGroupsUpdate,
  setUnitGroupsUpdate,
  type MappingChange,
} from '../workflows/messages';
import type { setupWorkflow, SetupWorkflowInput } from '../workflows/setup';
import { isNotFound, setupRejection, setupSaltoFailure } from './temporal-errors';
import { idParamOr400, parseOr400 } from './validation';
import { withTimeout } from '../shared/with-timeout';

export interface SetupRoutesOptions {
  client: Client;
  taskQueue: string;
  setupDefaults: Pick<SetupWorkflowInput, 'reservationLeadMinutes' | 'reservationLagMinutes'>;
  /** When given, GET /api/setup names mapped groups SALTO KS no longer has. */
  saltoCheck?: SetupSaltoCheck;
}

/** What GET /api/setup asks SALTO KS. */
export interface SetupSaltoCheck {
  /** false: no sign-in stored, or SALTO KS refused it; then nothing is asked. */
  connected(): Promise<boolean>;
  accessGroupIds(siteId: string): Promise<string[]>;
  /** How long the page waits for SALTO KS before it shows the set-up unchecked; default 5000. */
  timeoutMs?: number;
}

/** The check on the SALTO KS connection the SALTO KS routes use (its auth and client). */
export function saltoSetupCheck(salto: {
  auth: { status(): Promise<{ connected: boolean; needsReconnect: boolean }> };
  client: { listAccessGroups(siteId: string): Promise<{ id: string }[]> };
}): SetupSaltoCheck {
  return {
    async connected() {
      const status = await salto.auth.status();
      return status.connected && !status.needsReconnect;
    },
    async accessGroupIds(siteId) {
      return (await salto.client.listAccessGroups(siteId)).map((g) => g.id);
    },
  };
}

/**
 * The view with the groups each center's site no longer lists. SALTO KS being down or not
 * connected never fails the read: the view then says so in `saltoCheck`, unchecked.
 */
export async function checkAgainstSalto(view: SetupView, check: SetupSaltoCheck): Promise<SetupView> {
  const siteIds = sitesToCheck(view);
  if (siteIds.length === 0) return view;
  const timeoutMs = check.timeoutMs ?? 5000;
  const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  try {
    if (!(await withTimeout(check.connected(), timeoutMs, 'SALTO KS did not answer'))) {
      return { ...view, saltoCheck: { ok: false, error: 'SALTO KS is not connected' } };
    }
  } catch (err) {
    return { ...view, saltoCheck: { ok: false, error: errorText(err) } };
  }
  const answers = await Promise.allSettled(
    siteIds.map((id) => withTimeout(check.accessGroupIds(id), timeoutMs, 'SALTO KS did not answer')),
  );
  const siteGroups = new Map<string, string[]>();
  const errors: string[] = [];
  answers.forEach((answer, i) => {
    if (answer.status === 'fulfilled') siteGroups.set(siteIds[i]!, answer.value);
    else errors.push(errorText(answer.reason));
  });
  return {
    ...withMissingGroups(view, siteGroups),
    saltoCheck: errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') },
  };
}

const centerBody = z.object({
  saltoSiteId: z.string().min(1),
  name: z.string().min(1).optional(),
  timeZone: z.string().min(1).optional(),
});
const mappingBody = z.object({
  accessGroupIds: z.array(z.string().min(1)).max(200),
  name: z.string().min(1).optional(),
});
const policyBody = z
  .object({
    noAccessPolicy: z.enum(['keep', 'block', 'delete']),
    reservationLeadMinutes: z.number().int().min(0).max(1440),
    reservationLagMinutes: z.number().int().min(0).max(1440),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, {
    message: 'give at least one of noAccessPolicy, reservationLeadMinutes, reservationLagMinutes',
  });

export async function readSetup(
  options: Pick<SetupRoutesOptions, 'client' | 'setupDefaults'>,
): Promise<Setup> {
  try {
    return await options.client.workflow.getHandle(SETUP_WORKFLOW_ID).query(getSetupQuery);
  } catch (err) {
    if (isNotFound(err)) {
      return emptySetup(
        options.setupDefaults.reservationLeadMinutes,
        options.setupDefaults.reservationLagMinutes,
      );
    }
    throw err;
  }
}

export function setupRouter(options: SetupRoutesOptions): Router {
  const router = express.Router();
  const { client } = options;

  const startOperation = (): WithStartWorkflowOperation<typeof setupWorkflow> =>
    new WithStartWorkflowOperation<typeof setupWorkflow>(SETUP_WORKFLOW_TYPE, {
      workflowId: SETUP_WORKFLOW_ID,
      taskQueue: options.taskQueue,
      args: [options.setupDefaults],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  /** Runs a set-up update; a rejected change is a 400 naming the problem. */
  async function change(
    res: Response,
    run: (op: WithStartWorkflowOperation<typeof setupWorkflow>) => Promise<Setup>,
    answer: (s: Setup) => unknown,
  ): Promise<void> {
    try {
      const setup = await run(startOperation());
      res.json(answer(setup));
    } catch (err) {
      const salto = setupSaltoFailure(err);
      if (salto) {
        // SALTO KS did not answer the check the change needs: nothing changed, the operator may retry.
        if (salto.retryable) res.set('Retry-After', '5');
        res.status(salto.retryable ? 503 : 502).json({
          error: salto.retryable ? 'salto_unavailable' : 'salto_refused',
          message: `SALTO KS could not be read, so nothing was changed${salto.retryable ? ' (try again in a moment)' : ''}: ${salto.message}`,
        });
        return;
      }
      const problems = setupRejection(err);
      if (!problems) throw err;
      res.status(400).json({
        error: 'invalid_setup',
        message: problems.map((p) => p.message).join('; '),
        issues: problems.map((p) => ({ path: p.field, message: p.message })),
      });
    }
  }

  router.get('/api/setup', async (_req, res) => {
    const view = setupToApiView(await readSetup(options));
    res.json(options.saltoCheck ? await checkAgainstSalto(view, options.saltoCheck) : view);
  });

  router.put('/api/setup/centers/:centerId', async (req, res) => {
    const centerId = idParamOr400('centerId', req.params.centerId, res);
    if (centerId === undefined) return;
    const body = parseOr400(centerBody, req.body, res);
    if (!body) return;
    await change(
      res,
      (op) =>
        client.workflow.executeUpdateWithStart(setCenterSiteUpdate, {
          args: [{ centerId, ...body }],
          startWorkflowOperation: op,
        }),
      (setup) => setupToApiView(setup).centers.find((c) => c.id === centerId),
    );
  });

  const mappingRoute = (kind: 'products' | 'reservation-units'): void => {
    router.put(`/api/setup/centers/:centerId/${kind}/:itemId`, async (req, res) => {
      const centerId = idParamOr400('centerId', req.params.centerId, res);
      if (centerId === undefined) return;
      const itemId = idParamOr400(kind === 'products' ? 'productId' : 'unitId', req.params.itemId, res);
      if (itemId === undefined) return;
      const body = parseOr400(mappingBody, req.body, res);
      if (!body) return;
      const mapping: MappingChange = { centerId, itemId, ...body };
      const update = kind === 'products' ? setProductGroupsUpdate : setUnitGroupsUpdate;
      await change(
        res,
        (op) =>
          client.workflow.executeUpdateWithStart(update, { args: [mapping], startWorkflowOperation: op }),
        (setup) => {
          const center = setupToApiView(setup).centers.find((c) => c.id === centerId);
          const items = kind === 'products' ? center?.products : center?.reservationUnits;
          return items?.find((i) => i.id === itemId);
        },
      );
    });
  };
  mappingRoute('products');
  mappingRoute('reservation-units');

  router.patch('/api/setup/policy', async (req, res) => {
    const body = parseOr400(policyBody, req.body, res);
    if (!body) return;
    await change(
      res,
      (op) =>
        client.workflow.executeUpdateWithStart(setPolicyUpdate, { args: [body], startWorkflowOperation: op }),
      (setup) => {
        const { noAccessPolicy, reservationLeadMinutes, reservationLagMinutes } = setupToApiView(setup);
        return { noAccessPolicy, reservationLeadMinutes, reservationLagMinutes };
      },
    );
  });

  return router;
}
