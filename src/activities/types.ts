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
}

export interface EnsureUserResult extends SaltoUserRef {
  /** true when a user with that e-mail already existed and was adopted rather than created. */
  adopted: boolean;
  blocked: boolean;
  subscriptionState: 'subscribed' | 'suspended';
  /** Human-readable warning to surface (e.g. the site's seats are exhausted: user is "suspended"). */
  warning: string | null;
}

export interface ApplyGroupDiffInput {
  siteId: SiteId;
  platformUserId: string;
  add: AccessGroupId[];
  remove: AccessGroupId[];
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

export interface SaltoSiteSummary {
  id: SiteId;
  name: string;
  timeZone: string;
}

export interface SaltoActivities {
  ensureSaltoUser(input: EnsureUserInput): Promise<EnsureUserResult>;
  applySaltoGroupDiff(input: ApplyGroupDiffInput): Promise<void>;
  updateSaltoUserProfile(input: UpdateProfileInput): Promise<void>;
  setSaltoUserBlocked(input: SetBlockedInput): Promise<void>;
  deleteSaltoUser(input: DeleteUserInput): Promise<void>;
  /** The groups of one site that a platform user is a member of (for reconciling one person). */
  readSaltoUserGroups(input: { siteId: SiteId; platformUserId: string }): Promise<AccessGroupId[]>;
  /** Users and memberships of a whole site (for the periodic reconciliation). */
  readSaltoSiteState(input: { siteId: SiteId }): Promise<SiteState>;
  listSaltoSites(): Promise<SaltoSiteSummary[]>;
  listSaltoAccessGroups(input: { siteId: SiteId }): Promise<{ id: AccessGroupId; name: string }[]>;
}
