// The set-up half of the admin API (admin-api.md "Mapping"): reads are queries of the set-up
// workflow, changes are updates that start it if needed and answer with the new set-up.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { emptySetup, setupToApiView } from '../core/setup-rules';
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
import { isNotFound, setupRejection } from './temporal-errors';
import { parseOr400 } from './validation';

export interface SetupRoutesOptions {
  client: Client;
  taskQueue: string;
  setupDefaults: Pick<SetupWorkflowInput, 'reservationLeadMinutes' | 'reservationLagMinutes'>;
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

export async function readSetup(options: SetupRoutesOptions): Promise<Setup> {
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
    res.json(setupToApiView(await readSetup(options)));
  });

  router.put('/api/setup/centers/:centerId', async (req, res) => {
    const body = parseOr400(centerBody, req.body, res);
    if (!body) return;
    const centerId = req.params.centerId;
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
      const body = parseOr400(mappingBody, req.body, res);
      if (!body) return;
      const { centerId, itemId } = req.params;
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
