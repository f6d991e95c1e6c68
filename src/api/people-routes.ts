// GET /api/people: the person workflows, paged from Temporal visibility by their search
// attributes, so the list scales with the number of people, not with what one process holds.
// With include=access each row also carries the person's access view (one query per row; a page
// is at most 100 rows).
import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { personWorkflowId } from '../shared/ids';
import { personAccessQuery, type PersonAccessView } from '../workflows/messages';
import {
  openPageToken,
  peopleFiltersSchema,
  peopleVisibilityQuery,
  personRowOf,
  sealPageToken,
  type PersonRow,
} from './people-query';
import { parseOr400 } from './validation';

const ACCESS_QUERY_DEADLINE_MS = 5_000;
const ACCESS_QUERIES_AT_ONCE = 10;

type RowWithAccess = PersonRow & { access: PersonAccessView | null; accessError: string | null };

async function withAccess(client: Client, rows: PersonRow[]): Promise<RowWithAccess[]> {
  const answers: RowWithAccess[] = new Array<RowWithAccess>(rows.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      try {
        const access = await client.withDeadline(Date.now() + ACCESS_QUERY_DEADLINE_MS, () =>
          client.workflow.getHandle(personWorkflowId(row.personId)).query(personAccessQuery),
        );
        answers[index] = { ...row, access, accessError: null };
      } catch (err) {
        // One busy or just-finished workflow must not fail the whole page.
        answers[index] = {
          ...row,
          access: null,
          accessError: err instanceof Error ? err.message : String(err),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ACCESS_QUERIES_AT_ONCE, rows.length) }, worker));
  return answers;
}

const LIST_DEADLINE_MS = 10_000;

export interface PeopleRoutesOptions {
  client: Client;
  /** Seals the page tokens handed out (see sealPageToken). */
  pageTokenKey: Buffer;
}

export function peopleRouter({ client, pageTokenKey }: PeopleRoutesOptions): Router {
  const router = express.Router();

  router.get('/api/people', async (req, res) => {
    const filters = parseOr400(peopleFiltersSchema, req.query, res);
    if (!filters) return;
    const pageToken = filters.pageToken === undefined ? null : openPageToken(filters.pageToken, pageTokenKey);
    if (filters.pageToken !== undefined && pageToken === null) {
      res.status(400).json({
        error: 'invalid_request',
        issues: [
          {
            path: 'pageToken',
            message: 'must be the nextPageToken of an earlier answer: start again from the first page',
          },
        ],
      });
      return;
    }
    const answer = await client.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
      client.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query: peopleVisibilityQuery(filters),
        pageSize: filters.pageSize,
        nextPageToken: pageToken,
      }),
    );
    const rows = (answer.executions ?? []).map(personRowOf);
    const token = answer.nextPageToken;
    res.json({
      items: filters.include === 'access' ? await withAccess(client, rows) : rows,
      nextPageToken: token && token.length > 0 ? sealPageToken(token, pageTokenKey) : null,
    });
  });

  return router;
}
