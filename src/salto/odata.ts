// OData-style query pieces the Connect API understands (contract §2 "Lists").

/** Page size the client asks for: the most the API allows, so lists take the fewest requests. */
export const MAX_PAGE_SIZE = 100;

/** A string literal for $filter: OData doubles a single quote inside '…' (o'brien → 'o''brien'). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `$filter` matching a site user by the e-mail of its platform user. */
export function emailFilter(email: string): string {
  return `user/email eq ${odataString(email)}`;
}

/** `$filter` matching a group member (a platform user) by its id. */
export function platformUserIdFilter(platformUserId: string): string {
  return `id eq ${odataString(platformUserId)}`;
}

/** Query string of the first page of a list; later pages come from next_page_link. */
export function listQuery(params: { filter?: string; inlineCount?: boolean } = {}): string {
  const query = new URLSearchParams({ $top: String(MAX_PAGE_SIZE) });
  if (params.filter !== undefined) query.set('$filter', params.filter);
  if (params.inlineCount) query.set('$inlinecount', 'allpages');
  return query.toString();
}
