// One pass of making SALTO KS match what a person should hold: the diff only, site by site.
// Called by the person workflow, the single writer of that person's SALTO KS state.
//
// Every site, and every group within a site, is applied on its own: one refusal is recorded and
// retried, never a reason to skip the rest. Revocations on every site come before any grant.
// A user of an earlier e-mail is removed only once the user of the new one holds its groups.
// When another Deskworks record already owns the SALTO KS user of this e-mail on a site (one
// user per e-mail per site), this record sends its groups to that owner instead of writing.
// A user that existed without an owner is claimed (its alias set), and only written after the
// claim is confirmed a little later: SALTO KS has no compare-and-set, so two records that adopt
// it at once both write the alias, and the alias that stands names the one owner.
import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { SALTO_USER_MISSING, type ApplyGroupDiffResult, type EnsureUserResult } from '../activities/types';
import type { Profile, SharedGroupsEvent } from '../core/person-events';
import { appendHistory, isRepair, type HistoryEntry, type PassCause } from '../core/access-history';
import type { DesiredAccess, NoAccessPolicy, SiteGroups } from '../core/types';
import { personWorkflowId } from '../shared/ids';
import { coordination, salto, SALTO_ACTIVITY_OPTIONS } from './activity-proxies';
import {
  mayHaveActed,
  movedSetupOf,
  personNewsCalls,
  refusedUntouched,
  saltoCalls,
  type SetupCheck,
} from './setup-check';
import { groupDiffSummary, userCallSummary } from './summaries';

export interface SaltoUserRecord {
  siteUserId: string;
  platformUserId: string;
  email: string;
  blocked: boolean;
  /** The profile last written to this user (to send name edits only when they change). */
  profileKey: string;
}

/** A user of an earlier e-mail, kept with its groups until the new one has them. */
export interface RetiringUser extends SaltoUserRecord {
  groups: string[];
  /**
   * Groups a write may have given it without an answer (what the records sharing it sent): taken
   * away when no longer kept, given again while still owed, handed over as maybe held.
   */
  maybe?: string[];
}

/** This record's groups on a site go to the record that owns the user of the same e-mail there. */
export interface SharedUserLink {
  ownerId: string;
  email: string;
  /** The groups last sent, as a key: a change is sent once. */
  sentKey: string | null;
}

/** A user found without an owner and given this record's alias, not yet written to. */
export interface PendingClaim {
  siteUserId: string;
  platformUserId: string;
  email: string;
  blocked: boolean;
  /** When to read the alias back (epoch ms): after any concurrent adopter's write has landed. */
  confirmAt: number;
}

/**
 * How long a claim waits before its alias is read back. Longer than any write a concurrent
 * adopter can still make after reading the user without an owner: an activity attempt lasts at
 * most 45 s (and each of its requests 15 s), so 2 minutes leaves a wide margin.
 */
export const CLAIM_CONFIRM_MS = 2 * 60_000;

/** What another record with this person's e-mail asks this owner to hold for it on a site. */
export interface Contribution {
  email: string;
  profile: Profile;
  groups: string[];
  seq: number;
}

export interface SyncState {
  users: Record<string, SaltoUserRecord>;
  applied: SiteGroups;
  retiring: Record<string, RetiringUser>;
  sharedWith: Record<string, SharedUserLink>;
  /** Per site: a user adopted and waiting for its claim to be confirmed. */
  claims: Record<string, PendingClaim>;
  /** Per site, per contributing person id. */
  contributions: Record<string, Record<string, Contribution>>;
  sharedSeq: number;
  inSync: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
  warnings: string[];
  failedAttempts: number;
  /** When the current run of failures began (null while in sync): retries stay close for a while. */
  failingSince: string | null;
  /**
   * The last pass failed only because SALTO KS refused groups for good (a mapped group deleted
   * there): retried hourly instead of within minutes. Absent in states written before 0.2.0.
   */
  refusedOnly?: boolean;
  /**
   * Per site: groups a write may have given without its answer coming back (timed out, or
   * cancelled by a revocation). Taken away if no longer wanted, given again if still wanted.
   * Absent in states written before 0.5.0.
   */
  maybeHeld?: Record<string, string[]>;
  /**
   * Per site: groups a user may hold that a creation gave without its answer coming back (the
   * activity that creates a user with its groups was cancelled by a revocation, or failed): no
   * user is known, yet one may exist with them. It is looked up when they must go. Absent before
   * 0.5.0.
   */
  maybeCreated?: Record<string, string[]>;
  /**
   * Per site: e-mails of users of this record that may still exist there and must not keep their
   * groups: a creation that got no answer, or an earlier e-mail's user that made way for another
   * (EARLIER_EMAIL_USERS_PATCH). One that is not the person's e-mail is looked up by it and
   * retired like the user of any earlier e-mail. Absent before 0.6.0.
   */
  earlierEmails?: Record<string, string[]>;
  /** Since when `inSync` has been false (null while in sync); absent before 0.5.0. */
  outOfSyncSince?: string | null;
  /** What reached SALTO KS and what failed, newest last (core/access-history.ts); absent before 0.5.0. */
  history?: HistoryEntry[];
  /**
   * Sites whose groups the next pass reads back from SALTO KS before it writes: a reconciliation
   * saw there something other than what this person last wrote (VERIFIED_OBSERVATIONS_PATCH).
   * Kept until read, so a failed pass reads them on its retry. Absent before 0.6.0.
   */
  rereadSites?: string[];
}

export function newSyncState(): SyncState {
  return {
    users: {},
    applied: {},
    retiring: {},
    sharedWith: {},
    claims: {},
    contributions: {},
    sharedSeq: 0,
    // Not in sync until a first pass says so: a person whose doors are still being written is not.
    inSync: false,
    lastSyncAt: null,
    lastError: null,
    warnings: [],
    failedAttempts: 0,
    failingSince: null,
  };
}

/** A state carried over continue-as-new from before these fields existed. */
export function upgradeSyncState(state: Partial<SyncState>): SyncState {
  return { ...newSyncState(), ...state };
}

export interface SyncInput {
  personId: string;
  profile: Profile | null;
  /** This record's own groups (rules 1–4), without what others contribute. */
  desired: SiteGroups;
  policy: NoAccessPolicy;
  /** Record groups whose write got no answer as maybe held (PREEMPTIBLE_PASS_PATCH). */
  uncertainWrites?: boolean;
  /** How activity summaries name each SALTO KS site (summaries.ts siteLabels); ids without it. */
  siteLabels?: Record<string, string>;
  /** Record each group change in `state.history`, with the reasons and the cause of this pass. */
  record?: { cause: PassCause; reasons: DesiredAccess['reasons'] };
  /** The set-up version the pass decided on, when it did not read it for this pass (setup-check.ts). */
  setupCheck?: SetupCheck;
}

/** Two spellings of one address are one e-mail (SALTO KS compares them without case). */
const emailKey = (email: string): string => email.toLowerCase();
const profileKey = (p: Profile): string => JSON.stringify([p.firstName, p.lastName, emailKey(p.email)]);
const sameEmail = (a: string, b: string): boolean => emailKey(a) === emailKey(b);
const sortedUnique = (ids: readonly string[]): string[] => [...new Set(ids)].sort();

/** Describes an activity failure in words for the status API (never a token: activities redact). */
export function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

function isUserMissing(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === SALTO_USER_MISSING
  );
}

/** The contributions to this owner that belong to the user of `email` on a site. */
export function contributedGroups(state: SyncState, siteId: string, email: string | null): string[] {
  if (email === null) return [];
  return Object.values(state.contributions[siteId] ?? {})
    .filter((c) => sameEmail(c.email, email))
    .flatMap((c) => c.groups);
}

/** What the SALTO KS user of this person's e-mail must hold: its own groups and what others contribute. */
export function groupsToHold(state: SyncState, input: SyncInput): SiteGroups {
  const sites = new Set([...Object.keys(input.desired), ...Object.keys(state.contributions)]);
  const email = input.profile?.email ?? null;
  const out: SiteGroups = {};
  for (const siteId of [...sites].sort()) {
    const groups = sortedUnique([
      ...(input.desired[siteId] ?? []),
      ...contributedGroups(state, siteId, email),
    ]);
    if (groups.length > 0) out[siteId] = groups;
  }
  return out;
}

/**
 * Applies the difference between what must be held and what is applied. Mutates `state` step by
 * step, so that what reached SALTO KS is recorded even when a later step fails. Returns the
 * problems met, in words (empty when everything is in line).
 */
export async function syncPersonToSalto(state: SyncState, input: SyncInput): Promise<string[]> {
  let hold = groupsToHold(state, input);
  const pass: Pass = { problems: [], refusedAdds: {}, refusals: 0 };
  const sites = sortedUnique([
    ...Object.keys(hold),
    ...Object.keys(state.applied),
    ...Object.keys(state.users),
    ...Object.keys(state.retiring),
    ...Object.keys(state.sharedWith),
    ...Object.keys(state.claims),
    ...Object.keys(state.contributions),
    ...Object.keys(state.maybeCreated ?? {}),
    ...Object.keys(state.earlierEmails ?? {}),
  ]);
  const onSite = async (siteId: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      // Nothing decided on the old set-up may act: the pass ends here. A refusal on a later
      // attempt may follow one that acted: the next pass reads this site's groups back first.
      if (movedSetupOf(err)) {
        if (mayHaveActed(err)) state.rereadSites = sortedUnique([...(state.rereadSites ?? []), siteId]);
        throw err;
      }
      if (isUserMissing(err)) forgetUser(state, siteId);
      pass.problems.push(`site ${siteId}: ${describeFailure(err)}`);
    }
  };
  const want = (siteId: string): string[] => hold[siteId] ?? [];
  // 0. A record an earlier release linked to itself takes its user back; claims that are due
  // make the user this record's, or another's to which it contributes.
  let repaired = false;
  for (const siteId of sites)
    if (state.sharedWith[siteId]?.ownerId === input.personId)
      await onSite(siteId, async () => {
        repaired = (await repairSelfLink(state, input, siteId)) || repaired;
      });
  // The groups it had sent itself are no longer its to hold.
  if (repaired) hold = groupsToHold(state, input);
  for (const siteId of sites) {
    const claim = state.claims[siteId];
    if (claim && claim.confirmAt <= Date.now())
      await onSite(siteId, () => confirmClaim(state, input, siteId, claim));
  }
  // 1. Revocations everywhere first: a door that must close never waits on one that must open.
  for (const siteId of sites)
    await onSite(siteId, () => revokeOnSite(state, input, siteId, want(siteId), pass));
  // 2. Grants.
  for (const siteId of sites) {
    if (want(siteId).length > 0)
      await onSite(siteId, () => grantOnSite(state, input, siteId, want(siteId), pass));
  }
  // 3. Users left: the old e-mail's users, the no-access policy, name edits.
  for (const siteId of sites)
    await onSite(siteId, () => settleSite(state, input, siteId, want(siteId), pass));
  state.refusedOnly = pass.problems.length > 0 && pass.problems.length === pass.refusals;
  return pass.problems;
}

/** What one pass met: problems in words, and the groups SALTO KS refused to give, per site. */
interface Pass {
  problems: string[];
  refusedAdds: Record<string, string[]>;
  /** How many of the problems are SALTO KS refusing a group for good (the rest may pass). */
  refusals: number;
}

function forgetUser(state: SyncState, siteId: string): void {
  delete state.users[siteId];
  delete state.applied[siteId];
  if (state.maybeHeld) delete state.maybeHeld[siteId];
}

/** The groups a diff added and removed, in the person's history. */
function recordChanges(
  state: SyncState,
  record: NonNullable<SyncInput['record']>,
  siteId: string,
  result: ApplyGroupDiffResult,
): void {
  const at = new Date(Date.now()).toISOString();
  const repair = isRepair(record.cause);
  const entries: HistoryEntry[] = [
    ...result.removed.map((groupId) => ({ groupId, action: 'removed' as const })),
    ...result.added.map((groupId) => ({ groupId, action: 'added' as const })),
  ].map(({ groupId, action }) => ({
    kind: 'change',
    at,
    siteId,
    groupId,
    action,
    reasons: action === 'added' ? (record.reasons[siteId]?.[groupId] ?? []) : [],
    cause: record.cause,
    repair,
  }));
  if (entries.length > 0) state.history = appendHistory(state.history ?? [], entries);
}

/**
 * The diff of the person's own user on a site, with the groups that may be held: those are taken
 * away when not wanted and given again when wanted. Records what the write leaves uncertain.
 */
async function applyOwnDiff(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  user: SaltoUserRecord,
  want: string[] | null,
  keep: ReadonlySet<string>,
  pass: Pass,
): Promise<ApplyGroupDiffResult | null> {
  const have = state.applied[siteId] ?? [];
  const maybe = state.maybeHeld?.[siteId] ?? [];
  const add = want === null ? [] : want.filter((g) => !have.includes(g) || maybe.includes(g));
  const remove = sortedUnique([...have, ...maybe]).filter((g) => !keep.has(g));
  const summary = groupDiffSummary(
    input.siteLabels ?? {},
    siteId,
    add,
    remove,
    input.record?.reasons[siteId] ?? {},
  );
  const result = await applyDiffNotingMaybe(input, siteId, user, { add, remove }, pass, summary, {
    maybe,
    note: (left) => {
      if (left.length > 0) (state.maybeHeld ??= {})[siteId] = left;
      else if (state.maybeHeld) delete state.maybeHeld[siteId];
    },
  });
  if (result && input.record) recordChanges(state, input.record, siteId, result);
  return result;
}

/** Groups a user may hold without an answer having said so, and where to keep what is left of them. */
interface MaybeHeld {
  maybe: readonly string[];
  note: (maybe: string[]) => void;
}

/**
 * A diff whose adds may land without an answer coming back: on such a failure they are noted as
 * maybe held; once the call answers, the maybe-held groups it settled are no longer noted.
 */
async function applyDiffNotingMaybe(
  input: SyncInput,
  siteId: string,
  user: SaltoUserRecord,
  diff: { add: string[]; remove: string[] },
  pass: Pass,
  summary: string,
  { maybe, note }: MaybeHeld,
): Promise<ApplyGroupDiffResult | null> {
  const { add, remove } = diff;
  let result: ApplyGroupDiffResult | null;
  try {
    result = await applyDiff(input, siteId, user, add, remove, pass, summary);
  } catch (err) {
    // A call refused for a moved set-up on its first attempt wrote nothing.
    if (input.uncertainWrites && add.length > 0 && !refusedUntouched(err))
      note(sortedUnique([...maybe, ...add]));
    throw err;
  }
  // Every group of the call got its answer: added, removed, or refused.
  if (maybe.length > 0) note(maybe.filter((g) => !add.includes(g) && !remove.includes(g)));
  return result;
}

async function applyDiff(
  input: SyncInput,
  siteId: string,
  user: SaltoUserRecord,
  add: string[],
  remove: string[],
  pass: Pass,
  summary: string,
): Promise<ApplyGroupDiffResult | null> {
  if (add.length === 0 && remove.length === 0) return null;
  const result = await saltoCalls(input.setupCheck).applySaltoGroupDiff.executeWithOptions(
    { ...SALTO_ACTIVITY_OPTIONS, summary },
    [{ siteId, siteUserId: user.siteUserId, platformUserId: user.platformUserId, add, remove }],
  );
  return takeDiffResult(siteId, result, pass);
}

/** A SALTO KS user call with its summary for the Web UI. */
function saltoCall(input: SyncInput, siteId: string, what: string): typeof SALTO_ACTIVITY_OPTIONS {
  return { ...SALTO_ACTIVITY_OPTIONS, summary: userCallSummary(input.siteLabels ?? {}, siteId, what) };
}

/** Records what SALTO KS refused in a diff among the pass's problems. */
function takeDiffResult(siteId: string, result: ApplyGroupDiffResult, pass: Pass): ApplyGroupDiffResult {
  for (const r of result.refused) {
    pass.problems.push(`site ${siteId} group ${r.groupId}: ${r.message}`);
    pass.refusals++;
    if (r.action === 'add') (pass.refusedAdds[siteId] ??= []).push(r.groupId);
  }
  return result;
}

/** Applied groups after a diff: what was there, minus what went, plus what came. */
function afterDiff(have: string[], result: ApplyGroupDiffResult | null): string[] {
  if (!result) return have;
  const removed = new Set(result.removed);
  return sortedUnique([...have.filter((g) => !removed.has(g)), ...result.added]);
}

async function revokeOnSite(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  want: string[],
  pass: Pass,
): Promise<void> {
  const keep = new Set(want);
  const user = state.users[siteId] ?? (await findMaybeCreated(state, input, siteId, keep));
  if (user) {
    const have = state.applied[siteId] ?? [];
    const held = sortedUnique([...have, ...(state.maybeHeld?.[siteId] ?? [])]);
    // A user of the e-mail the person is leaving (it retires once the new one is made, below)
    // still carries what other records contribute to that e-mail.
    const keepOnUser = keepWithContributions(state, siteId, user.email, keep, held);
    const result = await applyOwnDiff(state, input, siteId, user, null, keepOnUser, pass);
    if (result?.userMissing) forgetUser(state, siteId);
    else state.applied[siteId] = afterDiff(have, result);
  } else {
    delete state.applied[siteId];
  }
  const retiring = state.retiring[siteId];
  if (retiring) await revokeFromRetiring(state, input, siteId, retiring, keep, pass);
  const link = state.sharedWith[siteId];
  if (link && (want.length === 0 || !input.profile || !sameEmail(link.email, input.profile.email))) {
    await contribute(state, input, siteId, link, []);
    if (!input.profile || !sameEmail(link.email, input.profile.email)) delete state.sharedWith[siteId];
  }
  // Users of earlier e-mails not retiring yet lose now what the person no longer has. The first
  // retires like any once the new user is ready; while another retires, it stays noted, keeping
  // what the person still has until then (settleSite retires each in turn), and is looked up again
  // by the next pass's revocations. One of the person's e-mail again is the person's.
  for (const email of earlierEmailsToFind(state, input, siteId)) {
    const found = await findEarlierUser(state, input, siteId, email);
    if (!found) continue;
    const known = [state.users[siteId], state.retiring[siteId]].some(
      (u) => u?.siteUserId === found.siteUserId,
    );
    if (!known && (await revokeFromRetiring(state, input, siteId, found, keep, pass))) {
      if (input.profile && sameEmail(found.email, input.profile.email)) {
        if (!state.users[siteId]) restoreUser(state, siteId, found);
      } else if (state.retiring[siteId]) continue;
      else state.retiring[siteId] = found;
    }
    forgetEarlierEmail(state, siteId, email);
  }
}

/**
 * `keep`, and the groups other records contribute to the user of `email`, where that changes what a
 * user holding `held` loses (patch RETIRING_SHARED_USER_PATCH; other histories ask nothing).
 */
function keepWithContributions(
  state: SyncState,
  siteId: string,
  email: string,
  keep: ReadonlySet<string>,
  held: readonly string[],
): ReadonlySet<string> {
  const contributed = contributedGroups(state, siteId, email).filter((g) => !keep.has(g));
  if (!held.some((g) => contributed.includes(g)) || !patched(RETIRING_SHARED_USER_PATCH)) return keep;
  return new Set([...keep, ...contributed]);
}

/** The first noted e-mail's user that is there, made the site's retiring user. */
async function nextEarlierUser(
  state: SyncState,
  input: SyncInput,
  siteId: string,
): Promise<RetiringUser | undefined> {
  for (const email of earlierEmailsToFind(state, input, siteId)) {
    const found = await findEarlierUser(state, input, siteId, email);
    if (!found) continue;
    state.retiring[siteId] = found;
    forgetEarlierEmail(state, siteId, email);
    return found;
  }
  return undefined;
}

/**
 * Takes from the user of an earlier e-mail the groups the person no longer has; false: it is gone.
 * The groups other records contribute to that e-mail's user are theirs, not the person's: it keeps
 * them until it is handed over (retire).
 */
async function revokeFromRetiring(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  retiring: RetiringUser,
  keep: ReadonlySet<string>,
  pass: Pass,
): Promise<boolean> {
  const held = sortedUnique([...retiring.groups, ...(retiring.maybe ?? [])]);
  const keepOnUser = keepWithContributions(state, siteId, retiring.email, keep, held);
  const remove = held.filter((g) => !keepOnUser.has(g));
  const summary = groupDiffSummary(
    input.siteLabels ?? {},
    siteId,
    [],
    remove,
    {},
    ' from the user of an earlier e-mail',
  );
  const diff = { add: [], remove };
  const result = await applyDiffNotingMaybe(input, siteId, retiring, diff, pass, summary, maybeOn(retiring));
  if (result?.userMissing) {
    releaseRetiring(state, siteId, retiring);
    return false;
  }
  retiring.groups = afterDiff(retiring.groups, result);
  return true;
}

/**
 * Patch (0.10.0): a shared user whose owner moved to another e-mail kept, until it was handed over,
 * only what the owner still had: the groups its other records contribute were taken away (a
 * contact locked out of a room it had booked) and given back by the heir once it took the user
 * over, or never while the owner's new user could not be made ready.
 */
export const RETIRING_SHARED_USER_PATCH = 'retiring-shared-user';

/** What the user of an earlier e-mail may hold without an answer having said so. */
function maybeOn(retiring: RetiringUser): MaybeHeld {
  return {
    maybe: retiring.maybe ?? [],
    note: (left) => {
      if (left.length > 0) retiring.maybe = left;
      else delete retiring.maybe;
    },
  };
}

/**
 * While the user of an earlier e-mail waits for the new one (rule C), it takes the groups the
 * records sharing it (rule B) sent meanwhile: their doors do not wait on this person's new user.
 * After the revocations of the pass (rule F), and only on a user that stays.
 */
async function giveContributionsWhileWaiting(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  retiring: RetiringUser,
  pass: Pass,
): Promise<void> {
  const maybe = retiring.maybe ?? [];
  const owed = sortedUnique(contributedGroups(state, siteId, retiring.email)).filter(
    (g) => !retiring.groups.includes(g) || maybe.includes(g),
  );
  if (owed.length === 0 || !patched(RETIRING_SHARED_USER_PATCH)) return;
  const summary = groupDiffSummary(
    input.siteLabels ?? {},
    siteId,
    owed,
    [],
    {},
    ' on the user of an earlier e-mail, for the records that share it',
  );
  const diff = { add: owed, remove: [] };
  const result = await applyDiffNotingMaybe(input, siteId, retiring, diff, pass, summary, maybeOn(retiring));
  if (result?.userMissing) {
    // Deleted by hand: the records that shared it are owed a user of that e-mail all the same.
    releaseRetiring(state, siteId, retiring);
    return;
  }
  retiring.groups = afterDiff(retiring.groups, result);
}

/** A user of an earlier e-mail that is the person's e-mail again: the person's user, with its groups. */
function restoreUser(state: SyncState, siteId: string, retiring: RetiringUser): void {
  const { groups, maybe, ...user } = retiring;
  state.users[siteId] = user;
  state.applied[siteId] = groups;
  if (maybe)
    (state.maybeHeld ??= {})[siteId] = sortedUnique([...(state.maybeHeld?.[siteId] ?? []), ...maybe]);
}

/** Empties the site's retiring slot if this user holds it (an earlier one may retire beside it). */
function releaseRetiring(state: SyncState, siteId: string, retiring: RetiringUser): void {
  if (state.retiring[siteId] === retiring) delete state.retiring[siteId];
}

async function grantOnSite(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  want: string[],
  pass: Pass,
): Promise<void> {
  const profile = input.profile;
  if (!profile)
    throw ApplicationFailure.nonRetryable('no name and e-mail known for this person yet', 'NoProfile');
  retireIfEmailChanged(state, siteId, profile);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (state.claims[siteId]) return; // nothing is written to a claimed user before it is confirmed
    const link = state.sharedWith[siteId];
    if (link) {
      await contribute(state, input, siteId, link, input.desired[siteId] ?? []);
      return;
    }
    const known = state.users[siteId];
    const ensured = known ? null : await ensureUser(state, input, siteId, profile, want);
    const user = known ?? ensured?.user;
    if (!user) continue; // claimed, or another record owns this e-mail's user: contribute to it
    if (user.blocked) {
      await saltoCalls(input.setupCheck).setSaltoUserBlocked.executeWithOptions(
        saltoCall(input, siteId, 'unblock the SALTO KS user'),
        [{ siteId, siteUserId: user.siteUserId, blocked: false }],
      );
      user.blocked = false;
    }
    await updateProfileIfChanged(input, user, profile, siteId);
    const have = state.applied[siteId] ?? [];
    // Removals too: a user adopted in this pass may hold groups no rule gives.
    const result = ensured?.granted
      ? takeDiffResult(siteId, ensured.granted, pass) // created with its groups in one call
      : await applyOwnDiff(state, input, siteId, user, want, new Set(want), pass);
    if (ensured?.granted && input.record && !ensured.granted.userMissing)
      recordChanges(state, input.record, siteId, ensured.granted);
    if (result?.userMissing) {
      forgetUser(state, siteId); // deleted by hand: find or create it again, with its groups
      continue;
    }
    state.applied[siteId] = afterDiff(have, result);
    return;
  }
  pass.problems.push(
    `site ${siteId}: the SALTO KS user vanished twice while its groups were given; trying again`,
  );
}

/**
 * SALTO KS cannot change a user's e-mail: the person moves to a user with the new address, and
 * the user of the old one retires. A site holds one retiring user: when the e-mail changes again
 * before it has gone, it is the person's user again (the e-mail changed back), or its e-mail is
 * noted: each pass's revocations look it up (revokeOnSite), and it retires after the other.
 */
function retireIfEmailChanged(state: SyncState, siteId: string, profile: Profile): void {
  const user = state.users[siteId];
  const earlier = state.retiring[siteId];
  if (!user) {
    // No user of the e-mail in between is known (its creation got no answer): changed back, the
    // retiring user is the person's again all the same.
    if (earlier && sameEmail(earlier.email, profile.email) && patched(EARLIER_EMAIL_USERS_PATCH)) {
      restoreUser(state, siteId, earlier);
      delete state.retiring[siteId];
    }
    return;
  }
  if (sameEmail(user.email, profile.email)) return;
  if (!patched(EARLIER_EMAIL_USERS_PATCH)) {
    if (!earlier) state.retiring[siteId] = { ...user, groups: state.applied[siteId] ?? [] };
    forgetUser(state, siteId);
    return;
  }
  // The groups a write may have given it without an answer go with it too.
  const groups = sortedUnique([...(state.applied[siteId] ?? []), ...(state.maybeHeld?.[siteId] ?? [])]);
  forgetUser(state, siteId);
  if (earlier && sameEmail(earlier.email, profile.email)) {
    restoreUser(state, siteId, earlier);
  } else if (earlier) {
    noteEarlierEmail(state, siteId, earlier.email);
  }
  state.retiring[siteId] = { ...user, groups };
}

/**
 * The user a creation may have made with groups that must now go: looked up (never created), and
 * if it is there, known from now on with those groups as maybe held, so the diff takes them away.
 */
async function findMaybeCreated(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  keep: ReadonlySet<string>,
): Promise<SaltoUserRecord | undefined> {
  const maybe = state.maybeCreated?.[siteId] ?? [];
  if (!input.profile || maybe.every((g) => keep.has(g))) return undefined;
  const email = input.profile.email;
  const found = await saltoCalls(input.setupCheck).findOwnSaltoUser.executeWithOptions(
    saltoCall(input, siteId, 'look for a SALTO KS user whose creation got no answer'),
    [{ siteId, personId: input.personId, email }],
  );
  delete state.maybeCreated![siteId];
  forgetEarlierEmail(state, siteId, email);
  if (!found) return undefined;
  const user: SaltoUserRecord = {
    siteUserId: found.siteUserId,
    platformUserId: found.platformUserId,
    email,
    blocked: found.blocked,
    profileKey: '',
  };
  state.users[siteId] = user;
  state.applied[siteId] = [];
  (state.maybeHeld ??= {})[siteId] = sortedUnique(maybe);
  return user;
}

/** Notes an e-mail whose user of this record may exist on the site and is to be looked up. */
export function noteEarlierEmail(state: SyncState, siteId: string, email: string): void {
  const emails = (state.earlierEmails ??= {})[siteId] ?? [];
  if (!emails.some((e) => sameEmail(e, email))) state.earlierEmails[siteId] = [...emails, email];
}

function forgetEarlierEmail(state: SyncState, siteId: string, email: string): void {
  const left = (state.earlierEmails?.[siteId] ?? []).filter((e) => !sameEmail(e, email));
  if (left.length > 0) state.earlierEmails![siteId] = left;
  else if (state.earlierEmails) delete state.earlierEmails[siteId];
}

/** A creation with groups that got no answer: the user may exist, with them. */
function noteMaybeCreated(state: SyncState, siteId: string, email: string, groups: string[]): void {
  const maybeCreated = (state.maybeCreated ??= {});
  maybeCreated[siteId] = sortedUnique([...(maybeCreated[siteId] ?? []), ...groups]);
  noteEarlierEmail(state, siteId, email);
}

/**
 * Since 0.6.0 no user of an earlier e-mail is forgotten with its groups (a door left open):
 * - a creation that got no answer is remembered with its e-mail, and once the person's e-mail is
 *   another, the user it may have made is looked up by that e-mail and retired (before, it was
 *   looked up by the new e-mail only, and never found);
 * - an e-mail change while the user of an earlier one is still retiring makes that user the
 *   person's again (the e-mail changed back) or retires it at once (a third e-mail); before, the
 *   user of the e-mail left was forgotten (the model test found it: a co-member whose e-mail went
 *   to another and back while its passes were cut short).
 */
export const EARLIER_EMAIL_USERS_PATCH = 'earlier-email-users';

/**
 * The noted e-mails whose users are to be looked up: every one but the person's e-mail, and that
 * one too while no user of it is known (the e-mail changed back to it, or its creation went
 * unanswered). One whose user is known is forgotten.
 */
function earlierEmailsToFind(state: SyncState, input: SyncInput, siteId: string): string[] {
  const current = input.profile?.email;
  if (current === undefined) return [];
  const user = state.users[siteId];
  if (user && sameEmail(user.email, current)) forgetEarlierEmail(state, siteId, current);
  const emails = (state.earlierEmails?.[siteId] ?? []).filter((e) => !user || !sameEmail(e, current));
  return emails.length > 0 && patched(EARLIER_EMAIL_USERS_PATCH) ? emails : [];
}

/**
 * The user of an earlier e-mail with this record's alias, looked up by that e-mail, with its groups.
 * The e-mail stays noted until the caller has put the user somewhere (a failure in between must
 * not lose it); one with no user is forgotten.
 */
async function findEarlierUser(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  email: string,
): Promise<RetiringUser | undefined> {
  const found = await saltoCalls(input.setupCheck).findOwnSaltoUser.executeWithOptions(
    saltoCall(input, siteId, 'look for the SALTO KS user of an earlier e-mail'),
    [{ siteId, personId: input.personId, email }],
  );
  const seen = found
    ? await saltoCalls(input.setupCheck).readSaltoUserGroups.executeWithOptions(
        saltoCall(input, siteId, 'read the groups of the SALTO KS user of an earlier e-mail'),
        [{ siteId, siteUserId: found.siteUserId, platformUserId: found.platformUserId }],
      )
    : null;
  if (!found || !seen?.exists) {
    forgetEarlierEmail(state, siteId, email);
    return undefined;
  }
  return {
    siteUserId: found.siteUserId,
    platformUserId: found.platformUserId,
    email,
    blocked: found.blocked,
    profileKey: '',
    groups: seen.groupIds,
  };
}

/** Since 0.5.0 a creation with groups that got no answer records them as maybe created. */
export const MAYBE_CREATED_PATCH = 'maybe-created';

/** A user found or created; `granted` when it was created with its groups in the same call. */
interface EnsuredUser {
  user: SaltoUserRecord;
  granted: ApplyGroupDiffResult | null;
}

/**
 * Finds or creates the user of this e-mail; one it creates is given `groups` in the same call.
 * Null when another record owns it (this one then contributes), or when it was just claimed (it
 * is confirmed on a later pass).
 */
async function ensureUser(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  profile: Profile,
  groups: string[],
): Promise<EnsuredUser | null> {
  // Histories from before 0.3.0 created the user and gave its groups in two activities.
  const grantOnCreate = patched(GRANT_ON_CREATE_PATCH) && groups.length > 0;
  let ensured: EnsureUserResult;
  try {
    ensured = await saltoCalls(input.setupCheck).ensureSaltoUser.executeWithOptions(
      saltoCall(
        input,
        siteId,
        grantOnCreate
          ? `find or create the SALTO KS user; a new one gets ${groups.join(', ')}`
          : 'find or create the SALTO KS user',
      ),
      [{ siteId, personId: input.personId, profile, ...(grantOnCreate ? { groupsIfCreated: groups } : {}) }],
    );
  } catch (err) {
    // The user may have been created, and given its groups, before the answer was lost.
    if (grantOnCreate && input.uncertainWrites && !refusedUntouched(err) && patched(MAYBE_CREATED_PATCH))
      noteMaybeCreated(state, siteId, profile.email, groups);
    throw err;
  }
  const maybeBefore = state.maybeCreated?.[siteId] ?? [];
  if (state.maybeCreated) delete state.maybeCreated[siteId]; // answered: whatever exists is known now
  forgetEarlierEmail(state, siteId, profile.email);
  if (ensured.ownedBy !== null && ensured.ownedBy !== input.personId) {
    state.sharedWith[siteId] = { ownerId: ensured.ownedBy, email: profile.email, sentKey: null };
    return null;
  }
  if (ensured.warning) state.warnings = sortedUnique([...state.warnings, `${siteId}: ${ensured.warning}`]);
  // Person workflows run for years: a history written by release 0.1.0 must replay as it ran
  // (docs/workflow-upgrades.md). Histories that passed here without the marker keep that path.
  if (!patched(ADOPTION_CLAIMS_PATCH))
    return { user: await ensureUserAsInRelease010(state, siteId, profile, ensured), granted: null };
  if (ensured.adopted) {
    state.claims[siteId] = {
      siteUserId: ensured.siteUserId,
      platformUserId: ensured.platformUserId,
      email: profile.email,
      blocked: ensured.blocked,
      confirmAt: Date.now() + CLAIM_CONFIRM_MS,
    };
    return null;
  }
  const user: SaltoUserRecord = {
    siteUserId: ensured.siteUserId,
    platformUserId: ensured.platformUserId,
    email: profile.email,
    blocked: ensured.blocked,
    profileKey: ensured.created ? profileKey(profile) : '',
  };
  if (!ensured.created && patched(ALIAS_GROUPS_READ_FIRST_PATCH)) {
    // A user found with this record's alias may hold groups (a creation whose answer was lost
    // gave them): it is known only once they are read, else a revocation would not see them.
    const maybe = sortedUnique([...maybeBefore, ...(grantOnCreate ? groups : [])]);
    const seen = await readGroupsOrKeepMaybe(state, input, siteId, user, maybe);
    state.users[siteId] = user;
    state.applied[siteId] = seen;
    return { user, granted: null };
  }
  state.users[siteId] = user;
  // A user found with this record's alias may hold groups: start from what SALTO KS shows.
  state.applied[siteId] = ensured.created
    ? []
    : (
        await salto.readSaltoUserGroups({
          siteId,
          siteUserId: ensured.siteUserId,
          platformUserId: ensured.platformUserId,
        })
      ).groupIds;
  return { user, granted: ensured.created ? (ensured.granted ?? null) : null };
}

/**
 * The groups of a user found with this record's alias. When the read fails or is cancelled, the
 * user stays unknown and the groups this record may have given it are recorded as maybe created:
 * a revocation then looks the user up and takes them away, and a grant finds it again.
 */
async function readGroupsOrKeepMaybe(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  user: { siteUserId: string; platformUserId: string; email: string },
  maybe: string[],
): Promise<string[]> {
  try {
    const seen = await saltoCalls(input.setupCheck).readSaltoUserGroups.executeWithOptions(
      saltoCall(input, siteId, "read the groups of the SALTO KS user found with this person's alias"),
      [{ siteId, siteUserId: user.siteUserId, platformUserId: user.platformUserId }],
    );
    return seen.groupIds;
  } catch (err) {
    if (maybe.length > 0 && !refusedUntouched(err)) noteMaybeCreated(state, siteId, user.email, maybe);
    throw err;
  }
}

/**
 * Since 0.5.0 a user found with this record's alias is known only once its groups are read (a
 * read cancelled by a revocation left it known with none, and the groups a lost creation gave
 * stayed open).
 */
export const ALIAS_GROUPS_READ_FIRST_PATCH = 'alias-groups-read-first';

/** Since 0.3.0 a user this record creates gets its groups in the same activity. */
export const GRANT_ON_CREATE_PATCH = 'grant-on-create';

/**
 * Since 0.2.0 an adopted user is claimed and confirmed two minutes later (two records adopting
 * one user at once could both win before), and a user found by this record's alias starts from
 * its SALTO KS groups. Until every 0.1.0 history has continued-as-new past this point, the old
 * path stays; then `deprecatePatch` replaces `patched`, and a release later both go.
 */
export const ADOPTION_CLAIMS_PATCH = 'adoption-claims';

/** Release 0.1.0: an adopted user was taken at once with its groups; any other started empty. */
async function ensureUserAsInRelease010(
  state: SyncState,
  siteId: string,
  profile: Profile,
  ensured: { siteUserId: string; platformUserId: string; blocked: boolean; adopted: boolean },
): Promise<SaltoUserRecord> {
  const user: SaltoUserRecord = {
    siteUserId: ensured.siteUserId,
    platformUserId: ensured.platformUserId,
    email: profile.email,
    blocked: ensured.blocked,
    profileKey: ensured.adopted ? '' : profileKey(profile),
  };
  state.users[siteId] = user;
  state.applied[siteId] = ensured.adopted
    ? (
        await salto.readSaltoUserGroups({
          siteId,
          siteUserId: ensured.siteUserId,
          platformUserId: ensured.platformUserId,
        })
      ).groupIds
    : [];
  return user;
}

/** Reads a claimed user's alias back: the claim stands, or the user is another record's. */
async function confirmClaim(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  claim: PendingClaim,
): Promise<void> {
  const seen = await saltoCalls(input.setupCheck).readSaltoUserGroups({
    siteId,
    siteUserId: claim.siteUserId,
    platformUserId: claim.platformUserId,
  });
  delete state.claims[siteId];
  if (!seen.exists || seen.ownerId === null) return; // gone or unclaimed: found or created again
  if (seen.ownerId !== input.personId) {
    // Another record adopted it at the same time and its alias stands: it is the one writer.
    state.sharedWith[siteId] = { ownerId: seen.ownerId, email: claim.email, sentKey: null };
    return;
  }
  const profile = input.profile;
  if (profile && (state.users[siteId] || !sameEmail(claim.email, profile.email))) {
    if (patched(EARLIER_EMAIL_USERS_PATCH)) {
      // The e-mail changed while the claim waited: the user is an earlier e-mail's, and retires.
      if (!sameEmail(claim.email, profile.email)) return noteEarlierEmail(state, siteId, claim.email);
      // A user of another e-mail known meanwhile (restored, changed back) retires in its place.
      retireIfEmailChanged(state, siteId, profile);
    }
  }
  state.users[siteId] = {
    siteUserId: claim.siteUserId,
    platformUserId: claim.platformUserId,
    email: claim.email,
    blocked: claim.blocked,
    profileKey: '',
  };
  state.applied[siteId] = seen.groupIds; // groups it held before: the diff keeps only what rules give
}

/** Sends this record's groups on a site to the owner of the shared user (only when they changed). */
async function contribute(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  link: SharedUserLink,
  groups: string[],
): Promise<void> {
  const key = JSON.stringify(sortedUnique(groups));
  if (link.sentKey === key || (link.sentKey === null && groups.length === 0)) return;
  state.sharedSeq++;
  const event: SharedGroupsEvent = {
    type: 'shared-groups',
    eventId: `${personWorkflowId(input.personId)}:shared:${siteId}:${state.sharedSeq}`,
    fromPersonId: input.personId,
    siteId,
    email: link.email,
    profile: input.profile ?? { firstName: '', lastName: '', email: link.email },
    groups: sortedUnique(groups),
    seq: state.sharedSeq,
  };
  await personNewsCalls(input.setupCheck).signalPerson({ personId: link.ownerId, event });
  link.sentKey = key;
}

async function settleSite(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  want: string[],
  pass: Pass,
): Promise<void> {
  const refused = pass.refusedAdds[siteId] ?? [];
  const profile = input.profile;
  const current = state.users[siteId];
  if (profile && current && !sameEmail(current.email, profile.email)) {
    // An e-mail change on a site where the person holds nothing: a kept or blocked user follows
    // it too, and the new user exists before the old one goes (or is handed over).
    retireIfEmailChanged(state, siteId, profile);
    if (want.length === 0 && input.policy !== 'delete' && !state.claims[siteId])
      await ensureUser(state, input, siteId, profile, []);
  }
  // The new user holds what it can: a group SALTO KS refused for good (deleted by hand) will not
  // come, and must not keep the old user, and the groups it holds, forever.
  const newHomeReady =
    want.length === 0 ||
    state.sharedWith[siteId] !== undefined ||
    want.filter((g) => !refused.includes(g)).every((g) => (state.applied[siteId] ?? []).includes(g));
  const waiting = state.retiring[siteId];
  if (waiting && !newHomeReady) await giveContributionsWhileWaiting(state, input, siteId, waiting, pass);
  // Each earlier e-mail's user in turn: the next one is looked up once the last one has gone.
  let retiring = state.retiring[siteId];
  while (retiring && newHomeReady) {
    await retire(state, input, siteId, retiring);
    retiring = state.retiring[siteId] ? undefined : await nextEarlierUser(state, input, siteId);
  }
  await handOverOrphanContributions(state, input, siteId);
  await redirectContributions(state, input, siteId);

  const user = state.users[siteId];
  if (!user || want.length > 0) return;
  // Rule 5: no group left on this site; the user is kept, blocked or deleted as the policy says.
  if (input.policy === 'delete') {
    await saltoCalls(input.setupCheck).deleteSaltoUser.executeWithOptions(
      saltoCall(input, siteId, 'delete the SALTO KS user: no group left (policy delete)'),
      [{ siteId, siteUserId: user.siteUserId }],
    );
    forgetUser(state, siteId);
    return;
  }
  const blocked = input.policy === 'block';
  if (user.blocked !== blocked) {
    try {
      await saltoCalls(input.setupCheck).setSaltoUserBlocked.executeWithOptions(
        saltoCall(
          input,
          siteId,
          blocked ? 'block the SALTO KS user: no group left (policy block)' : 'unblock the SALTO KS user',
        ),
        [{ siteId, siteUserId: user.siteUserId, blocked }],
      );
    } catch (err) {
      // A block that may have landed counts as landed: a later grant unblocks (which is idempotent).
      if (blocked && mayHaveActed(err)) user.blocked = true;
      throw err;
    }
    user.blocked = blocked;
  }
  if (profile) await updateProfileIfChanged(input, user, profile, siteId);
}

/** Patch: contributions held by a record that is not the owner go on to the owner. */
export const REDIRECT_CONTRIBUTIONS_PATCH = 'redirect-contributions';

/**
 * A record that contributes to another's user can still hold contributions of the same e-mail:
 * others sent them while its alias stood on the user (a claim that then lost to another record's).
 * Nobody would ever give those groups; each contributor is told the owner instead, and sends its
 * groups there on its next pass. (A contributor that is the owner itself is left alone: the
 * alias on the user settles which of the two owns it.)
 */
async function redirectContributions(state: SyncState, input: SyncInput, siteId: string): Promise<void> {
  const link = state.sharedWith[siteId];
  if (!link) return;
  const stranded = Object.keys(state.contributions[siteId] ?? {}).filter((contributorId) => {
    const contribution = state.contributions[siteId]?.[contributorId];
    return (
      contributorId !== link.ownerId &&
      contribution !== undefined &&
      sameEmail(contribution.email, link.email)
    );
  });
  // Histories that met stranded contributions before this release kept them.
  if (stranded.length === 0 || !patched(REDIRECT_CONTRIBUTIONS_PATCH)) return;
  for (const contributorId of stranded.sort()) {
    state.sharedSeq++;
    await personNewsCalls(input.setupCheck).signalPerson({
      personId: contributorId,
      event: {
        type: 'shared-owner-changed',
        eventId: `${personWorkflowId(input.personId)}:redirect:${siteId}:${state.sharedSeq}`,
        siteId,
        ownerId: link.ownerId,
      },
    });
    delete state.contributions[siteId]?.[contributorId];
  }
  if (Object.keys(state.contributions[siteId] ?? {}).length === 0) delete state.contributions[siteId];
}

/**
 * Release 0.10.0 could link a record to itself: an orphan hand-over tried again told its heir that
 * the heir owned the user (ORPHAN_HANDOVER_AGAIN_PATCH ends that). Such a record sent its groups to
 * itself and wrote none: the user kept what it held, and what its contributors later took away
 * stayed on it. Since 0.12.0 it takes back the user its alias is on, as it stands in SALTO KS, and
 * drops the link and the groups it sent itself; with no such user it finds or contributes anew.
 */
export const SELF_LINK_REPAIR_PATCH = 'self-link-repair';

/** Answers whether it changed the state (false on histories from before the patch). */
async function repairSelfLink(state: SyncState, input: SyncInput, siteId: string): Promise<boolean> {
  const link = state.sharedWith[siteId]!;
  // Asked only where a record is linked to itself: no other history meets it.
  if (!patched(SELF_LINK_REPAIR_PATCH)) return false;
  const found = await saltoCalls(input.setupCheck).findOwnSaltoUser.executeWithOptions(
    saltoCall(
      input,
      siteId,
      'look up the SALTO KS user that names this person, which it had linked to itself',
    ),
    [{ siteId, personId: input.personId, email: link.email }],
  );
  // Read before anything is dropped: a pass cut short here finds the link again next time.
  const seen = found
    ? await saltoCalls(input.setupCheck).readSaltoUserGroups({
        siteId,
        siteUserId: found.siteUserId,
        platformUserId: found.platformUserId,
      })
    : null;
  delete state.sharedWith[siteId];
  dropContributions(state, siteId, [input.personId]);
  // Gone, or its alias moved on between the two reads: found or contributed to anew, as any record.
  if (!found || !seen?.exists || seen.ownerId !== input.personId) return true;
  const held = state.users[siteId];
  if (held) {
    // Another user is held already (of another e-mail): this one is looked up and retired like any.
    if (held.siteUserId !== found.siteUserId) noteEarlierEmail(state, siteId, link.email);
    return true;
  }
  state.users[siteId] = {
    siteUserId: found.siteUserId,
    platformUserId: found.platformUserId,
    email: link.email,
    blocked: found.blocked,
    profileKey: '',
  };
  state.applied[siteId] = seen.groupIds;
  return true;
}

/** Forgets what these records contribute on a site (and the site's record when none is left). */
function dropContributions(state: SyncState, siteId: string, personIds: string[]): void {
  for (const id of personIds) delete state.contributions[siteId]?.[id];
  if (Object.keys(state.contributions[siteId] ?? {}).length === 0) delete state.contributions[siteId];
}

/** Patch: an old user deleted by hand before its hand-over no longer fails every pass. */
export const RETIRE_MISSING_USER_PATCH = 'retire-missing-user';

/** The old e-mail's user goes: handed to a record that shares that e-mail, or deleted. */
async function retire(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  retiring: RetiringUser,
): Promise<void> {
  const current = input.profile?.email;
  if (current !== undefined && sameEmail(retiring.email, current) && patched(EARLIER_EMAIL_USERS_PATCH)) {
    // The person's e-mail again (changed back): the person's user, not to go.
    if (!state.users[siteId]) restoreUser(state, siteId, retiring);
    releaseRetiring(state, siteId, retiring);
    return;
  }
  const heirs = Object.entries(state.contributions[siteId] ?? {}).filter(([, c]) =>
    sameEmail(c.email, retiring.email),
  );
  if (heirs.length === 0) {
    await saltoCalls(input.setupCheck).deleteSaltoUser.executeWithOptions(
      saltoCall(input, siteId, 'delete the user of an earlier e-mail'),
      [{ siteId, siteUserId: retiring.siteUserId }],
    );
    releaseRetiring(state, siteId, retiring);
    return;
  }
  try {
    await handOver(state, input, siteId, retiring, retiring.groups, heirs, {
      maybeHeld: retiring.maybe ?? [],
    });
  } catch (err) {
    if (!isUserMissing(err) || !patched(RETIRE_MISSING_USER_PATCH)) throw err;
    // Deleted by hand before it could be handed over: the records that shared it are owed a user
    // of that e-mail all the same, found or created like any orphaned contribution's.
    releaseRetiring(state, siteId, retiring);
    await handOverOrphanContributions(state, input, siteId);
    return;
  }
  releaseRetiring(state, siteId, retiring);
}

/**
 * Patch (0.11.0): orphaned contributions for two or more e-mails were all handed the user of the
 * first one's e-mail. A contact of another address became the owner of a user not of its address,
 * and its own address's user was deleted under it (no contribution left to hand it to).
 */
export const ORPHANS_BY_EMAIL_PATCH = 'orphans-by-email';

/**
 * Patch (0.11.0): an orphan hand-over cut short after its alias write told the heir, on the next
 * try, that the heir itself owned the user: a record linked to itself, whose groups never reached
 * SALTO KS.
 */
export const ORPHAN_HANDOVER_AGAIN_PATCH = 'orphan-handover-again';

/**
 * Contributions for an e-mail this owner no longer uses, with no old user of that e-mail left in
 * its state (the owner changed e-mail before they came, or the user was deleted by hand): each
 * e-mail's user is found or created and handed to the records of that e-mail.
 */
async function handOverOrphanContributions(
  state: SyncState,
  input: SyncInput,
  siteId: string,
): Promise<void> {
  const current = input.profile?.email ?? null;
  if (state.retiring[siteId]) return; // the old user is handed over when it retires
  const orphans = Object.entries(state.contributions[siteId] ?? {}).filter(
    ([, c]) => current === null || !sameEmail(c.email, current),
  );
  if (orphans.length === 0) return;
  // One group per e-mail, in the order the contributions came.
  const byEmail = new Map<string, [string, Contribution][]>();
  for (const orphan of orphans) {
    const key = emailKey(orphan[1].email);
    byEmail.set(key, [...(byEmail.get(key) ?? []), orphan]);
  }
  // Histories that met orphans of two e-mails before this release handed them all one user.
  if (byEmail.size === 1 || !patched(ORPHANS_BY_EMAIL_PATCH)) {
    await handOverOrphansOf(state, input, siteId, orphans);
    return;
  }
  for (const ofOneEmail of byEmail.values()) await handOverOrphansOf(state, input, siteId, ofOneEmail);
}

/** The user of the first orphan's e-mail, found or created, handed to `orphans`. */
async function handOverOrphansOf(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  orphans: [string, Contribution][],
): Promise<void> {
  const [, first] = orphans[0]!;
  const found = await saltoCalls(input.setupCheck).ensureSaltoUser({
    siteId,
    personId: input.personId,
    profile: first.profile,
  });
  // A hand-over cut short after its alias write (its pass cancelled for a revocation): the heir
  // it named may never have heard; it hears again, and stays the heir (one writer per user).
  const heirAgain = orphans.find(([id]) => id === found.ownedBy)?.[0];
  if (
    found.ownedBy !== null &&
    found.ownedBy !== input.personId &&
    !(heirAgain !== undefined && patched(ORPHAN_HANDOVER_AGAIN_PATCH))
  ) {
    // Someone else owns that e-mail's user now: the contributors send their groups there.
    for (const [otherId] of orphans) await tellNewOwner(siteId, found.siteUserId, found.ownedBy, otherId);
    dropContributions(
      state,
      siteId,
      orphans.map(([id]) => id),
    );
    return;
  }
  const user: SaltoUserRecord = {
    siteUserId: found.siteUserId,
    platformUserId: found.platformUserId,
    email: first.email,
    blocked: found.blocked,
    profileKey: '',
  };
  const seen = await saltoCalls(input.setupCheck).readSaltoUserGroups({
    siteId,
    siteUserId: found.siteUserId,
    platformUserId: found.platformUserId,
  });
  // The alias already names the heir again: it is left as it is (another hand-over of the heir's
  // may have moved it on since it was read).
  await handOver(state, input, siteId, user, seen.groupIds, orphans, {
    ...(heirAgain !== undefined ? { heirId: heirAgain, aliasNamesHeir: true } : {}),
  });
}

async function tellNewOwner(
  siteId: string,
  siteUserId: string,
  ownerId: string,
  personId: string,
): Promise<void> {
  await coordination.signalPerson({
    personId,
    event: {
      type: 'shared-owner-changed',
      eventId: `owner-changed:${siteId}:${siteUserId}:${ownerId}:${personId}`,
      siteId,
      ownerId,
    },
  });
}

/** How a hand-over goes beyond its user and heirs. */
interface HandOverOptions {
  /** Groups a write may have given the user without an answer. */
  maybeHeld?: string[];
  /** The heir an earlier try of this hand-over named; else the lowest id. */
  heirId?: string;
  /** The user's alias names the heir already: not written again. */
  aliasNamesHeir?: boolean;
}

/** Makes a contributor the user's owner (alias and state) and tells the others. */
async function handOver(
  state: SyncState,
  input: SyncInput,
  siteId: string,
  user: SaltoUserRecord,
  groups: string[],
  heirs: [string, Contribution][],
  options: HandOverOptions = {},
): Promise<void> {
  const ids = heirs.map(([id]) => id).sort();
  const { maybeHeld = [], heirId = ids[0]!, aliasNamesHeir = false } = options;
  if (!aliasNamesHeir)
    await saltoCalls(input.setupCheck).setSaltoUserAlias({
      siteId,
      siteUserId: user.siteUserId,
      personId: heirId,
    });
  await personNewsCalls(input.setupCheck).signalPerson({
    personId: heirId,
    event: {
      type: 'shared-user-handover',
      eventId: `handover:${siteId}:${user.siteUserId}:${heirId}`,
      siteId,
      siteUserId: user.siteUserId,
      platformUserId: user.platformUserId,
      email: user.email,
      groups,
      ...(maybeHeld.length > 0 ? { maybeHeld } : {}),
    },
  });
  for (const otherId of ids)
    if (otherId !== heirId) await tellNewOwner(siteId, user.siteUserId, heirId, otherId);
  dropContributions(state, siteId, ids);
}

async function updateProfileIfChanged(
  input: SyncInput,
  user: SaltoUserRecord,
  profile: Profile,
  siteId: string,
): Promise<void> {
  const key = profileKey(profile);
  if (user.profileKey === key || !sameEmail(user.email, profile.email)) return;
  await saltoCalls(input.setupCheck).updateSaltoUserProfile({ siteId, siteUserId: user.siteUserId, profile });
  user.profileKey = key;
}
