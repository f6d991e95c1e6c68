// Every Connect API endpoint of the contract (§2), with paging followed to the end, bearer
// tokens from SaltoOAuth, one renew-and-retry on 401 and a timeout on every request.
// A passing fault (5xx, a short 429, no answer) is tried again within the call a few times
// (`quickRetries`, quick-retry.ts); what outlasts that is Temporal's activity retry's, which
// honours a longer Retry-After.
import type { z } from 'zod';
import { classifyApiFailure, SaltoError, unexpectedResponseError } from './errors';
import { exchange, type HttpAnswer } from './http';
import { silentSaltoLogger, type SaltoLogger } from './logger';
import { quickRetryDelayMs, waitUnlessCancelled } from './quick-retry';
import {
  accessGroupSchema,
  groupMemberSchema,
  roleSchema,
  siteSchema,
  siteUserSchema,
  SITE_USER_ROLE_CODE,
  type AccessGroup,
  type CreateSiteUserBody,
  type GroupMember,
  type PatchSiteUserBody,
  type Role,
  type Site,
  type SiteUser,
} from './model';
import { emailFilter, listQuery, platformUserIdFilter } from './odata';

/** What the client needs from the connection: a token, and a fresh one when the API refuses it. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  renewAfterRejection(rejectedToken: string): Promise<string>;
}

export interface SaltoClientOptions {
  /** Connect API base, e.g. https://connect.my-clay.com */
  apiUrl: string;
  auth: AccessTokenSource;
  /** Per request; default 15 000 ms (SALTO_KS_REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
  logger?: SaltoLogger;
  /** The signal that cancels the current call, if any (the running activity's cancellation). */
  abortSignal?: () => AbortSignal | undefined;
  /** Told of every HTTP exchange with SALTO KS, answered or not (metrics). */
  onExchange?: (exchange: SaltoExchange) => void;
  /**
   * How many times a request that met a passing fault is sent again within the call (default 0:
   * the caller retries; the worker and the API take SALTO_KS_QUICK_RETRIES, default 2).
   */
  quickRetries?: number;
}

/** One HTTP exchange with the Connect API, as metrics see it: no ids, no bodies. */
export interface SaltoExchange {
  method: string;
  /** The path with its ids as the contract writes them: `/v1.2/sites/{s}/users/{u}`. */
  endpoint: string;
  /** The HTTP status, or `timeout`, `network_error` or `aborted` when nothing was answered. */
  outcome: string;
  seconds: number;
}

/** The segments after which a path holds an id, and how the contract names that id. */
const ID_AFTER: Record<string, string> = { sites: '{s}', users: '{u}', access_groups: '{ag}' };

/** A request path with its ids replaced by their names: a bounded set of metric labels. */
export function endpointOf(path: string): string {
  const parts = path.split('/');
  return parts
    .map((part, i) => (i > 0 && ID_AFTER[parts[i - 1]!] !== undefined ? ID_AFTER[parts[i - 1]!] : part))
    .join('/');
}

/** A safety net against a server whose next_page_link never ends. */
const MAX_PAGES = 10_000;

export class SaltoClient {
  private readonly apiUrl: string;
  private readonly apiOrigin: string;
  private readonly timeoutMs: number;
  private readonly logger: SaltoLogger;
  /** site id → id of its "site_user" role; roles rarely change, and every create needs it. */
  private readonly siteUserRoles = new Map<string, Promise<string>>();

  constructor(private readonly options: SaltoClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.apiOrigin = new URL(this.apiUrl).origin;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.logger = options.logger ?? silentSaltoLogger;
  }

  // ── sites, roles, groups ───────────────────────────────────────────────

  /** GET /v1.2/sites answers a bare array (a list object is accepted too). */
  async listSites(): Promise<Site[]> {
    return this.list('/v1.2/sites', siteSchema, null);
  }

  async getSite(siteId: string): Promise<Site> {
    return this.one('GET', `/v1.2/sites/${seg(siteId)}`, siteSchema);
  }

  async listRoles(siteId: string): Promise<Role[]> {
    return this.list(`/v1.2/sites/${seg(siteId)}/roles`, roleSchema, {});
  }

  async listAccessGroups(siteId: string): Promise<AccessGroup[]> {
    return this.list(`/v1.2/sites/${seg(siteId)}/access_groups`, accessGroupSchema, {});
  }

  /** The id of the site's "site_user" role, fetched once per site and process. */
  siteUserRoleId(siteId: string): Promise<string> {
    let cached = this.siteUserRoles.get(siteId);
    if (cached === undefined) {
      cached = this.fetchSiteUserRoleId(siteId);
      this.siteUserRoles.set(siteId, cached);
      // A failed look-up must not stick: the next call asks again.
      cached.catch(() => this.siteUserRoles.delete(siteId));
    }
    return cached;
  }

  /** Drop the cached role, e.g. after a create was refused: the role may have changed. */
  forgetSiteUserRole(siteId: string): void {
    this.siteUserRoles.delete(siteId);
  }

  // ── site users ─────────────────────────────────────────────────────────

  /** `onPage` is told after each page: a long listing (50,000 users is 500 pages) can heartbeat. */
  async listSiteUsers(siteId: string, onPage?: () => void): Promise<SiteUser[]> {
    return this.list(`/v1.2/sites/${seg(siteId)}/users`, siteUserSchema, {}, onPage);
  }

  /** Site users whose platform user has this e-mail (SALTO compares case-insensitively; so do we). */
  async findSiteUsersByEmail(siteId: string, email: string): Promise<SiteUser[]> {
    const users = await this.list(`/v1.2/sites/${seg(siteId)}/users`, siteUserSchema, {
      filter: emailFilter(email),
    });
    const wanted = email.toLowerCase();
    return users.filter((u) => u.user.email?.toLowerCase() === wanted);
  }

  async getSiteUser(siteId: string, siteUserId: string): Promise<SiteUser> {
    return this.one('GET', `/v1.2/sites/${seg(siteId)}/users/${seg(siteUserId)}`, siteUserSchema);
  }

  async createSiteUser(siteId: string, body: CreateSiteUserBody): Promise<SiteUser> {
    return this.one('POST', `/v1.2/sites/${seg(siteId)}/users`, siteUserSchema, body);
  }

  /** Answers the patched user, or null if SALTO answered without a body. */
  async updateSiteUser(
    siteId: string,
    siteUserId: string,
    patch: PatchSiteUserBody,
  ): Promise<SiteUser | null> {
    const path = `/v1.2/sites/${seg(siteId)}/users/${seg(siteUserId)}`;
    const answer = await this.send('PATCH', this.url(path), patch);
    return answer.json === null ? null : this.parse(siteUserSchema, answer, 'PATCH', path);
  }

  /** Also removes the user from every group of the site. */
  async deleteSiteUser(siteId: string, siteUserId: string): Promise<void> {
    await this.send('DELETE', this.url(`/v1.2/sites/${seg(siteId)}/users/${seg(siteUserId)}`));
  }

  // ── access-group membership (keyed by the platform user id) ───────────

  async listAccessGroupMembers(
    siteId: string,
    accessGroupId: string,
    onPage?: () => void,
  ): Promise<GroupMember[]> {
    return this.list(
      `/v1.2/sites/${seg(siteId)}/access_groups/${seg(accessGroupId)}/users`,
      groupMemberSchema,
      {},
      onPage,
    );
  }

  /**
   * Whether this platform user is in the group: a list filtered on its id, one short page,
   * however many members the group has (checked again here, in case a filter is ignored).
   */
  async isAccessGroupMember(siteId: string, accessGroupId: string, platformUserId: string): Promise<boolean> {
    const found = await this.list(
      `/v1.2/sites/${seg(siteId)}/access_groups/${seg(accessGroupId)}/users`,
      groupMemberSchema,
      { filter: platformUserIdFilter(platformUserId) },
    );
    return found.some((m) => m.platformUserId === platformUserId);
  }

  async addAccessGroupMember(siteId: string, accessGroupId: string, platformUserId: string): Promise<void> {
    const path = `/v1.2/sites/${seg(siteId)}/access_groups/${seg(accessGroupId)}/users`;
    await this.send('POST', this.url(path), { user_id: platformUserId });
  }

  async removeAccessGroupMember(
    siteId: string,
    accessGroupId: string,
    platformUserId: string,
  ): Promise<void> {
    const path = `/v1.2/sites/${seg(siteId)}/access_groups/${seg(accessGroupId)}/users/${seg(platformUserId)}`;
    await this.send('DELETE', this.url(path));
  }

  /** The bulk PATCH of v1.1: adds and removes any number of platform users in one request. */
  async changeAccessGroupMembers(
    siteId: string,
    accessGroupId: string,
    change: { addIds: string[]; removeIds: string[] },
  ): Promise<void> {
    const path = `/v1.1/sites/${seg(siteId)}/access_groups/${seg(accessGroupId)}/users`;
    await this.send('PATCH', this.url(path), { add_ids: change.addIds, remove_ids: change.removeIds });
  }

  // ── plumbing ───────────────────────────────────────────────────────────

  private async fetchSiteUserRoleId(siteId: string): Promise<string> {
    const roles = await this.listRoles(siteId);
    const role = roles.find((r) => r.code === SITE_USER_ROLE_CODE);
    if (role === undefined) {
      throw new SaltoError(
        {
          method: 'GET',
          path: `/v1.2/sites/${seg(siteId)}/roles`,
          status: 200,
          errorCode: null,
          kind: 'not_found',
          retryable: false,
          retryAfterMs: null,
          mayBeEventualConsistency: false,
        },
        `the site has no role with code "${SITE_USER_ROLE_CODE}"`,
      );
    }
    return role.id;
  }

  private url(path: string, query?: string): string {
    return `${this.apiUrl}${path}${query ? `?${query}` : ''}`;
  }

  private async one<S extends z.ZodTypeAny>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const answer = await this.send(method, this.url(path), body);
    return this.parse(schema, answer, method, path);
  }

  /**
   * Every item of a list: $top=100 on the first page, then next_page_link until it is null.
   * `params` null asks without OData parameters (GET /v1.2/sites is not a paged list).
   */
  private async list<S extends z.ZodTypeAny>(
    path: string,
    schema: S,
    params: { filter?: string } | null,
    onPage?: () => void,
  ): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    let url: string | null = this.url(path, params === null ? undefined : listQuery(params));
    const seen = new Set<string>();
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_PAGES || seen.has(url))
        throw unexpectedResponseError('GET', path, 200, 'paging does not end');
      seen.add(url);
      const answer = await this.send('GET', url);
      const { pageItems, next } = readListPage(answer.json);
      if (pageItems === null) throw unexpectedResponseError('GET', path, answer.status, 'not a list');
      for (const item of pageItems) items.push(this.parse(schema, { ...answer, json: item }, 'GET', path));
      onPage?.();
      url = next === null ? null : this.sameOriginUrl(next, path);
    }
    return items;
  }

  /** next_page_link must point back at the API: the bearer token goes nowhere else. */
  private sameOriginUrl(link: string, path: string): string {
    const resolved = new URL(link, `${this.apiUrl}/`);
    if (resolved.origin !== this.apiOrigin) {
      throw unexpectedResponseError('GET', path, 200, 'next_page_link points at another host');
    }
    return resolved.toString();
  }

  private parse<S extends z.ZodTypeAny>(
    schema: S,
    answer: HttpAnswer,
    method: string,
    path: string,
  ): z.output<S> {
    const parsed = schema.safeParse(answer.json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || 'body';
      throw unexpectedResponseError(method, path, answer.status, `missing or malformed ${where}`);
    }
    return parsed.data as z.output<S>;
  }

  /** One request, sent again after a passing fault up to `quickRetries` times (quick-retry.ts). */
  private async send(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    for (let tried = 1; ; tried++) {
      try {
        return await this.sendOnce(method, url, body);
      } catch (error) {
        if (!(error instanceof SaltoError)) throw error;
        const waitMs = quickRetryDelayMs(error, tried, this.options.quickRetries ?? 0);
        if (waitMs === null) throw error;
        await waitUnlessCancelled(waitMs, this.options.abortSignal?.());
      }
    }
  }

  /** One request; on 401 the token is renewed once and the request sent once more. */
  private async sendOnce(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    const path = new URL(url).pathname;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const attempt = async (token: string): Promise<HttpAnswer> => {
      const started = performance.now();
      const report = (outcome: string): void =>
        this.options.onExchange?.({
          method,
          endpoint: endpointOf(path),
          outcome,
          seconds: (performance.now() - started) / 1000,
        });
      try {
        const answer = await exchange({
          method,
          url,
          path,
          headers: headers(token, payload !== undefined),
          body: payload,
          timeoutMs: this.timeoutMs,
          signal: this.options.abortSignal?.(),
        });
        report(String(answer.status));
        return answer;
      } catch (error) {
        report(error instanceof SaltoError ? error.kind : 'aborted');
        throw error;
      }
    };

    let token = await this.options.auth.accessToken();
    let answer = await attempt(token);
    if (answer.status === 401) {
      this.logger.info('SALTO KS refused the access token; renewing it once', { method, path });
      token = await this.options.auth.renewAfterRejection(token);
      answer = await attempt(token);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    const error = classifyApiFailure({
      method,
      path,
      status: answer.status,
      body: answer.json,
      retryAfterHeader: answer.retryAfter,
      redact: [token],
    });
    if (error.retryable)
      this.logger.warn('SALTO KS request failed (retryable)', { method, path, status: error.status });
    throw error;
  }
}

function headers(token: string, hasBody: boolean): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
    ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
  };
}

/**
 * One path segment from an id. "." and ".." would be resolved away by URL parsing (another
 * resource than the one named), and a "/" or "\\" would split the segment: such ids are refused
 * before any request, as final (no retry makes them valid).
 */
function seg(id: string): string {
  if (id === '' || id === '.' || id === '..' || /[/\\]/.test(id))
    throw new SaltoError(
      {
        method: '-',
        path: '-',
        status: null,
        errorCode: null,
        kind: 'bad_request',
        retryable: false,
        retryAfterMs: null,
        mayBeEventualConsistency: false,
      },
      `refused the id ${JSON.stringify(id)} before sending: ids must not be empty, "." or "..", or contain "/" or "\\"`,
    );
  return encodeURIComponent(id);
}

/** Lists answer {items, next_page_link, count}; GET /v1.2/sites a bare array. */
function readListPage(json: unknown): { pageItems: unknown[] | null; next: string | null } {
  if (Array.isArray(json)) return { pageItems: json, next: null };
  if (typeof json !== 'object' || json === null) return { pageItems: null, next: null };
  const { items, next_page_link } = json as { items?: unknown; next_page_link?: unknown };
  return {
    pageItems: Array.isArray(items) ? items : null,
    next: typeof next_page_link === 'string' && next_page_link !== '' ? next_page_link : null,
  };
}
