// The status half of the admin API: people's access, resync, reservations (queries and signals
// of their workflows).
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { personWorkflowId, reservationWorkflowId } from '../shared/ids';
import { personAccessQuery, personEventSignal, reservationStateQuery } from '../workflows/messages';
import { isNotFound } from './temporal-errors';

export function statusRouter({ client }: { client: Client }): Router {
  const router = express.Router();

  router.get('/api/people/:personId/access', async (req, res) => {
    try {
      const view = await client.workflow
        .getHandle(personWorkflowId(req.params.personId))
        .query(personAccessQuery);
      res.json(view);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no person ${req.params.personId} is known` });
    }
  });

  router.post('/api/people/:personId/resync', async (req, res) => {
    try {
      await client.workflow
        .getHandle(personWorkflowId(req.params.personId))
        .signal(personEventSignal, { type: 'resync', eventId: `resync:${randomUUID()}` });
      res.status(202).json({ accepted: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no person ${req.params.personId} is known` });
    }
  });

  router.get('/api/reservations/:reservationId', async (req, res) => {
    try {
      const view = await client.workflow
        .getHandle(reservationWorkflowId(req.params.reservationId))
        .query(reservationStateQuery);
      res.json(view);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res
        .status(404)
        .json({ error: 'not_found', message: `no reservation ${req.params.reservationId} is known` });
    }
  });

  return router;
}
