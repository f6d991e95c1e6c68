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

/** Sent by a reservation workflow whenever its state or times change; seq orders them. */
export interface ReservationStatusEvent {
  type: 'reservation-status';
  eventId: string;
  reservationId: string;
  seq: number;
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
  | ResyncEvent;

export type { PersonKind };
