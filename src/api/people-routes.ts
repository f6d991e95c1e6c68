// GET /api/people: the person workflows, paged from Temporal visibility by their search
// attributes, so the list scales with the number of people, not with what one process holds.
// With include=access each row also carries the person's access view (one query per row; a page
// is at most 100 rows).
import type { Client } from '@temporalio/client';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import express, { type Router } from 'express';
import { personWorkflowId } from '../shared/ids';
import { personAccessQuery, type PersonAccessView, type PersonMemo } from '../workflows/messages';
import { DEMO_EMAIL_LOOKUP_KEY, emailLookupKey } from '../shared/email-lookup';
import {
  pageTokenOr400,
  peopleFiltersSchema,
  peopleVisibilityQuery,
  personMemoOf,
  personRowOf,
  sealPageToken,
  type PersonRow,
} from './people-query';
import { personViewNow } from './reservation-states-now';
import { parseOr400 } from './validation';

const ACCESS_QUERY_DEADLINE_MS = 5_000;
const ACCESS_QUERIES_AT_ONCE = 10;

type RowWithAccess = PersonRow & { access: PersonAccessView | null; accessError: string | null };

export async function withAccess(client: Client, rows: PersonRow[]): Promise<RowWithAccess[]> {
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
        answers[index] = { ...row, access: personViewNow(access, Date.now()), accessError: null };
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

/** The rows of listed person workflows, each named from its decrypted memo. */
export function personRowsOf(
  client: Client,
  executions: temporal.api.workflow.v1.IWorkflowExecutionInfo[],
): Promise<PersonRow[]> {
  return Promise.all(executions.map(async (info) => personRowOf(info, await memoOf(client, info))));
}

/** The person memo of a listed workflow, decoded (and decrypted) by the client's data converter. */
async function memoOf(
  client: Client,
  info: temporal.api.workflow.v1.IWorkflowExecutionInfo,
): Promise<PersonMemo | null> {
  try {
    const fields = info.memo?.fields ?? undefined;
    return personMemoOf(await decodeMapFromPayloads(client.options.loadedDataConverter, fields));
  } catch {
    return null; // a memo this API cannot decrypt (another key) leaves the name unknown, not the list broken
  }
}

export interface PeopleRoutesOptions {
  client: Client;
  /** Seals the page tokens handed out (see sealPageToken). */
  pageTokenKey: Buffer;
  /** The keys of the e-mail search attribute (EMAIL_LOOKUP_KEY), each searched. Default: the public demo key. */
  emailLookupSecrets?: Buffer[];
}

export function peopleRouter({
  client,
  pageTokenKey,
  emailLookupSecrets = [DEMO_EMAIL_LOOKUP_KEY],
}: PeopleRoutesOptions): Router {
  const router = express.Router();

  router.get('/api/people', async (req, res) => {
    const filters = parseOr400(peopleFiltersSchema, req.query, res);
    if (!filters) return;
    const pageToken = pageTokenOr400(filters.pageToken, pageTokenKey, res);
    if (pageToken === undefined) return;
    const answer = await client.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
      client.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query: peopleVisibilityQuery(
          filters,
          filters.email === undefined
            ? null
            : emailLookupSecrets.map((key) => emailLookupKey(filters.email!, key)),
        ),
        pageSize: filters.pageSize,
        nextPageToken: pageToken,
      }),
    );
    const rows = await personRowsOf(client, answer.executions ?? []);
    const token = answer.nextPageToken;
    res.json({
      items: filters.include === 'access' ? await withAccess(client, rows) : rows,
      nextPageToken: token && token.length > 0 ? sealPageToken(token, pageTokenKey) : null,
    });
  });

  return router;
}
