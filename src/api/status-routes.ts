// The status half of the admin API: people's access, resync, reservations (queries and signals
// of their workflows).
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { personWorkflowId, reservationWorkflowId } from '../shared/ids';
import { z } from 'zod';
import { previewAccessAt } from '../core/access-preview';
import type { PersonFacts } from '../core/person-state';
import {
  personAccessQuery,
  personEventSignal,
  personFactsQuery,
  personHistoryQuery,
  reservationStateQuery,
} from '../workflows/messages';
import { readSetup, type SetupRoutesOptions } from './setup-routes';
import { personViewNow, reservationViewNow } from './reservation-states-now';
import { isNotFound } from './temporal-errors';
import { idParamOr400, undecodableIdParamAs400 } from './validation';

/** `?at=` of GET /api/people/:personId/access: an instant with its offset, as Deskworks sends them. */
const atQuery = z.string().datetime({ offset: true });

export function statusRouter(options: Pick<SetupRoutesOptions, 'client' | 'setupDefaults'>): Router {
  const { client } = options;
  const router = express.Router();

  /** The person's facts and, for a co-member, its master's (null when the master is not known). */
  async function factsWithMaster(personId: string): Promise<[PersonFacts, PersonFacts | null]> {
    const facts = await client.workflow.getHandle(personWorkflowId(personId)).query(personFactsQuery);
    if (facts.masterId === null) return [facts, null];
    try {
      return [
        facts,
        await client.workflow.getHandle(personWorkflowId(facts.masterId)).query(personFactsQuery),
      ];
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return [facts, null];
    }
  }

  router.get('/api/people/:personId/access', async (req, res) => {
    const personId = idParamOr400('personId', req.params.personId, res);
    if (personId === undefined) return;
    const at = req.query.at;
    if (at !== undefined && !atQuery.safeParse(at).success) {
      res.status(400).json({
        error: 'invalid_request',
        issues: [
          {
            path: 'at',
            message: 'at must be one instant with its offset, such as 2026-06-01T09:00:00+02:00',
          },
        ],
      });
      return;
    }
    try {
      if (typeof at === 'string') {
        // What the rules give at that instant from what is known now (issue 13 §2).
        const [[facts, masterFacts], setup] = await Promise.all([
          factsWithMaster(personId),
          readSetup(options),
        ]);
        const preview = previewAccessAt(facts, masterFacts, setup, Date.parse(at));
        res.json({
          personId,
          at: new Date(Date.parse(at)).toISOString(),
          masterId: facts.masterId,
          desired: preview.access.groups,
          reasons: preview.access.reasons,
          warnings: preview.access.warnings,
          changesNextAt: preview.changesNextAt,
        });
        return;
      }
      const view = await client.workflow.getHandle(personWorkflowId(personId)).query(personAccessQuery);
      res.json(personViewNow(view, Date.now()));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no person ${personId} is known` });
    }
  });

  // What reached SALTO KS for the person, and each failure and recovery: newest first (issue 13 §2).
  router.get('/api/people/:personId/history', async (req, res) => {
    const personId = idParamOr400('personId', req.params.personId, res);
    if (personId === undefined) return;
    try {
      const entries = await client.workflow.getHandle(personWorkflowId(personId)).query(personHistoryQuery);
      res.json({ personId, entries: [...entries].reverse() });
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
      res.json(reservationViewNow(view, Date.now()));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      res.status(404).json({ error: 'not_found', message: `no reservation ${reservationId} is known` });
    }
  });

  router.use(
    undecodableIdParamAs400([
      { path: /^\/api\/people\/[^/]+\/(access|resync|history)\/?$/, param: 'personId' },
      { path: /^\/api\/reservations\/[^/]+\/?$/, param: 'reservationId' },
    ]),
  );

  return router;
}
