// The person workflow: one per Deskworks person, the only writer of their SALTO KS state.
// It folds events into facts (pure reducer), computes the desired access (pure core), applies
// the difference through activities, and sleeps until the next instant the answer changes.
import {
  condition,
  continueAsNew,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { personDetails } from './current-details';
import { appendHistory, passCause } from '../core/access-history';
import { computeDesiredAccess } from '../core/entitlements';
import { refusalRetryDelayMs, retryDelayMs } from '../core/retry-delay';
import { mayWaitAfterPass } from '../core/run-handover';
import { normalizeSiteGroups, revokesAny, sameSiteGroups } from '../core/diff';
import type { CoordinationActivities } from '../activities/coordination-types';
import type { PersonEvent, Profile } from '../core/person-events';
import {
  applyPersonEvent,
  centerIdsOf,
  entitlementInput,
  isDuplicate,
  newPersonFacts,
  personKind,
  pruneFacts,
  type PersonFacts,
} from '../core/person-state';
import type { DesiredAccess, IsoInstant, Setup, SiteGroups } from '../core/types';
import { heldGroupKeywords } from '../shared/held-groups';
import { personWorkflowId } from '../shared/ids';
import {
  CenterIdsKey,
  EmailKeyKey,
  HeldGroupsKey,
  InSyncKey,
  OutOfSyncSinceKey,
  PersonIdKey,
  PersonKindKey,
  SiteIdsKey,
} from '../shared/search-attributes';
import { coordination, coordinationCalls, coordinationLocal, salto } from './activity-proxies';
import { activityTasksOnly } from './activity-tasks-only';
import {
  PERSON_MEMO_KEY,
  personAccessQuery,
  personEventSignal,
  personFactsQuery,
  personHistoryQuery,
  type PersonAccessView,
  type PersonMemo,
} from './messages';
import { runPreemptiblePass, type PassOutcome, type PreemptionWatch } from './pass-preemption';
import { movedSetupOf, SETUP_CHECKED_BY_CALL_PATCH, type SetupCheck } from './setup-check';
import { isSameSetup, setupFingerprint } from '../core/setup-fingerprint';
import {
  centersKey,
  fanOutReaches,
  newFanOutCoverage,
  noteConfirmed,
  notePublished,
} from '../core/fan-out-coverage';
import { personKeepsWindows } from './reservation-windows';
import { personWaitSummary, siteLabels } from './summaries';
import {
  describeFailure,
  groupsToHold,
  newSyncState,
  noteEarlierEmail,
  ORPHAN_HANDOVER_AGAIN_PATCH,
  RETIRING_SHARED_USER_PATCH,
  syncPersonToSalto,
  upgradeSyncState,
  type SyncState,
} from './person-sync';

export interface PersonWorkflowInput {
  personId: string;
  /** Carried over continue-as-new. */
  carried?: {
    facts: PersonFacts;
    sync: SyncState;
    /** No longer used (a new run reads the set-up for its first pass); kept so older runs still continue. */
    setup?: Setup | null;
    pending: PersonEvent[];
    /** What this master last told its co-members, and the sequence number it used. */
    sentPlanGroups: SiteGroups;
    planGroupsSeq: number;
    /** What the memo and the e-mail search attribute say (absent before 0.5.0). */
    identity?: PublishedIdentity;
    /**
     * The run ended right after a whole pass (absent before 0.6.0, and false when a revocation
     * cut the pass short): the new run waits for its first wake instead of passing at once.
     */
    afterPass?: boolean;
    /**
     * When the access that pass wrote changes next by itself (its `nextChangeAt`; null: never).
     * A new run that begins at or after it passes at once: its first task came late (a worker
     * killed, Temporal down) and a door may be due to close. Absent from runs handed over by
     * earlier builds: those wait as before.
     */
    afterPassUntil?: IsoInstant | null;
  };
  /** What the webhook knew when its event started this workflow (absent before 0.7.0): see PersonStart. */
  start?: PersonStart;
}

/**
 * Sent with the event that starts a person's workflow: the set-up as the API last read it, and the
 * keyed hash of the e-mail of that event. The first pass decides on that set-up, checked by its
 * first SALTO KS call (setup-check.ts), and publishes that hash: a new member's pass needs no
 * activity of its own to read them.
 */
export interface PersonStart {
  setup: Setup;
  email: string;
  emailKey: string;
}

/** The identity this workflow last published: the memo's profile and the e-mail's keyed hash. */
export interface PublishedIdentity {
  profileKey: string | null;
  email: string | null;
  emailKey: string | null;
}

/**
 * Since 0.5.0 the person's name and e-mail are in the workflow's memo (through the payload codec)
 * and the keyed hash of the e-mail in a search attribute: the people list shows names, and finds
 * a person by e-mail.
 */
export const PERSON_IDENTITY_PATCH = 'person-identity';

/** Since 0.4.0 the set-up is read by a local activity; older histories read it with an activity task. */
export const LOCAL_SETUP_READ_PATCH = 'local-setup-read';

/**
 * Since 0.5.0 a pass is cancelled when a revocation falls due while it runs (pass-preemption.ts),
 * and a group whose write got no answer counts as maybe held (person-sync.ts).
 */
export const PREEMPTIBLE_PASS_PATCH = 'preemptible-pass';

/**
 * Since 0.5.0 the search attributes are upserted only when one of them changed: each upsert is a
 * history event and a visibility write, and most passes (a duplicate, a change that moves no door)
 * change none of them.
 */
export const SPARSE_SEARCH_ATTRIBUTES_PATCH = 'sparse-search-attributes';

/**
 * Since 0.6.0 a reconciliation's reading that differs from what the person last wrote is checked
 * before it is believed: the site was read before the signal reached the person, and a write of the
 * person's own may have landed in between. Taken as it was, a group the person had just taken away
 * counted as held, and was never given again when it was wanted back (a lost grant under
 * `npm run chaos`). The pass reads that site's groups back from SALTO KS instead.
 */
export const VERIFIED_OBSERVATIONS_PATCH = 'verified-observations';

/**
 * Since 0.9.0 a pass that decides on the set-up it holds and makes no call reads the set-up after
 * it only when the set-up workflow's fan-out might not reach the person (core/fan-out-coverage.ts):
 * a reservation's news of a window to come, or a plan that starts later, changes no door now and
 * no center, and its read was the largest kind of task left under `npm run chaos`.
 */
export const FAN_OUT_COVERS_QUIET_PASS_PATCH = 'fan-out-covers-quiet-pass';

/** Continue-as-new after this many events even if the server does not suggest it yet. */
export const EVENTS_BEFORE_CONTINUE_AS_NEW = 500;

/**
 * Since 0.6.0 a person also continues as new once its run's history holds this many events (about
 * a dozen changes). A worker that takes over a person, after a kill or a sticky cache eviction,
 * replays the whole run first, and a revocation waits for that replay: under `npm run chaos` the
 * p99 revocation delay fell from 73 s to 38 s (docs/chaos.md). A new run costs one carried input.
 */
export const SHORT_HISTORIES_PATCH = 'short-histories';
export const HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW = 120;

/**
 * Since 0.6.0 a run started right after a whole pass skips its first pass only when its first
 * workflow task brought no new event. Before, it skipped it whatever came (the check ran after the
 * events were folded, when none was left waiting): a change that arrived with the new run's first
 * task reached the facts but not SALTO KS until the next event or wake (the full model run found
 * it: a cancelled plan's groups stayed).
 */
export const AFTER_PASS_NEWS_PATCH = 'after-pass-news';

/**
 * Since 0.6.0 a pass that needs the person's e-mail hashed (a new person, a changed e-mail, and
 * once in every run) reads the set-up and the hash in one call: a local activity in a run started
 * before ACTIVITY_TASKS_ONLY_PATCH, an activity task since. Each call costs the workflow one more
 * activation, and every activation enters the workflow sandbox three or four
 * times, each entry with Node's watchdog thread for the SDK's deadlock timeout: a new member took
 * four activations, now three (docs/benchmarks.md).
 */
export const SETUP_WITH_EMAIL_KEY_PATCH = 'setup-with-email-key';

/**
 * Since 0.6.0 a person tells its co-members their master's groups, and its masters that it joined
 * or left, with an activity task, no longer with a local activity. A local activity acts before its
 * workflow task completes: when that task was then lost (its continue-as-new refused because an
 * event came meanwhile, its worker killed), the next attempt folded the newer events and sent other
 * groups under the same sequence number and event id, which the co-member dropped as a duplicate,
 * or sent nothing because nothing had changed since the last completed task. The co-member kept a
 * cancelled plan's groups (the model test found it). An activity is scheduled only by a task that
 * completed, with what that task decided.
 */
export const PERSON_NEWS_BY_ACTIVITY_PATCH = 'person-news-by-activity';

/**
 * How this person tells another person what concerns it (PERSON_NEWS_BY_ACTIVITY_PATCH). Only a run
 * started before that patch, and so before ACTIVITY_TASKS_ONLY_PATCH, takes the second branch; a run
 * started on this code asks the patch live all the same, for the marker such runs hold.
 */
function personNews(): Pick<CoordinationActivities, 'signalPerson'> {
  return patched(PERSON_NEWS_BY_ACTIVITY_PATCH) ? coordination : coordinationCalls(false);
}

export async function personWorkflow(input: PersonWorkflowInput): Promise<void> {
  // Asked first, before any activity: whether this run uses local activities (activity-tasks-only.ts).
  const tasksOnly = activityTasksOnly();
  const reads: CoordinationReads = tasksOnly ? coordination : coordinationLocal;
  const { personId } = input;
  // A run a worker of an earlier release started ignored what came with its start: so does its replay.
  const start = input.start && patched(SETUP_CHECKED_BY_CALL_PATCH) ? input.start : undefined;
  let facts = input.carried?.facts ?? newPersonFacts(personId);
  const sync = input.carried ? upgradeSyncState(input.carried.sync) : newSyncState();
  // The set-up this run holds: the one its last pass decided on, or the one sent with its start.
  let setup: Setup | null = start?.setup ?? null;
  let sentPlanGroups = input.carried?.sentPlanGroups ?? {};
  let planGroupsSeq = input.carried?.planGroupsSeq ?? 0;
  // The e-mail's hash is made again once per run: a new EMAIL_LOOKUP_KEY reaches every person.
  const identity: PublishedIdentity = {
    profileKey: input.carried?.identity?.profileKey ?? null,
    email: start?.email ?? null,
    emailKey: start?.emailKey ?? null,
  };
  const pending: PersonEvent[] = [...(input.carried?.pending ?? [])];
  let resumedAfterPass = mayWaitAfterPass(input.carried, Date.now());
  let desired: DesiredAccess | null = null;
  let eventsThisRun = 0;
  /** What the last upsert of this run published; a new run publishes once again. */
  let publishedSearchAttributes: string | null = null;
  /** The events of a pass that ended for a moved set-up: the cause of the pass that decides again. */
  let foldedBefore: { eventId: string; type: string }[] = [];
  /**
   * The set-up moved under the last pass, and `setup` is the one read when that was found (by the
   * refusing call, or after the pass): the next pass decides on it as on a set-up it read itself,
   * unchecked, so a set-up that keeps changing cannot refuse pass after pass.
   */
  let setupJustRead = false;
  /** Whether a newer set-up reaches this person by fan-out: its published centers, and when the held set-up was current. */
  let coverage = newFanOutCoverage();

  setHandler(personEventSignal, (event) => {
    pending.push(event);
  });
  setHandler(personAccessQuery, (): PersonAccessView => view(facts, sync, desired, setup));
  setHandler(personFactsQuery, () => facts);
  setHandler(personHistoryQuery, () => sync.history ?? []);

  for (;;) {
    // 1. Fold the waiting events into the facts.
    const before = facts;
    let rereadSalto = false;
    let passAgain = false;
    const newComembers: string[] = [];
    const folded: { eventId: string; type: string }[] = foldedBefore;
    foldedBefore = [];
    let setupNews = -1; // the newest set-up version a fan-out announced in these events
    let setupNewsCame = false; // any news of a set-up change, a duplicate too (fan-out-coverage.ts)
    while (pending.length > 0) {
      const event = pending.shift()!;
      eventsThisRun++;
      if (event.type === 'setup-changed') setupNewsCame = true;
      if (isDuplicate(facts, event.eventId)) continue;
      folded.push({ eventId: event.eventId, type: event.type });
      if (event.type === 'resync') rereadSalto = true;
      if (event.type === 'setup-changed') setupNews = Math.max(setupNews, event.version);
      if (event.type === 'comember-link' && event.linked) newComembers.push(event.comemberId);
      takeSaltoNews(sync, event, event.type === 'observed-groups' && patched(VERIFIED_OBSERVATIONS_PATCH));
      facts = applyPersonEvent(facts, event);
    }
    facts = pruneFacts(facts, Date.now());

    // 2. Bring SALTO KS in line; a failure is recorded and retried later, never lost.
    const scheduledGrants = personKeepsWindows();
    if (resumedAfterPass && (folded.length === 0 || !patched(AFTER_PASS_NEWS_PATCH))) {
      // The run that carried this state ended right after a whole pass, nothing new came since,
      // and no change of access fell due since (run-handover.ts): nothing is due before the wake
      // it would have slept to. Passing again at once would
      // retry, in every new run, a refusal that waits an hour between tries.
      setup = await readSetup(facts.profile, identity, reads); // first in a run: nothing published yet
      desired = computeDesiredAccess(entitlementInput(facts, scheduledGrants), setup, Date.now());
    } else {
      const passStartedAt = Date.now();
      const cause = passCause(folded, desired?.nextChangeAt ?? null, passStartedAt, sync.failedAttempts);
      const justRead = setupJustRead && setup !== null && setupNews <= setup.version ? setup : null;
      setupJustRead = false;
      const check = justRead ? undefined : setupToCheck(setup, setupNews, facts.profile, identity);
      let moved: Setup | undefined;
      /** Whether this pass found the set-up it decides on current (a read, an answer, a refusal). */
      let confirmed = false;
      try {
        // Every decision rests on the set-up as it is now (rule 7): a mapping made at any center,
        // at any time, holds for this person's next decision, whether or not the fan-out reached
        // it. Read first, or the one this run holds, checked by the pass's first call.
        sync.refusedOnly = false; // set again by the pass; any other failure retries within minutes
        const held = justRead ?? (check !== undefined && setup !== null ? setup : null);
        const passSetup =
          held ??
          (tasksOnly || patched(LOCAL_SETUP_READ_PATCH)
            ? await readSetup(facts.profile, identity, reads)
            : await coordination.loadSetup());
        confirmed = held === null;
        setup = passSetup;
        if (rereadSalto) await rereadAppliedGroups(sync);
        else if (sync.rereadSites?.length) await rereadAppliedGroups(sync, sync.rereadSites);
        const computed = computeDesiredAccess(
          entitlementInput(facts, scheduledGrants),
          passSetup,
          Date.now(),
        );
        desired = computed;
        const preemptible = patched(PREEMPTIBLE_PASS_PATCH);
        const pass = (): Promise<string[]> =>
          syncPersonToSalto(sync, {
            personId,
            profile: facts.profile,
            desired: computed.groups,
            policy: passSetup.noAccessPolicy,
            uncertainWrites: preemptible,
            record: { cause, reasons: computed.reasons },
            siteLabels: siteLabels(passSetup),
            ...(check ? { setupCheck: check } : {}),
          });
        const outcome: PassOutcome = preemptible
          ? await runPreemptiblePass(
              pass,
              revocationWatch(facts, pending, passSetup, computed.groups, scheduledGrants),
            )
          : { problems: await pass(), preempted: false };
        sync.lastSyncAt = new Date(Date.now()).toISOString();
        passAgain = outcome.preempted;
        if (outcome.preempted) {
          sync.inSync = false; // a door must close: the next pass starts at once, with revocations
        } else if (outcome.problems.length > 0) {
          throw new Error(outcome.problems.join('; '));
        } else {
          if (sync.failedAttempts > 0)
            sync.history = appendHistory(sync.history ?? [], [
              { kind: 'recovered', at: new Date(Date.now()).toISOString(), failedFor: sync.failingSince },
            ]);
          // A claimed user waits for its confirmation: not in sync yet, but nothing failed.
          sync.inSync = Object.keys(sync.claims).length === 0;
          sync.lastError = null;
          sync.failedAttempts = 0;
          sync.failingSince = null;
        }
      } catch (err) {
        sync.inSync = false;
        moved = movedSetupOf(err); // not a failure: the pass decides again on the set-up now
        if (!moved) {
          sync.lastError = describeFailure(err);
          if (sync.failedAttempts === 0)
            sync.history = appendHistory(sync.history ?? [], [
              { kind: 'failure', at: new Date(Date.now()).toISOString(), message: sync.lastError, cause },
            ]);
          sync.failedAttempts++;
          sync.failingSince ??= new Date(Date.now()).toISOString();
        }
      }
      // No call carried the check to an answer: the set-up is read now, before anything this pass
      // decided (groups for co-members, search attributes, the next wake) leaves the run, unless
      // a newer one is sure to reach the person by fan-out (fan-out-coverage.ts).
      if (check?.answered) confirmed = true;
      if (check && !check.answered && !moved) {
        // Not in a run that reads by local activity: its read may run before the task that
        // published the centers completes.
        const covered =
          tasksOnly &&
          fanOutReaches(coverage, centersKey(centerIdsOf(facts)), passStartedAt, setupNewsCame) &&
          patched(FAN_OUT_COVERS_QUIET_PASS_PATCH);
        if (!covered) {
          const now = await reads.loadSetup();
          confirmed = true;
          if (!isSameSetup(now, check)) moved = now;
        }
      }
      if (moved) confirmed = true;
      if (confirmed) coverage = noteConfirmed(coverage, passStartedAt);
      if (moved) {
        foldedBefore = folded;
        setupJustRead = true;
        setup = moved;
        desired = computeDesiredAccess(entitlementInput(facts, scheduledGrants), moved, Date.now());
        sync.inSync = false;
        passAgain = true;
      }
    }
    resumedAfterPass = false;

    // 3. Tell the others what concerns them: the master about this co-member, co-members about their master's groups.
    await announceMasterLink(personId, before.masterId, facts.masterId, facts.masterAt);
    const current = desired;
    if (current) {
      const plan = normalizeSiteGroups(current.planGroups);
      const changed = !sameSiteGroups(plan, sentPlanGroups);
      const recipients = changed
        ? facts.comemberIds
        : newComembers.filter((id) => facts.comemberIds.includes(id));
      if (recipients.length > 0) {
        planGroupsSeq++;
        for (const comemberId of recipients) {
          await personNews().signalPerson({
            personId: comemberId,
            event: {
              type: 'master-groups',
              eventId: `${personWorkflowId(personId)}:master-groups:${planGroupsSeq}:${comemberId}`,
              masterId: personId,
              seq: planGroupsSeq,
              groups: plan,
            },
          });
        }
      }
      sentPlanGroups = plan;
    }
    if (facts.profile && patched(PERSON_IDENTITY_PATCH))
      await publishIdentity(facts.profile, identity, reads);
    sync.outOfSyncSince = sync.inSync ? null : (sync.outOfSyncSince ?? new Date(Date.now()).toISOString());
    publishedSearchAttributes = publishSearchAttributes(
      facts,
      sync,
      desired,
      identity,
      publishedSearchAttributes,
    );
    coverage = notePublished(coverage, centersKey(centerIdsOf(facts)), Date.now());

    // 4. Continue-as-new before the history grows long, carrying everything.
    if (pending.length === 0 && runIsLong(eventsThisRun)) {
      await continueAsNew<typeof personWorkflow>({
        personId,
        carried: {
          facts,
          sync,
          pending,
          sentPlanGroups,
          planGroupsSeq,
          identity,
          afterPass: !passAgain,
          afterPassUntil: desired?.nextChangeAt ?? null,
        },
      });
    }

    // 5. Sleep until an event comes, the access changes by itself, or a failed sync is due a retry.
    if (passAgain) continue;
    const wakeAt = nextWake(desired, sync);
    setCurrentDetails(
      personDetails({
        inSync: sync.inSync,
        lastSyncAt: sync.lastSyncAt,
        failedAttempts: sync.failedAttempts,
        failingSince: sync.failingSince,
        applied: normalizeSiteGroups(sync.applied),
        desired,
        claimsConfirmAt: Object.fromEntries(
          Object.entries(sync.claims).map(([site, c]) => [site, new Date(c.confirmAt).toISOString()]),
        ),
        wakeAt,
      }),
    );
    if (wakeAt === null) await condition(() => pending.length > 0);
    else
      await condition(() => pending.length > 0, Math.max(1, wakeAt - Date.now()), {
        summary: personWaitSummary({
          wakeAt,
          change: desired?.nextChange ?? null,
          failedAttempts: sync.inSync ? 0 : sync.failedAttempts,
          claimConfirmAt: Object.values(sync.claims).reduce<number | null>(
            (first, c) => (first === null || c.confirmAt < first ? c.confirmAt : first),
            null,
          ),
        }),
      });
  }
}

/**
 * Whether a group this pass was to give is taken away by the events that came since it began, or
 * by the passing of time (a window that ends): the person's own rules, on the pass's set-up.
 */
function revocationWatch(
  facts: PersonFacts,
  pending: readonly PersonEvent[],
  setup: Setup,
  passGroups: SiteGroups,
  scheduledGrants: boolean,
): PreemptionWatch {
  let cached: { key: string; access: DesiredAccess } | null = null;
  const accessNow = (): DesiredAccess => {
    const key = `${pending.length}@${Date.now()}`;
    if (cached?.key !== key) {
      let next = facts;
      for (const event of pending)
        if (!isDuplicate(next, event.eventId)) next = applyPersonEvent(next, event);
      cached = {
        key,
        access: computeDesiredAccess(entitlementInput(next, scheduledGrants), setup, Date.now()),
      };
    }
    return cached.access;
  };
  return {
    revocationDue: () => revokesAny(passGroups, accessNow().groups),
    nextCheckAt: () => {
      const at = accessNow().nextChangeAt;
      return at === null ? null : Date.parse(at);
    },
  };
}

function nextWake(desired: DesiredAccess | null, sync: SyncState): number | null {
  const candidates: number[] = [];
  if (desired?.nextChangeAt) candidates.push(Date.parse(desired.nextChangeAt));
  for (const claim of Object.values(sync.claims)) candidates.push(claim.confirmAt);
  if (!sync.inSync && sync.lastError !== null) {
    const failingFor = sync.failingSince === null ? 0 : Date.now() - Date.parse(sync.failingSince);
    // Math.random is seeded in a workflow: the jitter is the same on replay.
    const random = Math.random();
    candidates.push(
      Date.now() +
        (sync.refusedOnly
          ? refusalRetryDelayMs(random)
          : retryDelayMs(sync.failedAttempts, failingFor, random)),
    );
  }
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/**
 * Whether this run has grown long enough to continue as new. `patched` is asked only once the
 * history is long, so its marker is one event in the run that ends, not one in every run.
 */
function runIsLong(eventsThisRun: number): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested || eventsThisRun >= EVENTS_BEFORE_CONTINUE_AS_NEW) return true;
  return info.historyLength >= HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW && patched(SHORT_HISTORIES_PATCH);
}

/** What SALTO KS or another record said about this person's SALTO KS users. */
function takeSaltoNews(sync: SyncState, event: PersonEvent, verifyObservation = false): void {
  switch (event.type) {
    case 'observed-groups': {
      // Reconciliation reported what SALTO KS shows, so that the next diff repairs drift. It read
      // the site before this signal came: where it differs from what this person last wrote, the
      // pass reads the groups back first (VERIFIED_OBSERVATIONS_PATCH) rather than trust it.
      const user = sync.users[event.siteId];
      if (!user || user.platformUserId !== event.platformUserId) return;
      const observed = [...event.groups].sort();
      if (!verifyObservation) sync.applied[event.siteId] = observed;
      else if (!sameGroups(observed, sync.applied[event.siteId] ?? []))
        sync.rereadSites = [...new Set([...(sync.rereadSites ?? []), event.siteId])].sort();
      return;
    }
    case 'observed-missing':
      // The user was deleted by hand: the next pass finds or creates it again, with its groups.
      delete sync.users[event.siteId];
      delete sync.applied[event.siteId];
      return;
    case 'shared-groups': {
      const site = (sync.contributions[event.siteId] ??= {});
      const held = site[event.fromPersonId];
      if (held && held.seq >= event.seq) return;
      if (event.groups.length === 0) delete site[event.fromPersonId];
      else
        site[event.fromPersonId] = {
          email: event.email,
          profile: event.profile,
          groups: event.groups,
          seq: event.seq,
        };
      if (Object.keys(site).length === 0) delete sync.contributions[event.siteId];
      return;
    }
    case 'shared-user-handover': {
      // A hand-over tried again (orphan-handover-again) after its first try came, past the memory
      // of event ids: the user is this record's already.
      const same = [sync.users[event.siteId], sync.retiring[event.siteId]].some(
        (held) => held?.siteUserId === event.siteUserId,
      );
      if (same && patched(ORPHAN_HANDOVER_AGAIN_PATCH)) return;
      const user = {
        siteUserId: event.siteUserId,
        platformUserId: event.platformUserId,
        email: event.email,
        blocked: false,
        profileKey: '',
      };
      delete sync.sharedWith[event.siteId];
      // Groups a write may have given the user without an answer (0.10.0): read back as maybe held.
      const maybe =
        (event.maybeHeld ?? []).length > 0 && patched(RETIRING_SHARED_USER_PATCH) ? event.maybeHeld! : [];
      if (sync.users[event.siteId]) {
        // Another user of an earlier e-mail already retires there: this one is looked up later.
        if (sync.retiring[event.siteId]) noteEarlierEmail(sync, event.siteId, event.email);
        else
          sync.retiring[event.siteId] = {
            ...user,
            groups: event.groups,
            ...(maybe.length > 0 ? { maybe: [...maybe].sort() } : {}),
          };
      } else {
        sync.users[event.siteId] = user;
        sync.applied[event.siteId] = [...event.groups].sort();
        if (maybe.length > 0) (sync.maybeHeld ??= {})[event.siteId] = [...maybe].sort();
      }
      return;
    }
    case 'shared-owner-changed': {
      const link = sync.sharedWith[event.siteId];
      if (link) sync.sharedWith[event.siteId] = { ...link, ownerId: event.ownerId, sentKey: null };
      return;
    }
    default:
      return;
  }
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === sortedB.length && a.every((g, i) => g === sortedB[i]);
}

/** Reads the groups of the person's users back from SALTO KS: every site, or only these. */
async function rereadAppliedGroups(sync: SyncState, onlySites?: readonly string[]): Promise<void> {
  for (const [siteId, user] of Object.entries(sync.users)) {
    if (onlySites && !onlySites.includes(siteId)) continue;
    const seen = await salto.readSaltoUserGroups({
      siteId,
      siteUserId: user.siteUserId,
      platformUserId: user.platformUserId,
    });
    if (seen.exists) {
      sync.applied[siteId] = seen.groupIds;
    } else {
      // Deleted by hand: found or created again, with its groups, in this same pass.
      delete sync.users[siteId];
      delete sync.applied[siteId];
    }
  }
  delete sync.rereadSites; // every site asked for is read (or has no user any more)
}

async function announceMasterLink(
  personId: string,
  oldMaster: string | null,
  newMaster: string | null,
  at: string | null,
): Promise<void> {
  if (oldMaster === newMaster) return;
  const linkAt = at ?? new Date(Date.now()).toISOString();
  for (const [masterId, linked] of [
    [oldMaster, false],
    [newMaster, true],
  ] as const) {
    if (!masterId) continue;
    await personNews().signalPerson({
      personId: masterId,
      event: {
        type: 'comember-link',
        eventId: `${personWorkflowId(personId)}:${linked ? 'link' : 'unlink'}:${masterId}:${linkAt}`,
        comemberId: personId,
        linked,
        at: linkAt,
      },
    });
  }
}

/**
 * The check of a pass that may decide on the set-up this run holds (SETUP_CHECKED_BY_CALL_PATCH):
 * none when it holds none, when a fan-out announced a newer one, or when the e-mail is still to be
 * hashed in this run (one read then does both).
 */
function setupToCheck(
  held: Setup | null,
  announced: number,
  profile: Profile | null,
  identity: PublishedIdentity,
): SetupCheck | undefined {
  if (held === null || announced > held.version) return undefined;
  if (profile !== null && emailKeyStale(identity, profile.email)) return undefined;
  if (!patched(SETUP_CHECKED_BY_CALL_PATCH)) return undefined;
  return { version: held.version, fingerprint: setupFingerprint(held), answered: false };
}

/** Whether the person's current e-mail still has to be hashed in this run. */
function emailKeyStale(published: PublishedIdentity, email: string): boolean {
  return published.email?.trim().toLowerCase() !== email.trim().toLowerCase();
}

/** The reads a run makes: by local activity, or by activity task (ACTIVITY_TASKS_ONLY_PATCH). */
type CoordinationReads = Pick<
  CoordinationActivities,
  'loadSetup' | 'loadSetupAndEmailKey' | 'emailLookupKey'
>;

/**
 * The set-up; when the e-mail is to be hashed later in this pass (in publishIdentity), hashed by
 * the same call now (SETUP_WITH_EMAIL_KEY_PATCH).
 */
async function readSetup(
  profile: Profile | null,
  published: PublishedIdentity,
  reads: CoordinationReads,
): Promise<Setup> {
  const email = profile?.email;
  if (email === undefined || !emailKeyStale(published, email) || !patched(SETUP_WITH_EMAIL_KEY_PATCH))
    return reads.loadSetup();
  const { setup, emailKey } = await reads.loadSetupAndEmailKey({ email });
  published.email = email;
  published.emailKey = emailKey;
  return setup;
}

/** The memo when the name or e-mail changed; the e-mail's keyed hash when the address changed. */
async function publishIdentity(
  profile: Profile,
  published: PublishedIdentity,
  reads: CoordinationReads,
): Promise<void> {
  const key = JSON.stringify([profile.firstName, profile.lastName, profile.email]);
  if (published.profileKey !== key) {
    const memo: PersonMemo = {
      firstName: profile.firstName,
      lastName: profile.lastName,
      email: profile.email,
    };
    upsertMemo({ [PERSON_MEMO_KEY]: memo });
    published.profileKey = key;
  }
  if (emailKeyStale(published, profile.email)) {
    // The hash needs the key and Node's crypto: an activity.
    published.emailKey = await reads.emailLookupKey({ email: profile.email });
    published.email = profile.email;
  }
}

/** Upserts the person's search attributes unless they are what `published` says; answers what they are. */
function publishSearchAttributes(
  facts: PersonFacts,
  sync: SyncState,
  desired: DesiredAccess | null,
  identity: PublishedIdentity,
  published: string | null,
): string {
  const sites = new Set([
    ...Object.keys(sync.users),
    ...Object.keys(sync.applied),
    ...Object.keys(desired?.groups ?? {}),
  ]);
  const attributes = [
    { key: PersonIdKey, value: facts.personId },
    { key: PersonKindKey, value: personKind(facts) },
    { key: CenterIdsKey, value: centerIdsOf(facts) },
    { key: SiteIdsKey, value: [...sites].sort() },
    { key: InSyncKey, value: sync.inSync },
    { key: HeldGroupsKey, value: heldGroupKeywords(normalizeSiteGroups(sync.applied)) },
    { key: OutOfSyncSinceKey, value: sync.outOfSyncSince ? new Date(sync.outOfSyncSince) : null },
    ...(identity.emailKey === null ? [] : [{ key: EmailKeyKey, value: identity.emailKey }]),
  ];
  const key = JSON.stringify(attributes.map((a) => [a.key.name, a.value]));
  if (key === published && patched(SPARSE_SEARCH_ATTRIBUTES_PATCH)) return key;
  upsertSearchAttributes(attributes);
  return key;
}

function view(
  facts: PersonFacts,
  sync: SyncState,
  desired: DesiredAccess | null,
  setup: Setup | null,
): PersonAccessView {
  const held = groupsToHold(sync, {
    personId: facts.personId,
    profile: facts.profile,
    desired: desired?.groups ?? {},
    policy: setup?.noAccessPolicy ?? 'keep',
  });
  return {
    personId: facts.personId,
    name: facts.profile ? { firstName: facts.profile.firstName, lastName: facts.profile.lastName } : null,
    email: facts.profile?.email ?? null,
    kind: personKind(facts),
    status: facts.deletedAt ? 'deleted' : facts.isMember ? facts.status : 'active',
    desired: held,
    applied: normalizeSiteGroups(sync.applied),
    inSync: sync.inSync,
    lastSyncAt: sync.lastSyncAt,
    lastError: sync.lastError,
    warnings: [...(desired?.warnings ?? []), ...sync.warnings],
    reasons: withSharedReasons(desired?.reasons ?? {}, sync, facts.profile?.email ?? null),
    sharedWith: Object.fromEntries(
      Object.entries(sync.sharedWith).map(([site, link]) => [site, link.ownerId]),
    ),
    claimsConfirmAt: Object.fromEntries(
      Object.entries(sync.claims).map(([site, c]) => [site, new Date(c.confirmAt).toISOString()]),
    ),
    reservations: Object.values(facts.reservations)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((r) => ({
        id: r.reservationId,
        start: r.start,
        end: r.end,
        windowStart: r.windowStart,
        windowEnd: r.windowEnd,
        state: r.state,
      })),
    masterId: facts.masterId,
    comemberIds: facts.comemberIds,
    centerIds: centerIdsOf(facts),
    saltoUsers: Object.fromEntries(
      Object.entries(sync.users).map(([site, u]) => [
        site,
        { siteUserId: u.siteUserId, platformUserId: u.platformUserId, blocked: u.blocked },
      ]),
    ),
    nextChangeAt: desired?.nextChangeAt ?? null,
  };
}

/** Groups held for another record with the same e-mail carry that record as their reason. */
function withSharedReasons(
  reasons: DesiredAccess['reasons'],
  sync: SyncState,
  email: string | null,
): DesiredAccess['reasons'] {
  const out: DesiredAccess['reasons'] = JSON.parse(JSON.stringify(reasons)) as DesiredAccess['reasons'];
  for (const [siteId, byPerson] of Object.entries(sync.contributions)) {
    for (const [personId, c] of Object.entries(byPerson)) {
      if (email === null || c.email.toLowerCase() !== email.toLowerCase()) continue;
      for (const groupId of c.groups)
        ((out[siteId] ??= {})[groupId] ??= []).push({ kind: 'shared-email', personId });
    }
  }
  return out;
}
