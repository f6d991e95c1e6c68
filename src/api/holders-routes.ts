// GET /api/sites/:siteId/groups/:groupId/holders: who holds an access group in SALTO KS, and why.
// One visibility query on the SaltoHeldGroups search attribute finds them (however many people
// there are), a page at a time; each row then asks its person for the reasons. With
// `format=csv` every page is streamed as CSV, for an audit.
import type { Client } from '@temporalio/client';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { AccessReason } from '../core/types';
import { heldGroupKeyword } from '../shared/held-groups';
import { reasonText } from '../workflows/current-details';
import { PERSON_WORKFLOW_TYPE } from '../shared/ids';
import { HeldGroupsKey } from '../shared/search-attributes';
import { personRowsOf, withAccess } from './people-routes';
import { pageTokenOr400, sealPageToken, visibilityString } from './people-query';
import { idParamOr400, parseOr400, undecodableIdParamAs400 } from './validation';

const holdersQuerySchema = z
  .object({
    pageSize: z.coerce.number().int().min(1).max(100).default(50),
    pageToken: z.string().max(8192).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/** A reason, with the access window when it is a reservation. */
export type HolderReason = AccessReason & { windowStart?: string; windowEnd?: string };

export interface Holder {
  personId: string;
  name: { firstName: string; lastName: string } | null;
  email: string | null;
  kind: string | null;
  /** Why the person holds the group now; empty when the rules no longer give it (being removed). */
  reasons: HolderReason[];
  /** The person could not be asked (busy, or just finished): its reasons are unknown. */
  accessError: string | null;
}

const LIST_DEADLINE_MS = 10_000;

export function holdersVisibilityQuery(siteId: string, groupId: string): string {
  return [
    `WorkflowType = '${PERSON_WORKFLOW_TYPE}'`,
    `ExecutionStatus = 'Running'`,
    `${HeldGroupsKey.name} = ${visibilityString(heldGroupKeyword(siteId, groupId))}`,
  ].join(' AND ');
}

export interface HoldersRoutesOptions {
  client: Client;
  /** Seals the page tokens handed out (see sealPageToken). */
  pageTokenKey: Buffer;
}

/** One CSV field: quoted when it holds a comma, a quote or a line break; formulas defused. */
function csvField(value: string): string {
  // A leading =, +, - or @ makes a spreadsheet run the cell as a formula (CSV injection).
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A reason in words (as the Web UI's details say it), with a reservation's window. */
export function reasonWords(reason: HolderReason): string {
  const window =
    reason.windowStart && reason.windowEnd ? `, from ${reason.windowStart} to ${reason.windowEnd}` : '';
  return `${reasonText(reason)}${window}`;
}

export const HOLDERS_CSV_HEADER = ['person_id', 'first_name', 'last_name', 'email', 'kind', 'reasons'];

export function holderCsvLine(h: Holder): string {
  const reasons = h.accessError
    ? `unknown: ${h.accessError}`
    : h.reasons.length === 0
      ? 'no rule gives it any more: being removed'
      : h.reasons.map(reasonWords).join('; ');
  return (
    [h.personId, h.name?.firstName ?? '', h.name?.lastName ?? '', h.email ?? '', h.kind ?? '', reasons]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

export function holdersRouter({ client, pageTokenKey }: HoldersRoutesOptions): Router {
  const router = express.Router();

  /** One page of holders, with their reasons for this group. */
  async function holdersPage(
    siteId: string,
    groupId: string,
    pageSize: number,
    pageToken: Buffer | null,
  ): Promise<{ items: Holder[]; nextPageToken: Uint8Array | null }> {
    const answer = await client.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
      client.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query: holdersVisibilityQuery(siteId, groupId),
        pageSize,
        nextPageToken: pageToken,
      }),
    );
    const rows = await personRowsOf(client, answer.executions ?? []);
    const withReasons = await withAccess(client, rows);
    const items = withReasons.map((row): Holder => {
      const reasons = row.access?.reasons?.[siteId]?.[groupId] ?? [];
      return {
        personId: row.personId,
        name: row.name ?? row.access?.name ?? null,
        email: row.email ?? row.access?.email ?? null,
        kind: row.access?.kind ?? row.kind,
        reasons: reasons.map((r): HolderReason => {
          if (r.kind !== 'reservation') return r;
          const booked = row.access?.reservations.find((b) => b.id === r.reservationId);
          return booked ? { ...r, windowStart: booked.windowStart, windowEnd: booked.windowEnd } : r;
        }),
        accessError: row.accessError,
      };
    });
    const token = answer.nextPageToken;
    return { items, nextPageToken: token && token.length > 0 ? token : null };
  }

  async function streamCsv(res: Response, siteId: string, groupId: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="holders-${encodeURIComponent(siteId)}-${encodeURIComponent(groupId)}.csv"`,
    );
    res.write(HOLDERS_CSV_HEADER.join(',') + '\r\n');
    let token: Buffer | null = null;
    try {
      do {
        const page = await holdersPage(siteId, groupId, 100, token);
        for (const holder of page.items) res.write(holderCsvLine(holder));
        token = page.nextPageToken ? Buffer.from(page.nextPageToken) : null;
      } while (token !== null);
    } catch (err) {
      // The status is sent already: a cut connection tells the client the file is incomplete.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    res.end();
  }

  router.get('/api/sites/:siteId/groups/:groupId/holders', async (req, res) => {
    const siteId = idParamOr400('siteId', req.params.siteId, res);
    if (siteId === undefined) return;
    const groupId = idParamOr400('groupId', req.params.groupId, res);
    if (groupId === undefined) return;
    const query = parseOr400(holdersQuerySchema, req.query, res);
    if (!query) return;
    if (query.format === 'csv') {
      if (query.pageToken !== undefined) {
        res.status(400).json({
          error: 'invalid_request',
          issues: [{ path: 'pageToken', message: 'the CSV holds every page: ask without a pageToken' }],
        });
        return;
      }
      await streamCsv(res, siteId, groupId);
      return;
    }
    const pageToken = pageTokenOr400(query.pageToken, pageTokenKey, res);
    if (pageToken === undefined) return;
    const page = await holdersPage(siteId, groupId, query.pageSize, pageToken);
    res.json({
      siteId,
      groupId,
      items: page.items,
      nextPageToken: page.nextPageToken ? sealPageToken(page.nextPageToken, pageTokenKey) : null,
    });
  });

  router.use(
    undecodableIdParamAs400([{ path: /^\/api\/sites\/[^/]+\/groups\/[^/]+\/holders\/?$/, param: 'siteId' }]),
  );
  return router;
}
