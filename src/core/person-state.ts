// A person's Deskworks-side facts and the pure rules for folding events into them.
// Events arrive duplicated and out of order: each fact keeps the `updatedAt` it came with,
// and an older snapshot never overwrites a newer one (last writer wins, per fact).
import type { PersonEvent, Profile, ReservationStatusEvent } from './person-events';
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
  billings: Record<string, { billing: Billing; at: IsoInstant }>;
  /** Billings removed by a newer snapshot: remembered so an older billing event cannot revive them. */
  removedBillingsAt: Record<string, IsoInstant>;
  comemberIds: string[];
  reservations: Record<string, ReservationRecord>;
  deletedAt: IsoInstant | null;
  /** The most recent event ids, to drop duplicates (bounded: duplicates come close together). */
  recentEventIds: string[];
}

export const RECENT_EVENT_IDS_KEPT = 1000;

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
    billings: {},
    removedBillingsAt: {},
    comemberIds: [],
    reservations: {},
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
        if (f.masterId !== e.masterId) {
          f.masterGroups = {};
          f.masterGroupsSeq = 0;
        }
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
      if (f.masterId !== e.masterId || !isNewer(e.updatedAt, f.masterAt)) return f;
      f.masterId = null;
      f.masterAt = e.updatedAt;
      f.masterGroups = {};
      f.masterGroupsSeq = 0;
      return f;
    case 'reservation-status': {
      const held = f.reservations[e.reservationId];
      if (held && held.seq >= e.seq) return f;
      f.reservations[e.reservationId] = {
        reservationId: e.reservationId,
        seq: e.seq,
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
    case 'master-groups':
      if (e.masterId !== f.masterId || e.seq <= f.masterGroupsSeq) return f;
      f.masterGroups = e.groups;
      f.masterGroupsSeq = e.seq;
      return f;
    case 'comember-link':
      f.comemberIds = e.linked
        ? [...new Set([...f.comemberIds, e.comemberId])].sort()
        : f.comemberIds.filter((id) => id !== e.comemberId);
      return f;
    case 'setup-changed':
    case 'observed-groups':
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
  f.billings[billing.id] = { billing, at };
  delete f.removedBillingsAt[billing.id];
}

/** The facts the entitlement rules read. A deleted person is entitled to nothing. */
export function entitlementInput(f: PersonFacts): EntitlementInput {
  if (f.deletedAt !== null) return { status: 'inactive', billings: [], master: null, reservations: [] };
  const reservations: ReservationGrant[] = Object.values(f.reservations)
    .filter((r) => r.state === 'granted')
    .map((r) => ({
      reservationId: r.reservationId,
      unitId: r.unitId,
      centerId: r.centerId,
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
    }));
  return {
    status: f.isMember ? f.status : 'active',
    billings: Object.values(f.billings).map((b) => b.billing),
    master: f.masterId ? { masterId: f.masterId, groups: f.masterGroups } : null,
    reservations,
  };
}

/** Every center this person touches: home, billings, reservations (search attribute; set-up fan-out). */
export function centerIdsOf(f: PersonFacts): string[] {
  const ids = new Set<string>();
  if (f.homeCenterId) ids.add(f.homeCenterId);
  for (const { billing } of Object.values(f.billings)) ids.add(billing.centerId);
  for (const r of Object.values(f.reservations)) ids.add(r.centerId);
  return [...ids].sort();
}
