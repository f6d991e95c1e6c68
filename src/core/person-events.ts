// What a person workflow hears: one union, delivered by one signal, so events are handled
// in arrival order by a pure reducer (person-state.ts).
import type { Billing, IsoInstant, PersonKind, SiteGroups } from './types';

export interface Profile {
  firstName: string;
  lastName: string;
  email: string;
}

/** member.created / member.updated / comember.added: the whole Deskworks snapshot. */
export interface MemberSnapshotEvent {
  type: 'member-snapshot';
  eventId: string;
  updatedAt: IsoInstant;
  homeCenterId: string;
  profile: Profile;
  status: 'active' | 'inactive';
  masterId: string | null;
  billings: Billing[];
}

export interface MemberStatusEvent {
  type: 'member-status';
  eventId: string;
  updatedAt: IsoInstant;
  status: 'active' | 'inactive';
}

export interface MemberDeletedEvent {
  type: 'member-deleted';
  eventId: string;
  updatedAt: IsoInstant;
}

export interface BillingEvent {
  type: 'billing';
  eventId: string;
  updatedAt: IsoInstant;
  billing: Billing;
}

export interface ComemberRemovedEvent {
  type: 'comember-removed';
  eventId: string;
  updatedAt: IsoInstant;
  masterId: string;
}

export type ReservationState = 'scheduled' | 'granted' | 'revoked' | 'cancelled';

/**
 * Orders what reservation workflows say about one reservation, across reruns of its workflow:
 * the Deskworks `updatedAt` of the fact it acts on (snapshot or cancellation), then the set-up
 * version its window was computed with, then how far along the reservation is.
 */
export interface ReservationStatusKey {
  updatedAt: IsoInstant;
  setupVersion: number;
  step: number;
}

/** Sent by a reservation workflow whenever anything it says changes; `key` orders them. */
export interface ReservationStatusEvent {
  type: 'reservation-status';
  eventId: string;
  reservationId: string;
  key: ReservationStatusKey;
  unitId: string;
  centerId: string;
  start: IsoInstant;
  end: IsoInstant;
  windowStart: IsoInstant;
  windowEnd: IsoInstant;
  state: ReservationState;
  /** The customer as the reservation knows them: a non-member's only profile. */
  customer: { type: 'member' | 'nonmember'; profile: Profile; updatedAt: IsoInstant };
}

/** A master tells a co-member which groups its plans give (rule 2). */
export interface MasterGroupsEvent {
  type: 'master-groups';
  eventId: string;
  masterId: string;
  seq: number;
  groups: SiteGroups;
}

/** A co-member tells its master that it joined or left, so the master knows whom to tell. */
export interface ComemberLinkEvent {
  type: 'comember-link';
  eventId: string;
  comemberId: string;
  linked: boolean;
  /** The Deskworks time of the link or removal: the newest wins, whichever arrives first. */
  at: IsoInstant;
}

/**
 * Another record with this person's e-mail, on a site where this person owns the SALTO KS user,
 * asks it to hold its groups too (one user per e-mail per site; the owner is its only writer).
 */
export interface SharedGroupsEvent {
  type: 'shared-groups';
  eventId: string;
  fromPersonId: string;
  siteId: string;
  email: string;
  profile: Profile;
  groups: string[];
  seq: number;
}

/** The owner of a shared user left its e-mail: this person owns the user now, with these groups. */
export interface SharedUserHandoverEvent {
  type: 'shared-user-handover';
  eventId: string;
  siteId: string;
  siteUserId: string;
  platformUserId: string;
  email: string;
  groups: string[];
  /** Groups a write may have given the user without an answer (since 0.10.0). */
  maybeHeld?: string[];
}

/** The shared user of this person's e-mail on a site has a new owner: send the groups there. */
export interface SharedOwnerChangedEvent {
  type: 'shared-owner-changed';
  eventId: string;
  siteId: string;
  ownerId: string;
}

export interface SetupChangedEvent {
  type: 'setup-changed';
  eventId: string;
  version: number;
}

/** Periodic reconciliation: what SALTO KS actually shows for this person on one site. */
export interface ObservedGroupsEvent {
  type: 'observed-groups';
  eventId: string;
  siteId: string;
  siteUserId: string;
  platformUserId: string;
  groups: string[];
}

/** Periodic reconciliation: the site shows no user of this person (deleted by hand). */
export interface ObservedMissingEvent {
  type: 'observed-missing';
  eventId: string;
  siteId: string;
}

/** Operator asked for a resync: re-read SALTO KS and repair drift. */
export interface ResyncEvent {
  type: 'resync';
  eventId: string;
}

export type PersonEvent =
  | MemberSnapshotEvent
  | MemberStatusEvent
  | MemberDeletedEvent
  | BillingEvent
  | ComemberRemovedEvent
  | ReservationStatusEvent
  | MasterGroupsEvent
  | ComemberLinkEvent
  | SetupChangedEvent
  | ObservedGroupsEvent
  | ObservedMissingEvent
  | SharedGroupsEvent
  | SharedUserHandoverEvent
  | SharedOwnerChangedEvent
  | ResyncEvent;

export type { PersonKind };
