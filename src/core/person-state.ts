// A person's Deskworks-side facts and the pure rules for folding events into them.
// Events arrive duplicated and out of order: each fact keeps the `updatedAt` it came with,
// and an older snapshot never overwrites a newer one (last writer wins, per fact).
import type {
  PersonEvent,
  Profile,
  ReservationState,
  ReservationStatusEvent,
  ReservationStatusKey,
} from './person-events';
import type {
  Billing,
  EntitlementInput,
  IsoInstant,
  PersonKind,
  ReservationGrant,
  SiteGroups,
} from './types';

/** What the person keeps of each reservation: the latest status its workflow sent. */
export type ReservationRecord = Omit<ReservationStatusEvent, 'type' | 'eventId' | 'customer'>;

export interface PersonFacts {
  personId: string;
  /** Set once a member snapshot arrived; a person known only from reservations is a non-member. */
  isMember: boolean;
  profile: Profile | null;
  profileAt: IsoInstant | null;
  homeCenterId: string | null;
  status: 'active' | 'inactive';
  statusAt: IsoInstant | null;
  masterId: string | null;
  masterAt: IsoInstant | null;
  masterGroups: SiteGroups;
  masterGroupsSeq: number;
  /** The master the groups came from: kept across a removal, so an immediate re-adding keeps them. */
  masterGroupsFrom?: string | null;
  billings: Record<string, { billing: Billing; at: IsoInstant }>;
  /** The newest member snapshot's time: older news cannot add a billing that snapshot did not list. */
  snapshotAt?: IsoInstant | null;
  /** Billings removed by a newer snapshot: remembered so an older billing event cannot revive them. */
  removedBillingsAt: Record<string, IsoInstant>;
  comemberIds: string[];
  /** Per co-member, the time of the newest link or removal heard (older news is dropped). */
  comemberLinkAt?: Record<string, IsoInstant>;
  reservations: Record<string, ReservationRecord>;
  /** Finished reservations pruned from `reservations`: their last key, so older news cannot revive them. */
  reservationsDone?: Record<string, { key: ReservationStatusKey; windowEnd: IsoInstant }>;
  deletedAt: IsoInstant | null;
  /** The most recent event ids, to drop duplicates (bounded: duplicates come close together). */
  recentEventIds: string[];
}

/**
 * Duplicates are a fast path only: every fact is ordered by its own time or key, so a
 * duplicate older than this memory changes nothing either.
 */
export const RECENT_EVENT_IDS_KEPT = 200;
/** A finished reservation's record is pruned this long after its window closed (late news is dropped by key). */
export const FINISHED_RESERVATION_KEPT_MS = 3 * 24 * 60 * 60_000;
/**
 * Tombstones are dropped after this long: no Deskworks retry and no reservation workflow (it
 * lingers a day, two weeks at most) delivers news that old.
 */
export const RESERVATION_TOMBSTONE_KEPT_MS = 30 * 24 * 60 * 60_000;
export const BILLING_TOMBSTONE_KEPT_MS = 400 * 24 * 60 * 60_000;
/** An ended billing is pruned to a tombstone this long after its last day. */
export const ENDED_BILLING_KEPT_MS = 60 * 24 * 60 * 60_000;

export function newPersonFacts(personId: string): PersonFacts {
  return {
    personId,
    isMember: false,
    profile: null,
    profileAt: null,
    homeCenterId: null,
    status: 'active',
    statusAt: null,
    masterId: null,
    masterAt: null,
    masterGroups: {},
    masterGroupsSeq: 0,
    masterGroupsFrom: null,
    billings: {},
    removedBillingsAt: {},
    comemberIds: [],
    comemberLinkAt: {},
    reservations: {},
    reservationsDone: {},
    deletedAt: null,
    recentEventIds: [],
  };
}

function isNewer(at: IsoInstant, than: IsoInstant | null): boolean {
  return than === null || Date.parse(at) > Date.parse(than);
}

/** Older than the deletion: a late event about a deleted member must not bring them back. */
function beforeDeletion(facts: PersonFacts, at: IsoInstant): boolean {
  return facts.deletedAt !== null && !isNewer(at, facts.deletedAt);
}

export function personKind(facts: PersonFacts): PersonKind {
  if (!facts.isMember) return 'nonmember';
  return facts.masterId ? 'comember' : 'member';
}

export function isDuplicate(facts: PersonFacts, eventId: string): boolean {
  return facts.recentEventIds.includes(eventId);
}

/** Folds one event into the facts. Returns the same object when the event changes nothing. */
export function applyPersonEvent(facts: PersonFacts, event: PersonEvent): PersonFacts {
  if (isDuplicate(facts, event.eventId)) return facts;
  const next = reduce(structuredCloneFacts(facts), event);
  next.recentEventIds = [...facts.recentEventIds, event.eventId].slice(-RECENT_EVENT_IDS_KEPT);
  return next;
}

function structuredCloneFacts(f: PersonFacts): PersonFacts {
  return JSON.parse(JSON.stringify(f)) as PersonFacts;
}

function reduce(f: PersonFacts, e: PersonEvent): PersonFacts {
  switch (e.type) {
    case 'member-snapshot': {
      if (beforeDeletion(f, e.updatedAt)) return f;
      if (f.deletedAt !== null) f.deletedAt = null; // re-created after a deletion
      f.isMember = true;
      if (isNewer(e.updatedAt, f.profileAt)) {
        f.profile = e.profile;
        f.homeCenterId = e.homeCenterId;
        f.profileAt = e.updatedAt;
      }
      if (isNewer(e.updatedAt, f.statusAt)) {
        f.status = e.status;
        f.statusAt = e.updatedAt;
      }
      if (isNewer(e.updatedAt, f.masterAt)) {
        f.masterId = e.masterId;
        f.masterAt = e.updatedAt;
      }
      const inSnapshot = new Set(e.billings.map((b) => b.id));
      for (const billing of e.billings) setBilling(f, billing, e.updatedAt);
      for (const [id, held] of Object.entries(f.billings)) {
        if (!inSnapshot.has(id) && isNewer(e.updatedAt, held.at)) {
          delete f.billings[id];
          f.removedBillingsAt[id] = e.updatedAt;
        }
      }
      if (isNewer(e.updatedAt, f.snapshotAt ?? null)) f.snapshotAt = e.updatedAt;
      return f;
    }
    case 'member-status':
      if (beforeDeletion(f, e.updatedAt) || !isNewer(e.updatedAt, f.statusAt)) return f;
      f.status = e.status;
      f.statusAt = e.updatedAt;
      return f;
    case 'member-deleted':
      if (!isNewer(e.updatedAt, f.deletedAt)) return f;
      f.deletedAt = e.updatedAt;
      f.status = 'inactive';
      f.statusAt = e.updatedAt;
      return f;
    case 'billing':
      if (beforeDeletion(f, e.updatedAt)) return f;
      setBilling(f, e.billing, e.updatedAt);
      return f;
    case 'comember-removed':
      // Newer than the link we hold, or than no link at all: an older comember.added arriving
      // after it must not link again (the newest fact wins whichever arrives first).
      if (!isNewer(e.updatedAt, f.masterAt)) return f;
      if (f.masterId !== null && f.masterId !== e.masterId) return f; // about a master it left already
      f.masterId = null;
      f.masterAt = e.updatedAt;
      return f;
    case 'reservation-status': {
      const held = f.reservations[e.reservationId]?.key ?? f.reservationsDone?.[e.reservationId]?.key;
      if (held && compareReservationKeys(held, e.key) >= 0) return f;
      if (f.reservationsDone) delete f.reservationsDone[e.reservationId];
      f.reservations[e.reservationId] = {
        reservationId: e.reservationId,
        key: e.key,
        unitId: e.unitId,
        centerId: e.centerId,
        start: e.start,
        end: e.end,
        windowStart: e.windowStart,
        windowEnd: e.windowEnd,
        state: e.state,
      };
      // A non-member's only profile is the one their reservations carry.
      if (!f.isMember && isNewer(e.customer.updatedAt, f.profileAt)) {
        f.profile = e.customer.profile;
        f.profileAt = e.customer.updatedAt;
      }
      return f;
    }
    case 'master-groups': {
      if (e.masterId !== f.masterId) return f;
      const sameMaster = (f.masterGroupsFrom ?? f.masterId) === e.masterId;
      if (sameMaster && e.seq <= f.masterGroupsSeq) return f;
      f.masterGroups = e.groups;
      f.masterGroupsSeq = e.seq;
      f.masterGroupsFrom = e.masterId;
      return f;
    }
    case 'comember-link': {
      const linkAt = (f.comemberLinkAt ??= {});
      const heldAt = linkAt[e.comemberId] ?? null;
      if (heldAt !== null && !isNewer(e.at, heldAt)) return f;
      linkAt[e.comemberId] = e.at;
      f.comemberIds = e.linked
        ? [...new Set([...f.comemberIds, e.comemberId])].sort()
        : f.comemberIds.filter((id) => id !== e.comemberId);
      return f;
    }
    case 'setup-changed':
    case 'observed-groups':
    case 'observed-missing':
    case 'shared-groups':
    case 'shared-user-handover':
    case 'shared-owner-changed':
    case 'resync':
      // Handled by the workflow (they concern SALTO KS state, not Deskworks facts).
      return f;
  }
}

function setBilling(f: PersonFacts, billing: Billing, at: IsoInstant): void {
  const held = f.billings[billing.id];
  const removedAt = f.removedBillingsAt[billing.id] ?? null;
  if (held && !isNewer(at, held.at)) return;
  if (!held && removedAt !== null && !isNewer(at, removedAt)) return;
  // The newest snapshot is the whole list as of its time: older news of a billing it lacks is stale.
  if (!held && f.snapshotAt && !isNewer(at, f.snapshotAt)) return;
  f.billings[billing.id] = { billing, at };
  delete f.removedBillingsAt[billing.id];
}

/** The person's reservations in these states, as the rules take them. */
export function reservationGrants(f: PersonFacts, states: readonly ReservationState[]): ReservationGrant[] {
  return Object.values(f.reservations)
    .filter((r) => states.includes(r.state))
    .map((r) => ({
      reservationId: r.reservationId,
      unitId: r.unitId,
      centerId: r.centerId,
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
    }));
}

/**
 * The facts the entitlement rules read. A deleted person is entitled to nothing. A reservation
 * grants within its window once told "granted"; with `scheduledGrants` (the person keeps the
 * window's time itself, patch `person-keeps-reservation-windows`) also while "scheduled".
 */
export function entitlementInput(f: PersonFacts, scheduledGrants: boolean): EntitlementInput {
  if (f.deletedAt !== null) return { status: 'inactive', billings: [], master: null, reservations: [] };
  const reservations = reservationGrants(f, scheduledGrants ? ['scheduled', 'granted'] : ['granted']);
  const masterGroups = (f.masterGroupsFrom ?? f.masterId) === f.masterId ? f.masterGroups : {};
  return {
    status: f.isMember ? f.status : 'active',
    billings: Object.values(f.billings).map((b) => b.billing),
    master: f.masterId ? { masterId: f.masterId, groups: masterGroups } : null,
    reservations,
  };
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareReservationKeys(a: ReservationStatusKey, b: ReservationStatusKey): number {
  const at = Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
  if (at !== 0) return at;
  if (a.setupVersion !== b.setupVersion) return a.setupVersion - b.setupVersion;
  return a.step - b.step;
}

/**
 * Drops what can no longer change a decision, so a person of ten years stays small across
 * continue-as-new: finished reservations become tombstones (their key still drops older news),
 * ended billings likewise, and tombstones go once no delivery that old can plausibly come.
 */
export function pruneFacts(f: PersonFacts, nowMs: number): PersonFacts {
  const next = structuredCloneFacts(f);
  const done = (next.reservationsDone ??= {});
  for (const [id, r] of Object.entries(next.reservations)) {
    if (Date.parse(r.windowEnd) + FINISHED_RESERVATION_KEPT_MS < nowMs) {
      done[id] = { key: r.key, windowEnd: r.windowEnd };
      delete next.reservations[id];
    }
  }
  for (const [id, d] of Object.entries(done)) {
    if (Date.parse(d.windowEnd) + RESERVATION_TOMBSTONE_KEPT_MS < nowMs) delete done[id];
  }
  for (const [id, held] of Object.entries(next.billings)) {
    const end = held.billing.endDate === null ? NaN : Date.parse(`${held.billing.endDate}T00:00:00Z`);
    const cancelled =
      held.billing.status === 'cancelled' && Date.parse(held.at) + ENDED_BILLING_KEPT_MS < nowMs;
    if (end + ENDED_BILLING_KEPT_MS < nowMs || cancelled) {
      next.removedBillingsAt[id] = held.at;
      delete next.billings[id];
    }
  }
  for (const [id, at] of Object.entries(next.removedBillingsAt)) {
    if (Date.parse(at) + BILLING_TOMBSTONE_KEPT_MS < nowMs) delete next.removedBillingsAt[id];
  }
  if (
    next.masterId === null &&
    next.masterGroupsFrom !== null &&
    Date.parse(next.masterAt ?? '') + FINISHED_RESERVATION_KEPT_MS < nowMs
  ) {
    next.masterGroups = {};
    next.masterGroupsSeq = 0;
    next.masterGroupsFrom = null;
  }
  return next;
}

/** Every center this person touches: home, billings, reservations (search attribute; set-up fan-out). */
export function centerIdsOf(f: PersonFacts): string[] {
  const ids = new Set<string>();
  if (f.homeCenterId) ids.add(f.homeCenterId);
  for (const { billing } of Object.values(f.billings)) ids.add(billing.centerId);
  for (const r of Object.values(f.reservations)) ids.add(r.centerId);
  return [...ids].sort();
}
