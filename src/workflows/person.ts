// The person workflow: one per Deskworks person, the only writer of their SALTO KS state.
// It folds events into facts (pure reducer), computes the desired access (pure core), applies
// the difference through activities, and sleeps until the next instant the answer changes.
import {
  condition,
  continueAsNew,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { computeDesiredAccess } from '../core/entitlements';
import { normalizeSiteGroups, sameSiteGroups } from '../core/diff';
import type { PersonEvent } from '../core/person-events';
import {
  applyPersonEvent,
  centerIdsOf,
  entitlementInput,
  isDuplicate,
  newPersonFacts,
  personKind,
  type PersonFacts,
} from '../core/person-state';
import type { DesiredAccess, Setup, SiteGroups } from '../core/types';
import { personWorkflowId } from '../shared/ids';
import { CenterIdsKey, InSyncKey, PersonIdKey, PersonKindKey, SiteIdsKey } from '../shared/search-attributes';
import { coordination, salto } from './activity-proxies';
import { personAccessQuery, personEventSignal, type PersonAccessView } from './messages';
import { describeFailure, newSyncState, syncPersonToSalto, type SyncState } from './person-sync';

export interface PersonWorkflowInput {
  personId: string;
  /** Carried over continue-as-new. */
  carried?: {
    facts: PersonFacts;
    sync: SyncState;
    setup: Setup | null;
    pending: PersonEvent[];
    /** What this master last told its co-members, and the sequence number it used. */
    sentPlanGroups: SiteGroups;
    planGroupsSeq: number;
  };
}

/** Continue-as-new after this many events even if the server does not suggest it yet. */
export const EVENTS_BEFORE_CONTINUE_AS_NEW = 500;
const MAX_RETRY_DELAY_MS = 15 * 60_000;

export async function personWorkflow(input: PersonWorkflowInput): Promise<void> {
  const { personId } = input;
  let facts = input.carried?.facts ?? newPersonFacts(personId);
  const sync = input.carried?.sync ?? newSyncState();
  let setup = input.carried?.setup ?? null;
  let sentPlanGroups = input.carried?.sentPlanGroups ?? {};
  let planGroupsSeq = input.carried?.planGroupsSeq ?? 0;
  const pending: PersonEvent[] = [...(input.carried?.pending ?? [])];
  let desired: DesiredAccess | null = null;
  let eventsThisRun = 0;

  setHandler(personEventSignal, (event) => {
    pending.push(event);
  });
  setHandler(personAccessQuery, (): PersonAccessView => view(facts, sync, desired));

  for (;;) {
    // 1. Fold the waiting events into the facts.
    const before = facts;
    let reloadSetup = setup === null;
    let rereadSalto = false;
    const newComembers: string[] = [];
    while (pending.length > 0) {
      const event = pending.shift()!;
      eventsThisRun++;
      if (isDuplicate(facts, event.eventId)) continue;
      if (event.type === 'setup-changed' && (setup === null || event.version > setup.version))
        reloadSetup = true;
      if (event.type === 'resync') rereadSalto = true;
      if (event.type === 'observed-groups') takeObservation(sync, event);
      if (event.type === 'comember-link' && event.linked) newComembers.push(event.comemberId);
      facts = applyPersonEvent(facts, event);
    }

    // 2. Bring SALTO KS in line; a failure is recorded and retried later, never lost.
    try {
      if (reloadSetup) setup = await coordination.loadSetup();
      if (rereadSalto) await rereadAppliedGroups(sync);
      const currentSetup = setup!;
      const computed = computeDesiredAccess(entitlementInput(facts), currentSetup, Date.now());
      desired = computed;
      await syncPersonToSalto(sync, {
        personId,
        profile: facts.profile,
        desired: computed.groups,
        policy: currentSetup.noAccessPolicy,
      });
      sync.inSync = true;
      sync.lastError = null;
      sync.failedAttempts = 0;
      sync.lastSyncAt = new Date(Date.now()).toISOString();
    } catch (err) {
      sync.inSync = false;
      sync.lastError = describeFailure(err);
      sync.failedAttempts++;
    }

    // 3. Tell the others what concerns them: the master about this co-member, co-members about their master's groups.
    await announceMasterLink(personId, before.masterId, facts.masterId);
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
          await coordination.signalPerson({
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
    publishSearchAttributes(facts, sync, desired);

    // 4. Continue-as-new before the history grows long, carrying everything.
    if (
      pending.length === 0 &&
      (workflowInfo().continueAsNewSuggested || eventsThisRun >= EVENTS_BEFORE_CONTINUE_AS_NEW)
    ) {
      await continueAsNew<typeof personWorkflow>({
        personId,
        carried: { facts, sync, setup, pending, sentPlanGroups, planGroupsSeq },
      });
    }

    // 5. Sleep until an event comes, the access changes by itself, or a failed sync is due a retry.
    const wakeAt = nextWake(desired, sync);
    if (wakeAt === null) await condition(() => pending.length > 0);
    else await condition(() => pending.length > 0, Math.max(1, wakeAt - Date.now()));
  }
}

function nextWake(desired: DesiredAccess | null, sync: SyncState): number | null {
  const candidates: number[] = [];
  if (desired?.nextChangeAt) candidates.push(Date.parse(desired.nextChangeAt));
  if (!sync.inSync)
    candidates.push(
      Date.now() + Math.min(MAX_RETRY_DELAY_MS, 30_000 * 2 ** Math.min(sync.failedAttempts, 10)),
    );
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/** Reconciliation reported what SALTO KS shows: that becomes "applied", so the next diff repairs drift. */
function takeObservation(sync: SyncState, event: Extract<PersonEvent, { type: 'observed-groups' }>): void {
  const user = sync.users[event.siteId];
  if (!user || user.platformUserId !== event.platformUserId) return;
  sync.applied[event.siteId] = [...event.groups].sort();
}

async function rereadAppliedGroups(sync: SyncState): Promise<void> {
  for (const [siteId, user] of Object.entries(sync.users)) {
    sync.applied[siteId] = await salto.readSaltoUserGroups({ siteId, platformUserId: user.platformUserId });
  }
}

async function announceMasterLink(
  personId: string,
  oldMaster: string | null,
  newMaster: string | null,
): Promise<void> {
  if (oldMaster === newMaster) return;
  if (oldMaster) {
    await coordination.signalPerson({
      personId: oldMaster,
      event: {
        type: 'comember-link',
        eventId: `${personWorkflowId(personId)}:unlink:${oldMaster}:${Date.now()}`,
        comemberId: personId,
        linked: false,
      },
    });
  }
  if (newMaster) {
    await coordination.signalPerson({
      personId: newMaster,
      event: {
        type: 'comember-link',
        eventId: `${personWorkflowId(personId)}:link:${newMaster}:${Date.now()}`,
        comemberId: personId,
        linked: true,
      },
    });
  }
}

function publishSearchAttributes(facts: PersonFacts, sync: SyncState, desired: DesiredAccess | null): void {
  const sites = new Set([
    ...Object.keys(sync.users),
    ...Object.keys(sync.applied),
    ...Object.keys(desired?.groups ?? {}),
  ]);
  upsertSearchAttributes([
    { key: PersonIdKey, value: facts.personId },
    { key: PersonKindKey, value: personKind(facts) },
    { key: CenterIdsKey, value: centerIdsOf(facts) },
    { key: SiteIdsKey, value: [...sites].sort() },
    { key: InSyncKey, value: sync.inSync },
  ]);
}

function view(facts: PersonFacts, sync: SyncState, desired: DesiredAccess | null): PersonAccessView {
  return {
    personId: facts.personId,
    kind: personKind(facts),
    status: facts.deletedAt ? 'deleted' : facts.isMember ? facts.status : 'active',
    desired: desired?.groups ?? {},
    applied: normalizeSiteGroups(sync.applied),
    inSync: sync.inSync,
    lastSyncAt: sync.lastSyncAt,
    lastError: sync.lastError,
    warnings: sync.warnings,
    reasons: desired?.reasons ?? {},
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
