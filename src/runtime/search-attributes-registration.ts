// The worker registers the search attributes it needs when they are missing, so it runs against
// any Temporal server, fresh or not (configuration.md).
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../shared/search-attributes';

const indexedValueType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

/** Adds the project's search attributes that the namespace lacks; returns the names it added. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set([
      ...Object.keys(existing.customAttributes ?? {}),
      ...Object.keys(existing.systemAttributes ?? {}),
    ]);
  } catch (err) {
    // sdk-java's test server can add search attributes but not list them, and some namespaces
    // do not let a worker list them: try to add them all (refused: a clear message below).
    if (!NOT_ALLOWED.includes((err as { code?: number }).code ?? -1)) throw err;
  }
  const missing = SEARCH_ATTRIBUTE_DEFINITIONS.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedValueType[key.type]!])),
    });
  } catch (err) {
    if (NOT_ALLOWED.includes((err as { code?: number }).code ?? -1))
      throw new SearchAttributesMissingError(namespace, missing);
    throw err;
  }
  return missing.map((key) => key.name);
}

/** PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED, FAILED_PRECONDITION: the namespace will not let us. */
const NOT_ALLOWED = [7, 12, 16, 9];

const TYPE_NAMES: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  BOOL: 'Bool',
  TEXT: 'Text',
  INT: 'Int',
  DATETIME: 'Datetime',
  DOUBLE: 'Double',
};

/** The namespace lacks search attributes and does not let the worker add them (Temporal Cloud). */
export class SearchAttributesMissingError extends Error {
  constructor(
    readonly namespace: string,
    readonly missing: readonly { name: string; type: string }[],
  ) {
    const list = missing.map((k) => `${k.name} (${TYPE_NAMES[k.type] ?? k.type})`).join(', ');
    const tcld = missing.map((k) => `--sa "${k.name}=${TYPE_NAMES[k.type] ?? k.type}"`).join(' ');
    const cli = missing.map((k) => `--name ${k.name} --type ${TYPE_NAMES[k.type] ?? k.type}`).join(' ');
    super(
      [
        `The namespace ${namespace} lacks search attributes this service needs, and does not let the worker create them: ${list}.`,
        'Create them once, then the worker goes on by itself:',
        `  Temporal Cloud:  tcld namespace search-attributes add --namespace ${namespace} ${tcld}`,
        `  self-hosted:     temporal operator search-attribute create --namespace ${namespace} ${cli}`,
      ].join('\n'),
    );
    this.name = 'SearchAttributesMissingError';
  }
}

/**
 * Registers what is missing; when the namespace does not allow it, says so once (with the
 * commands to run) and checks again every `recheckMs` until an operator has created them, rather
 * than exiting into a restart loop.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  log: (line: string) => void,
  recheckMs = 60_000,
): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await registerSearchAttributes(connection, namespace);
    } catch (err) {
      if (!(err instanceof SearchAttributesMissingError)) throw err;
      if (attempt === 0) log(err.message);
      else if (attempt % 10 === 0)
        log(
          `still waiting for search attributes in namespace ${namespace}: ${err.missing.map((k) => k.name).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, recheckMs));
    }
  }
}
