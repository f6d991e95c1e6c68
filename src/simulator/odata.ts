// The OData-style list parameters the Connect API takes (contract §2 Lists): $top (at most
// 100), $skip (in next_page_link), $filter with `path eq 'value'` clauses joined by `and`
// ('' escapes a quote), $inlinecount=allpages.

export const PAGE_SIZE_LIMIT = 100;

export type FilterClause = { path: string[]; value: string | boolean | number | null };

export class ODataError extends Error {
  constructor(
    readonly errorCode: '1100' | '1102',
    message: string,
  ) {
    super(message);
  }
}

export interface ListParams {
  top: number;
  skip: number;
  filter: FilterClause[];
  rawFilter: string | null;
  inlineCount: boolean;
}

export function parseListParams(query: URLSearchParams): ListParams {
  const top = intParam(query.get('$top'), PAGE_SIZE_LIMIT, 1);
  const skip = intParam(query.get('$skip'), 0, 0);
  if (query.has('$orderby')) throw new ODataError('1102', '$orderby is not supported here.');
  const rawFilter = query.get('$filter');
  const inline = query.get('$inlinecount');
  if (inline !== null && inline !== 'allpages' && inline !== 'none')
    throw new ODataError('1100', 'Bad $inlinecount.');
  return {
    top: Math.min(top, PAGE_SIZE_LIMIT),
    skip,
    filter: rawFilter === null ? [] : parseFilter(rawFilter),
    rawFilter,
    inlineCount: inline === 'allpages',
  };
}

function intParam(raw: string | null, fallback: number, min: number): number {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ODataError('1100', `Bad paging parameter: ${raw}`);
  return Number(raw);
}

/** `user/email eq 'o''brien@example.com' and blocked eq false` → clauses. */
export function parseFilter(text: string): FilterClause[] {
  const clauses: FilterClause[] = [];
  let rest = text.trim();
  for (;;) {
    const clause = /^([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)\s+eq\s+/.exec(rest);
    if (clause === null) throw new ODataError('1102', `Bad $filter: expected "<field> eq <value>".`);
    rest = rest.slice(clause[0].length);
    const literal = readLiteral(rest);
    clauses.push({ path: clause[1]!.split('/'), value: literal.value });
    rest = rest.slice(literal.length).trim();
    if (rest === '') return clauses;
    const and = /^and\s+/i.exec(rest);
    if (and === null) throw new ODataError('1102', 'Bad $filter: only "and" joins clauses.');
    rest = rest.slice(and[0].length);
  }
}

function readLiteral(text: string): { value: FilterClause['value']; length: number } {
  if (text.startsWith("'")) {
    let value = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] !== "'") {
        value += text[i];
      } else if (text[i + 1] === "'") {
        value += "'";
        i++;
      } else {
        return { value, length: i + 1 };
      }
    }
    throw new ODataError('1102', 'Bad $filter: unterminated string.');
  }
  const word = /^(true|false|null|-?\d+(?:\.\d+)?)(?=\s|$)/.exec(text);
  if (word === null) throw new ODataError('1102', 'Bad $filter: bad value.');
  const raw = word[1]!;
  const value = raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : Number(raw);
  return { value, length: raw.length };
}

/** Whether an answer object matches every clause. Strings compare case-insensitively, as SALTO's do. */
export function matches(item: unknown, clauses: FilterClause[]): boolean {
  return clauses.every((clause) => {
    const actual = resolve(item, clause.path);
    if (typeof actual === 'string' && typeof clause.value === 'string') {
      return actual.toLowerCase() === clause.value.toLowerCase();
    }
    return actual === clause.value;
  });
}

/** Throws 1102 when a clause names a field the objects do not have. */
export function checkFilterFields(sample: unknown, clauses: FilterClause[]): void {
  for (const clause of clauses) {
    if (resolve(sample, clause.path) === undefined) {
      throw new ODataError('1102', `Bad $filter: unknown field ${clause.path.join('/')}.`);
    }
  }
}

function resolve(item: unknown, path: string[]): unknown {
  let current: unknown = item;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export interface ListAnswer<T> {
  items: T[];
  next_page_link: string | null;
  count: number | null;
}

/** One page of a filtered list, with an absolute next_page_link carrying the same parameters. */
export function page<T>(all: T[], params: ListParams, selfUrl: URL): ListAnswer<T> {
  const filtered = params.filter.length === 0 ? all : all.filter((item) => matches(item, params.filter));
  const items = filtered.slice(params.skip, params.skip + params.top);
  const nextSkip = params.skip + params.top;
  let next: string | null = null;
  if (nextSkip < filtered.length) {
    const url = new URL(selfUrl.origin + selfUrl.pathname);
    url.searchParams.set('$top', String(params.top));
    url.searchParams.set('$skip', String(nextSkip));
    if (params.rawFilter !== null) url.searchParams.set('$filter', params.rawFilter);
    if (params.inlineCount) url.searchParams.set('$inlinecount', 'allpages');
    next = url.toString();
  }
  return { items, next_page_link: next, count: params.inlineCount ? filtered.length : null };
}
