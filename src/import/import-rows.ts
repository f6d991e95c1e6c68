// One row of an import file: a snapshot of the same shape the webhook carries (Member,
// Reservation, Center, Product, ReservationUnit) and its kind. Each row becomes the webhook event
// that carries such a snapshot, with an id derived from the row's content: the same row imported
// twice is the same event, which the engine drops as a duplicate.
import { createHash } from 'node:crypto';
import { parseDeskworksEvent, type DeskworksEvent, type EventIssue } from '../api/deskworks-events';

export const IMPORT_ROW_KINDS = ['center', 'product', 'reservation_unit', 'member', 'reservation'] as const;
export type ImportRowKind = (typeof IMPORT_ROW_KINDS)[number];

/** The webhook event type that carries each kind's snapshot. */
const EVENT_TYPE: Record<ImportRowKind, DeskworksEvent['type']> = {
  center: 'center.updated',
  product: 'product.updated',
  reservation_unit: 'reservation_unit.updated',
  member: 'member.updated',
  reservation: 'reservation.updated',
};

export interface RowIssue {
  /** 1-based: the line of an NDJSON file, the element of a JSON array. */
  row: number;
  /** Dotted path inside the row, e.g. `data.email`; `(row)` for the row as a whole. */
  field: string;
  message: string;
}

export type RowEventResult = { ok: true; event: DeskworksEvent } | { ok: false; issues: RowIssue[] };

/** Stable for a row's content: kind and snapshot, in a canonical key order. */
export function importEventId(kind: string, data: unknown): string {
  const digest = createHash('sha256')
    .update(`${kind}\n${canonicalJson(data)}`)
    .digest('hex');
  return `import-${digest.slice(0, 40)}`;
}

/**
 * The event a row's text stands for, validated exactly as the webhook validates its body; issues
 * name the row and the field. `importedAt` is the envelope's occurredAt (not part of the id).
 */
export function eventForRow(rowNumber: number, text: string, importedAt: string): RowEventResult {
  const fail = (field: string, message: string): RowEventResult => ({
    ok: false,
    issues: [{ row: rowNumber, field, message }],
  });
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    return fail('(row)', 'not valid JSON');
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    return fail('(row)', 'must be an object {"kind": …, "data": {…}}');
  }
  const { kind, data } = row as { kind?: unknown; data?: unknown };
  if (typeof kind !== 'string' || !(IMPORT_ROW_KINDS as readonly string[]).includes(kind)) {
    return fail('kind', `must be one of ${IMPORT_ROW_KINDS.join(', ')}`);
  }
  const extra = Object.keys(row).filter((k) => k !== 'kind' && k !== 'data');
  if (extra.length > 0) return fail(extra[0]!, 'unknown field (a row has only "kind" and "data")');
  const parsed = parseDeskworksEvent({
    id: importEventId(kind, data),
    type: EVENT_TYPE[kind as ImportRowKind],
    occurredAt: importedAt,
    data,
  });
  if (parsed.ok) return parsed;
  return {
    ok: false,
    issues: parsed.issues.map((issue: EventIssue) => ({ row: rowNumber, ...fieldOf(issue) })),
  };
}

function fieldOf(issue: EventIssue): { field: string; message: string } {
  return { field: issue.path === '(root)' ? '(row)' : issue.path, message: issue.message };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
