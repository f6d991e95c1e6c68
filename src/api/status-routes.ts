// The status half of the admin API: people's access, resync, reservations (queries and signals
// of their workflows).
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { personWorkflowId, reservationWorkflowId } from '../shared/ids';
import { personAccessQuery, personEventSignal, reservationStateQuery } from '../workflows/messages';
import { isNotFound } from './temporal-errors';
import { idParamOr400, undecodableIdParamAs400 } from './validation';

export function statusRouter({ client }: { client: Client }): Router {
  const router = express.Router();

  router.get('/api/people/:personId/access', async (req, res) => {
    const personId = idParamOr400('personId', req.params.personId, res);
    if (personId === undefined) return;
    try {
      const view = await client.workflow.getHandle(personWorkflowId(personId)).query(personAccessQuery);
      res.json(view);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no person ${personId} is known` });
    }
  });

  router.post('/api/people/:personId/resync', async (req, res) => {
    const personId = idParamOr400('personId', req.params.personId, res);
    if (personId === undefined) return;
    try {
      await client.workflow
        .getHandle(personWorkflowId(personId))
        .signal(personEventSignal, { type: 'resync', eventId: `resync:${randomUUID()}` });
      res.status(202).json({ accepted: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no person ${personId} is known` });
    }
  });

  router.get('/api/reservations/:reservationId', async (req, res) => {
    const reservationId = idParamOr400('reservationId', req.params.reservationId, res);
    if (reservationId === undefined) return;
    try {
      const view = await client.workflow
        .getHandle(reservationWorkflowId(reservationId))
        .query(reservationStateQuery);
      res.json(view);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no reservation ${reservationId} is known` });
    }
  });

  router.use(
    undecodableIdParamAs400([
      { path: /^\/api\/people\/[^/]+\/(access|resync)\/?$/, param: 'personId' },
      { path: /^\/api\/reservations\/[^/]+\/?$/, param: 'reservationId' },
    ]),
  );

  return router;
}
