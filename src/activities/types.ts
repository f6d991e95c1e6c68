// The SALTO KS activities as workflows see them. Workflows import only these types
// (proxyActivities<SaltoActivities>); the implementation lives in ./salto-activities.ts.
import type { Profile } from '../core/person-events';
import type { AccessGroupId, SiteId } from '../core/types';

/** A person's user on one site: SALTO KS has two ids per person (contract §2 "Two ids per person"). */
export interface SaltoUserRef {
  siteId: SiteId;
  /** The site user's own id: for PATCH/DELETE of the user. */
  siteUserId: string;
  /** The embedded platform user id: the key of access-group membership. */
  platformUserId: string;
}

export interface EnsureUserInput {
  siteId: SiteId;
  personId: string;
  profile: Profile;
  /**
   * Groups to give the user if this call creates it (a new user holds nothing, so the diff is
   * exactly these): the create and the first grant in one activity.
   */
  groupsIfCreated?: AccessGroupId[];
}

export interface EnsureUserResult extends SaltoUserRef {
  /**
   * Set when the user with this e-mail is already managed for another Deskworks record (its alias
   * names that person): one SALTO KS user per e-mail per site, so that person stays its only
   * writer and this one contributes its groups to it instead of adopting the user.
   */
  ownedBy: string | null;
  /** true when a user with that e-mail had no owner and was adopted (its alias set) rather than created. */
  adopted: boolean;
  /** true when this call created the user (SALTO KS refuses a second user per e-mail, so no one else has it). */
  created: boolean;
  blocked: boolean;
  subscriptionState: 'subscribed' | 'suspended';
  /** Human-readable warning to surface (e.g. the site's seats are exhausted: user is "suspended"). */
  warning: string | null;
  /**
   * What became of `groupsIfCreated` when this call created the user; null or absent when
   * nothing was applied (not created, no groups asked, or SALTO KS not ready yet).
   */
  granted?: ApplyGroupDiffResult | null;
}

export interface ApplyGroupDiffInput {
  siteId: SiteId;
  /** To tell "the user is gone" from "the group is gone" when SALTO KS answers 404. */
  siteUserId: string;
  platformUserId: string;
  add: AccessGroupId[];
  remove: AccessGroupId[];
}

/** The failure type of a call on a SALTO KS user that no longer exists (deleted by hand). */
export const SALTO_USER_MISSING = 'SaltoUserMissing';

/**
 * The failure type of a call whose pass decided on a set-up that has moved since (setup-check.ts).
 * Its details: the set-up now, then a SetupRefusal.
 */
export const SETUP_CHANGED = 'SetupChanged';

/** What a refused call says besides the set-up: on which attempt it refused. */
export interface SetupRefusal {
  attempt: number;
}

/** The checked variant of an activity is registered under its name with this suffix (setup-check.ts). */
export const CHECKED_SUFFIX = 'Checked';

/** A group SALTO KS refused for good (it no longer exists, or the change is not allowed). */
export interface GroupRefusal {
  groupId: AccessGroupId;
  action: 'add' | 'remove';
  message: string;
}

export interface ApplyGroupDiffResult {
  /** Applied, each group on its own: one refusal never holds back the others. */
  added: AccessGroupId[];
  removed: AccessGroupId[];
  refused: GroupRefusal[];
  /** SALTO KS says the user does not exist (deleted by hand): nothing was applied after that. */
  userMissing: boolean;
}

export interface ReadUserGroupsResult {
  exists: boolean;
  /** The Deskworks record the user's alias names (its owner), if any. */
  ownerId: string | null;
  groupIds: AccessGroupId[];
}

export interface SetAliasInput {
  siteId: SiteId;
  siteUserId: string;
  personId: string;
}

export interface UpdateProfileInput {
  siteId: SiteId;
  siteUserId: string;
  profile: Profile;
}

export interface SetBlockedInput {
  siteId: SiteId;
  siteUserId: string;
  blocked: boolean;
}

export interface DeleteUserInput {
  siteId: SiteId;
  siteUserId: string;
}

export interface SiteUserState {
  siteUserId: string;
  platformUserId: string;
  email: string;
  alias: string | null;
  blocked: boolean;
  /** Groups of this site the user is a member of, sorted. */
  groupIds: AccessGroupId[];
}

export interface SiteState {
  siteId: SiteId;
  users: SiteUserState[];
  accessGroups: { id: AccessGroupId; name: string }[];
}

export interface FindOwnUserInput {
  siteId: SiteId;
  personId: string;
  email: string;
}

export interface FoundUser extends SaltoUserRef {
  blocked: boolean;
}

export interface SaltoSiteSummary {
  id: SiteId;
  name: string;
  timeZone: string;
}

export interface SaltoActivities {
  ensureSaltoUser(input: EnsureUserInput): Promise<EnsureUserResult>;
  /** Removals first, then adds, each group independently; retryable faults still throw (after trying every group). */
  applySaltoGroupDiff(input: ApplyGroupDiffInput): Promise<ApplyGroupDiffResult>;
  updateSaltoUserProfile(input: UpdateProfileInput): Promise<void>;
  setSaltoUserBlocked(input: SetBlockedInput): Promise<void>;
  deleteSaltoUser(input: DeleteUserInput): Promise<void>;
  /** Marks the user as this person's (`deskworks:<person id>`): hands a shared user to another record. */
  setSaltoUserAlias(input: SetAliasInput): Promise<void>;
  /**
   * The user of this e-mail that is this person's (its alias names them), or null: looks, never
   * creates. For a creation whose answer never came (maybe-created groups, person-sync.ts).
   */
  findOwnSaltoUser(input: FindOwnUserInput): Promise<FoundUser | null>;
  /** Whether the user still exists, and the groups of one site it is a member of (resync of one person). */
  readSaltoUserGroups(input: {
    siteId: SiteId;
    siteUserId: string;
    platformUserId: string;
  }): Promise<ReadUserGroupsResult>;
  /** Users and memberships of a whole site (for the periodic reconciliation). */
  readSaltoSiteState(input: { siteId: SiteId }): Promise<SiteState>;
  listSaltoSites(): Promise<SaltoSiteSummary[]>;
  listSaltoAccessGroups(input: { siteId: SiteId }): Promise<{ id: AccessGroupId; name: string }[]>;
}
