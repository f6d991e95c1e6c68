// The SALTO KS activities (types.ts) on the client. Each is idempotent: a second run with the
// same input finds everything done and changes nothing. Failures leave as ApplicationFailure,
// nonRetryable from the client's classification, with Retry-After as nextRetryDelay, so
// Temporal's retry policy does the waiting.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { AccessGroupId, SiteId } from '../core/types';
import { deskworksAlias, personIdOfAlias } from '../shared/ids';
import type { SaltoClient } from '../salto/client';
import { mapWithConcurrency } from '../salto/concurrency';
import { SaltoError, type SaltoErrorKind } from '../salto/errors';
import type { SiteUser } from '../salto/model';
import {
  SALTO_USER_MISSING,
  type ApplyGroupDiffInput,
  type ApplyGroupDiffResult,
  type ReadUserGroupsResult,
  type SetAliasInput,
  type DeleteUserInput,
  type EnsureUserInput,
  type EnsureUserResult,
  type SaltoActivities,
  type SaltoUserRef,
  type SaltoSiteSummary,
  type SetBlockedInput,
  type SiteState,
  type UpdateProfileInput,
} from './types';

export interface SaltoActivitiesOptions {
  /**
   * SALTO is eventually consistent: for up to about a minute after a user is created, group
   * adds may answer 404 2202 and patches 403 2203. Those are retried while the activity's
   * first attempt is younger than this; after it they are final. Default 90 s.
   */
  eventualConsistencyWindowMs?: number;
  /** Group member lists read in parallel when reading a whole site. Default 4. */
  readConcurrency?: number;
  now?: () => number;
}

/** A patch of a new user may answer 403 2203 for a while (contract §2 Errors). */
const PATCH_SETTLING: SaltoErrorKind[] = ['not_allowed'];
/** A group add for a new user may answer 404 2202, and 403 2203, for a while. */
const GROUP_ADD_SETTLING: SaltoErrorKind[] = ['not_found', 'not_allowed'];

export function createSaltoActivities(
  client: SaltoClient,
  options: SaltoActivitiesOptions = {},
): SaltoActivities {
  const windowMs = options.eventualConsistencyWindowMs ?? 90_000;
  const concurrency = options.readConcurrency ?? 4;
  const now = options.now ?? Date.now;

  /**
   * Runs one activity body and turns whatever it throws into an ApplicationFailure.
   * `settlingKinds`: answers that, for this activity, may only mean SALTO has not caught up with a create.
   */
  async function run<T>(body: () => Promise<T>, settlingKinds: SaltoErrorKind[] = []): Promise<T> {
    try {
      return await body();
    } catch (error) {
      // Cancelled (worker shutdown, heartbeat timeout): report the cancellation itself, so
      // Temporal does not take it for a SALTO KS failure.
      if (error instanceof CancelledFailure) throw error;
      const settling =
        error instanceof SaltoError &&
        error.mayBeEventualConsistency &&
        settlingKinds.includes(error.kind) &&
        windowOpen(windowMs, now);
      throw toApplicationFailure(error, settling);
    }
  }

  async function findByEmail(siteId: SiteId, email: string, alias: string): Promise<SiteUser | null> {
    const matches = await client.findSiteUsersByEmail(siteId, email);
    return matches.find((u) => u.alias === alias) ?? matches[0] ?? null;
  }

  /** After a duplicate-e-mail answer: the filter first; a full scan only if the server's filter is case-sensitive. */
  async function findAfterDuplicate(siteId: SiteId, email: string, alias: string): Promise<SiteUser | null> {
    const byFilter = await findByEmail(siteId, email, alias);
    if (byFilter !== null) return byFilter;
    const wanted = email.toLowerCase();
    return (await client.listSiteUsers(siteId)).find((u) => u.user.email?.toLowerCase() === wanted) ?? null;
  }

  async function adopt(input: EnsureUserInput, user: SiteUser, alias: string): Promise<EnsureUserResult> {
    const alreadyOurs = user.alias === alias;
    const owner = personIdOfAlias(user.alias);
    // Another Deskworks record with the same e-mail already owns this user: never take it over.
    if (!alreadyOurs && owner !== null) return ensureResult(input.siteId, user, false, owner);
    if (!alreadyOurs) await client.updateSiteUser(input.siteId, user.id, { alias });
    return ensureResult(input.siteId, user, !alreadyOurs);
  }

  /** Removals first, then adds, each group on its own; a passing fault is thrown after every group was tried. */
  async function applyGroupDiff(input: ApplyGroupDiffInput): Promise<ApplyGroupDiffResult> {
    const adds = [...new Set(input.add)].sort();
    const removes = [...new Set(input.remove)].filter((g) => !adds.includes(g)).sort(); // add wins a contradiction
    const result: ApplyGroupDiffResult = { added: [], removed: [], refused: [], userMissing: false };
    // A passing fault on one group must not stop the others: it is thrown after every group was tried.
    const passing: { first: Error | null } = { first: null };
    const refuseOrKeep = (groupId: string, action: 'add' | 'remove', error: unknown): void => {
      if (isPassing(error, GROUP_ADD_SETTLING)) passing.first ??= asError(error);
      else result.refused.push({ groupId, action, message: errorMessage(error) });
    };
    // Revocations first: a door that must close never waits on one that must open.
    for (const groupId of removes) {
      try {
        await removeFromGroup(input.siteId, groupId, input.platformUserId);
        result.removed.push(groupId);
      } catch (error) {
        refuseOrKeep(groupId, 'remove', error);
      }
    }
    for (const groupId of adds) {
      try {
        await client.changeAccessGroupMembers(input.siteId, groupId, {
          addIds: [input.platformUserId],
          removeIds: [],
        });
        result.added.push(groupId);
      } catch (error) {
        if (!isNotFound(error)) {
          refuseOrKeep(groupId, 'add', error);
          continue;
        }
        // 404 2202 names neither the user nor the group: ask which one is gone.
        const gone = await whatIsGone(input.siteId, input.siteUserId, groupId);
        if (gone === 'user') {
          result.userMissing = true;
          return result;
        }
        if (gone === 'group') {
          result.refused.push({
            groupId,
            action: 'add',
            message: `access group ${groupId} does not exist on SALTO KS site ${input.siteId}`,
          });
        } else {
          refuseOrKeep(groupId, 'add', error); // both exist: SALTO KS still settling after a create
        }
      }
    }
    if (passing.first !== null) throw passing.first;
    return result;
  }

  /**
   * The groups a user just created starts with, in the same activity: a new member costs one
   * activity instead of two. Null when it could not be done now (SALTO KS still settling after
   * the create, or a passing fault): the workflow then applies them as a diff of its own, with
   * retries, and never loses that the user was created.
   */
  async function grantToCreated(
    input: EnsureUserInput,
    user: SaltoUserRef,
  ): Promise<ApplyGroupDiffResult | null> {
    const groups = input.groupsIfCreated ?? [];
    if (groups.length === 0) return null;
    try {
      return await applyGroupDiff({ ...user, add: groups, remove: [] });
    } catch (error) {
      if (error instanceof CancelledFailure) throw error;
      return null;
    }
  }

  const activities: SaltoActivities = {
    ensureSaltoUser: (input) =>
      run(async () => {
        const alias = deskworksAlias(input.personId);
        const existing = await findByEmail(input.siteId, input.profile.email, alias);
        if (existing !== null) return adopt(input, existing, alias);

        const roleId = await client.siteUserRoleId(input.siteId);
        try {
          const created = await client.createSiteUser(input.siteId, {
            first_name: input.profile.firstName,
            last_name: input.profile.lastName,
            email: input.profile.email,
            role_ids: [roleId],
            alias,
          });
          const result = { ...ensureResult(input.siteId, created, false), created: true };
          const granted = await grantToCreated(input, result);
          return granted === null ? result : { ...result, granted };
        } catch (error) {
          if (!(error instanceof SaltoError && error.isDuplicateOrInvalidEmail)) throw error;
          // Another run created the user between our look-up and our create: adopt it.
          const raced = await findAfterDuplicate(input.siteId, input.profile.email, alias);
          if (raced === null) {
            client.forgetSiteUserRole(input.siteId); // a refused field may be a stale role id
            throw error; // a malformed e-mail, not a race
          }
          return adopt(input, raced, alias);
        }
      }, PATCH_SETTLING),

    applySaltoGroupDiff: (input: ApplyGroupDiffInput) => run(() => applyGroupDiff(input), GROUP_ADD_SETTLING),

    updateSaltoUserProfile: (input: UpdateProfileInput) =>
      run(async () => {
        // The e-mail is not patchable in the Connect API; names are (contract: assumed).
        await patchUser(input.siteId, input.siteUserId, {
          first_name: input.profile.firstName,
          last_name: input.profile.lastName,
        });
      }, PATCH_SETTLING),

    setSaltoUserBlocked: (input: SetBlockedInput) =>
      run(async () => {
        await patchUser(input.siteId, input.siteUserId, { blocked: input.blocked });
      }, PATCH_SETTLING),

    setSaltoUserAlias: (input: SetAliasInput) =>
      run(async () => {
        await patchUser(input.siteId, input.siteUserId, { alias: deskworksAlias(input.personId) });
      }, PATCH_SETTLING),

    deleteSaltoUser: (input: DeleteUserInput) =>
      run(async () => {
        try {
          await client.deleteSiteUser(input.siteId, input.siteUserId);
        } catch (error) {
          if (!isNotFound(error)) throw error; // 404: deleted already
        }
      }),

    findOwnSaltoUser: (input) =>
      run(async () => {
        const alias = deskworksAlias(input.personId);
        const mine = (await client.findSiteUsersByEmail(input.siteId, input.email)).find(
          (u) => u.alias === alias,
        );
        if (!mine) return null;
        return {
          siteId: input.siteId,
          siteUserId: mine.id,
          platformUserId: mine.user.id,
          blocked: mine.blocked,
        };
      }),

    readSaltoUserGroups: (input: { siteId: SiteId; siteUserId: string; platformUserId: string }) =>
      run(async (): Promise<ReadUserGroupsResult> => {
        const user = await siteUserOrNull(input.siteId, input.siteUserId);
        if (user === null) return { exists: false, ownerId: null, groupIds: [] };
        const groups = await client.listAccessGroups(input.siteId);
        const memberships = await mapWithConcurrency(groups, concurrency, async (group) => {
          heartbeat();
          const member = await client.isAccessGroupMember(input.siteId, group.id, input.platformUserId);
          return member ? group.id : null;
        });
        return {
          exists: true,
          ownerId: personIdOfAlias(user.alias),
          groupIds: memberships.filter((id): id is AccessGroupId => id !== null).sort(),
        };
      }),

    readSaltoSiteState: (input: { siteId: SiteId }) =>
      run(async (): Promise<SiteState> => {
        // A heartbeat per page: at 50,000 users a site is about 2,000 pages, far longer than the
        // reconciliation's heartbeat timeout (1 minute), which then failed every attempt.
        const users = await client.listSiteUsers(input.siteId, heartbeat);
        const groups = await client.listAccessGroups(input.siteId);
        const groupsByUser = new Map<string, AccessGroupId[]>();
        await mapWithConcurrency(groups, concurrency, async (group) => {
          for (const member of await client.listAccessGroupMembers(input.siteId, group.id, heartbeat)) {
            const list = groupsByUser.get(member.platformUserId) ?? [];
            list.push(group.id);
            groupsByUser.set(member.platformUserId, list);
          }
        });
        return {
          siteId: input.siteId,
          users: users.map((u) => ({
            siteUserId: u.id,
            platformUserId: u.user.id,
            email: u.user.email ?? '',
            alias: u.alias,
            blocked: u.blocked,
            groupIds: [...(groupsByUser.get(u.user.id) ?? [])].sort(),
          })),
          accessGroups: groups.map((g) => ({ id: g.id, name: g.customer_reference ?? g.id })),
        };
      }),

    listSaltoSites: () =>
      run(async (): Promise<SaltoSiteSummary[]> => {
        const sites = await client.listSites();
        return sites.map((s) => ({
          id: s.id,
          name: s.customer_reference ?? s.site_uid ?? s.id,
          timeZone: s.time_zone ?? 'UTC',
        }));
      }),

    listSaltoAccessGroups: (input: { siteId: SiteId }) =>
      run(async () => {
        const groups = await client.listAccessGroups(input.siteId);
        return groups.map((g) => ({ id: g.id, name: g.customer_reference ?? g.id }));
      }),
  };

  /** PATCH of a user; a 404 means the user was deleted (by hand): the caller finds or creates it again. */
  async function patchUser(
    siteId: SiteId,
    siteUserId: string,
    body: Parameters<SaltoClient['updateSiteUser']>[2],
  ): Promise<void> {
    try {
      await client.updateSiteUser(siteId, siteUserId, body);
    } catch (error) {
      if (isNotFound(error)) throw userMissing(siteId, siteUserId);
      throw error;
    }
  }

  /** The user as SALTO KS has it now, or null when it does not exist. */
  async function siteUserOrNull(siteId: SiteId, siteUserId: string): Promise<SiteUser | null> {
    try {
      return await client.getSiteUser(siteId, siteUserId);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async function userExists(siteId: SiteId, siteUserId: string): Promise<boolean> {
    return (await siteUserOrNull(siteId, siteUserId)) !== null;
  }

  async function whatIsGone(
    siteId: SiteId,
    siteUserId: string,
    groupId: AccessGroupId,
  ): Promise<'user' | 'group' | null> {
    if (!(await userExists(siteId, siteUserId))) return 'user';
    const groups = await client.listAccessGroups(siteId);
    return groups.some((g) => g.id === groupId) ? null : 'group';
  }

  /** True for a fault worth retrying the whole (idempotent) activity for. */
  function isPassing(error: unknown, settlingKinds: SaltoErrorKind[]): boolean {
    if (!(error instanceof SaltoError)) return true; // a timeout or a dropped connection
    if (error.retryable) return true;
    return error.mayBeEventualConsistency && settlingKinds.includes(error.kind) && windowOpen(windowMs, now);
  }

  /** Bulk PATCH; should SALTO refuse a remove of a non-member with 404, the single DELETE decides. */
  async function removeFromGroup(
    siteId: SiteId,
    groupId: AccessGroupId,
    platformUserId: string,
  ): Promise<void> {
    try {
      await client.changeAccessGroupMembers(siteId, groupId, { addIds: [], removeIds: [platformUserId] });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await client.removeAccessGroupMember(siteId, groupId, platformUserId);
      } catch (single) {
        if (!isNotFound(single)) throw single; // not a member: the remove is done
      }
    }
  }

  return activities;
}

function ensureResult(
  siteId: SiteId,
  user: SiteUser,
  adopted: boolean,
  ownedBy: string | null = null,
): EnsureUserResult {
  const suspended = user.subscription_state === 'suspended';
  return {
    ownedBy,
    created: false,
    siteId,
    siteUserId: user.id,
    platformUserId: user.user.id,
    adopted,
    blocked: user.blocked,
    subscriptionState: user.subscription_state,
    warning: suspended
      ? `SALTO KS site ${siteId} has no free seat: user ${user.id} is "suspended" and opens no doors until a seat is freed`
      : null,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function userMissing(siteId: SiteId, siteUserId: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SALTO_USER_MISSING,
    message: `SALTO KS user ${siteUserId} no longer exists on site ${siteId}`,
    nonRetryable: true,
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof SaltoError && error.status === 404;
}

/** True while this activity's first attempt is recent enough for SALTO to still be settling. */
function windowOpen(windowMs: number, now: () => number): boolean {
  const firstScheduled = activityContext()?.info.scheduledTimestampMs;
  if (firstScheduled === undefined) return true; // called outside Temporal: treat as the first attempt
  return now() - firstScheduled < windowMs;
}

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/**
 * Keeps the previous attempt's details: a reconciliation reads its site through here, and its
 * retry resumes telling people from those details.
 */
function heartbeat(): void {
  const context = activityContext();
  context?.heartbeat(context.info.heartbeatDetails);
}

/** ApplicationFailure type per kind, e.g. "SaltoRateLimited", "SaltoReconnectRequired", "SaltoNotFound". */
export function saltoFailureType(kind: SaltoErrorKind): string {
  return 'Salto' + kind.replace(/(^|_)([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

export function toApplicationFailure(error: unknown, settling: boolean): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof SaltoError) {
    const retryable = error.retryable || (settling && error.mayBeEventualConsistency);
    const note =
      retryable && !error.retryable ? ' (SALTO KS may still be settling after a create; retrying)' : '';
    return ApplicationFailure.create({
      message: error.message + note,
      type: saltoFailureType(error.kind),
      nonRetryable: !retryable,
      ...(error.retryAfterMs !== null && error.retryAfterMs > 0
        ? { nextRetryDelay: error.retryAfterMs }
        : {}),
      details: [
        {
          method: error.method,
          path: error.path,
          status: error.status,
          errorCode: error.errorCode,
          kind: error.kind,
        },
      ],
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ message, type: 'SaltoUnexpectedError', nonRetryable: false });
}
