// One pass of making SALTO KS match what a person should hold: the diff only, site by site.
// Called by the person workflow, the single writer of that person's SALTO KS state.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { diffSiteGroups } from '../core/diff';
import type { Profile } from '../core/person-events';
import type { NoAccessPolicy, SiteGroups } from '../core/types';
import { salto } from './activity-proxies';

export interface SaltoUserRecord {
  siteUserId: string;
  platformUserId: string;
  email: string;
  blocked: boolean;
  /** The profile last written to this user (to send name edits only when they change). */
  profileKey: string;
}

export interface SyncState {
  users: Record<string, SaltoUserRecord>;
  applied: SiteGroups;
  inSync: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
  warnings: string[];
  failedAttempts: number;
}

export function newSyncState(): SyncState {
  return {
    users: {},
    applied: {},
    inSync: true,
    lastSyncAt: null,
    lastError: null,
    warnings: [],
    failedAttempts: 0,
  };
}

export interface SyncInput {
  personId: string;
  profile: Profile | null;
  desired: SiteGroups;
  policy: NoAccessPolicy;
}

const profileKey = (p: Profile): string => JSON.stringify([p.firstName, p.lastName, p.email.toLowerCase()]);

/** Describes an activity failure in words for the status API (never a token: activities redact). */
export function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Applies the difference between `desired` and what is applied. Mutates `state` step by step,
 * so that what already reached SALTO KS is recorded even when a later step fails.
 */
export async function syncPersonToSalto(state: SyncState, input: SyncInput): Promise<void> {
  const sites = [
    ...new Set([...Object.keys(input.desired), ...Object.keys(state.applied), ...Object.keys(state.users)]),
  ].sort();
  for (const siteId of sites) {
    const want = input.desired[siteId] ?? [];
    if (want.length > 0) await giveAccessOnSite(state, input, siteId, want);
    else await removeAccessOnSite(state, input, siteId);
  }
}

async function giveAccessOnSite(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  want: string[],
): Promise<void> {
  let user = state.users[siteId];
  if (user && input.profile && user.email.toLowerCase() !== input.profile.email.toLowerCase()) {
    // SALTO KS cannot change a user's e-mail: the person moves to a user with the new address.
    await salto.deleteSaltoUser({ siteId, siteUserId: user.siteUserId });
    delete state.users[siteId];
    delete state.applied[siteId];
    user = undefined;
  }
  if (!user) {
    if (!input.profile) {
      throw ApplicationFailure.nonRetryable('no name and e-mail known for this person yet', 'NoProfile');
    }
    const ensured = await salto.ensureSaltoUser({ siteId, personId: input.personId, profile: input.profile });
    user = {
      siteUserId: ensured.siteUserId,
      platformUserId: ensured.platformUserId,
      email: input.profile.email,
      blocked: ensured.blocked,
      profileKey: ensured.adopted ? '' : profileKey(input.profile),
    };
    state.users[siteId] = user;
    if (ensured.warning) state.warnings = [...new Set([...state.warnings, `${siteId}: ${ensured.warning}`])];
    // An adopted user may already hold groups: start from what SALTO KS shows.
    state.applied[siteId] = ensured.adopted
      ? await salto.readSaltoUserGroups({ siteId, platformUserId: ensured.platformUserId })
      : [];
  }
  if (user.blocked) {
    await salto.setSaltoUserBlocked({ siteId, siteUserId: user.siteUserId, blocked: false });
    user.blocked = false;
  }
  await updateProfileIfChanged(user, input, siteId);
  const diff = diffSiteGroups({ [siteId]: want }, { [siteId]: state.applied[siteId] ?? [] })[siteId];
  if (diff) {
    await salto.applySaltoGroupDiff({
      siteId,
      platformUserId: user.platformUserId,
      add: diff.add,
      remove: diff.remove,
    });
  }
  state.applied[siteId] = [...want];
}

async function removeAccessOnSite(state: SyncState, input: SyncInput, siteId: string): Promise<void> {
  const user = state.users[siteId];
  const have = state.applied[siteId] ?? [];
  if (!user) {
    delete state.applied[siteId];
    return;
  }
  if (have.length > 0) {
    await salto.applySaltoGroupDiff({ siteId, platformUserId: user.platformUserId, add: [], remove: have });
  }
  delete state.applied[siteId];
  // Rule 5: no group left on this site; the user is kept, blocked or deleted as the policy says.
  if (input.policy === 'delete') {
    await salto.deleteSaltoUser({ siteId, siteUserId: user.siteUserId });
    delete state.users[siteId];
    return;
  }
  if (input.policy === 'block' && !user.blocked) {
    await salto.setSaltoUserBlocked({ siteId, siteUserId: user.siteUserId, blocked: true });
    user.blocked = true;
  }
  if (input.policy === 'keep' && user.blocked) {
    await salto.setSaltoUserBlocked({ siteId, siteUserId: user.siteUserId, blocked: false });
    user.blocked = false;
  }
  await updateProfileIfChanged(user, input, siteId);
}

async function updateProfileIfChanged(
  user: SaltoUserRecord,
  input: SyncInput,
  siteId: string,
): Promise<void> {
  if (!input.profile) return;
  const key = profileKey(input.profile);
  if (user.profileKey === key) return;
  await salto.updateSaltoUserProfile({ siteId, siteUserId: user.siteUserId, profile: input.profile });
  user.profileKey = key;
}
