// GET /api/people as Temporal visibility sees it: a list filter over the person workflows' search
// attributes (ids and flags only), and one listed execution turned into a row. Pure, so the
// quoting of ids into the query language is tested without a server.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { z } from 'zod';
import type { PersonKind } from '../core/types';
import { personIdOfWorkflowId, PERSON_WORKFLOW_TYPE } from '../shared/ids';
import {
  CenterIdsKey,
  EmailKeyKey,
  InSyncKey,
  PersonIdKey,
  PersonKindKey,
  SiteIdsKey,
} from '../shared/search-attributes';
import { PERSON_MEMO_KEY, type PersonMemo } from '../workflows/messages';

export const peopleFiltersSchema = z
  .object({
    // Temporal's SQLite visibility matches keyword lists with full-text search, where double
    // quotes and backslashes break the query; no Deskworks id is expected to hold them.
    center: z
      .string()
      .min(1)
      .max(200)
      .refine(
        (id) => !/["\\]/.test(id) && [...id].every((c) => c.charCodeAt(0) >= 0x20),
        'a center id to filter by cannot hold double quotes, backslashes or control characters',
      )
      .optional(),
    kind: z.enum(['member', 'comember', 'nonmember']).optional(),
    outOfSync: z.enum(['true', 'false']).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(50),
    pageToken: z.string().max(8192).optional(),
    /** Exactly this Deskworks id. */
    personId: z
      .string()
      .min(1)
      .max(200)
      .refine(
        (id) => [...id].every((c) => c.charCodeAt(0) >= 0x20),
        'a Deskworks id to find cannot hold control characters',
      )
      .optional(),
    /** Exactly this e-mail (case and surrounding spaces aside), found by its keyed hash. */
    email: z
      .string()
      .max(320)
      .refine(
        (e) => /^[^@\s]+@[^@\s]+$/.test(e.trim()),
        'must be one e-mail address, such as ada@example.com',
      )
      .optional(),
    /** `access`: each row also carries the person's access view (status, last error, applied groups). */
    include: z.literal('access').optional(),
  })
  .strict();

export type PeopleFilters = z.infer<typeof peopleFiltersSchema>;

/** A string literal of the visibility query language, its single quotes escaped. */
export function visibilityString(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/**
 * The visibility query of a people list. `emailKeys` are the keyed hashes of the `email` filter
 * under each lookup key (src/shared/email-lookup.ts): the address itself never reaches Temporal.
 */
export function peopleVisibilityQuery(
  filters: Pick<PeopleFilters, 'center' | 'kind' | 'outOfSync' | 'personId'>,
  emailKeys: string[] | null = null,
): string {
  const clauses = [`WorkflowType = '${PERSON_WORKFLOW_TYPE}'`, `ExecutionStatus = 'Running'`];
  if (filters.personId !== undefined)
    clauses.push(`${PersonIdKey.name} = ${visibilityString(filters.personId)}`);
  if (emailKeys !== null)
    clauses.push(`${EmailKeyKey.name} IN (${emailKeys.map(visibilityString).join(', ')})`);
  // On a keyword list, `=` means "contains".
  if (filters.center !== undefined)
    clauses.push(`${CenterIdsKey.name} = ${visibilityString(filters.center)}`);
  if (filters.kind !== undefined) clauses.push(`${PersonKindKey.name} = ${visibilityString(filters.kind)}`);
  if (filters.outOfSync === 'true') clauses.push(`${InSyncKey.name} = false`);
  if (filters.outOfSync === 'false') clauses.push(`${InSyncKey.name} = true`);
  return clauses.join(' AND ');
}

export interface PersonRow {
  personId: string;
  workflowId: string;
  /** Null until the workflow has published its search attributes (its first run through the loop). */
  kind: PersonKind | null;
  inSync: boolean | null;
  centerIds: string[];
  siteIds: string[];
  startedAt: string | null;
  /** From the workflow's memo (decrypted by the API); null until its first pass after 0.5.0. */
  name: { firstName: string; lastName: string } | null;
  email: string | null;
}

function attribute(
  fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined,
  name: string,
): unknown {
  const payload = fields?.[name];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : [];

/** The person memo's entry when it has the expected shape (anything else reads as unknown). */
export function personMemoOf(memo: Record<string, unknown> | undefined): PersonMemo | null {
  const entry = memo?.[PERSON_MEMO_KEY] as Partial<PersonMemo> | undefined;
  if (
    typeof entry?.firstName !== 'string' ||
    typeof entry.lastName !== 'string' ||
    typeof entry.email !== 'string'
  )
    return null;
  return { firstName: entry.firstName, lastName: entry.lastName, email: entry.email };
}

export function personRowOf(
  info: temporal.api.workflow.v1.IWorkflowExecutionInfo,
  memo: PersonMemo | null = null,
): PersonRow {
  const workflowId = info.execution?.workflowId ?? '';
  const fields = info.searchAttributes?.indexedFields;
  const personId = attribute(fields, PersonIdKey.name);
  const kind = attribute(fields, PersonKindKey.name);
  const inSync = attribute(fields, InSyncKey.name);
  const seconds = info.startTime?.seconds;
  return {
    personId: typeof personId === 'string' ? personId : (personIdOfWorkflowId(workflowId) ?? workflowId),
    workflowId,
    kind: kind === 'member' || kind === 'comember' || kind === 'nonmember' ? kind : null,
    inSync: typeof inSync === 'boolean' ? inSync : null,
    centerIds: stringList(attribute(fields, CenterIdsKey.name)),
    siteIds: stringList(attribute(fields, SiteIdsKey.name)),
    startedAt:
      seconds === undefined || seconds === null ? null : new Date(Number(seconds) * 1000).toISOString(),
    name: memo ? { firstName: memo.firstName, lastName: memo.lastName } : null,
    email: memo?.email ?? null,
  };
}

/**
 * Temporal's page token, base64url, with a MAC: a token this API did not hand out is refused at
 * once, instead of reaching Temporal, which retries what it cannot parse for many seconds.
 */
export function sealPageToken(token: Uint8Array, key: Buffer): string {
  const bytes = Buffer.from(token);
  return `${bytes.toString('base64url')}.${pageTokenMac(bytes, key)}`;
}

/**
 * A request's `pageToken`, opened: null when there is none, undefined when it is not one this API
 * handed out (a 400 naming it is answered then).
 */
export function pageTokenOr400(
  sealed: string | undefined,
  key: Buffer,
  res: Response,
): Buffer | null | undefined {
  if (sealed === undefined) return null;
  const token = openPageToken(sealed, key);
  if (token !== null) return token;
  res.status(400).json({
    error: 'invalid_request',
    issues: [
      {
        path: 'pageToken',
        message: 'must be the nextPageToken of an earlier answer: start again from the first page',
      },
    ],
  });
  return undefined;
}

/** Temporal's page token inside a sealed one, or null when it is not one this API sealed. */
export function openPageToken(sealed: string, key: Buffer): Buffer | null {
  const [data, mac, ...rest] = sealed.split('.');
  if (data === undefined || mac === undefined || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(data))
    return null;
  const bytes = Buffer.from(data, 'base64url');
  const expected = Buffer.from(pageTokenMac(bytes, key));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected) ? bytes : null;
}

function pageTokenMac(bytes: Buffer, key: Buffer): string {
  return createHmac('sha256', key).update(bytes).digest('base64url').slice(0, 22);
}
