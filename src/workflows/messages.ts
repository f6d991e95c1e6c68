// Signals, queries and updates of the workflows: shared by the workflows, the API and the tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HistoryEntry } from '../core/access-history';
import type { PersonEvent } from '../core/person-events';
import type { PersonFacts } from '../core/person-state';
import type { AccessReason, IsoInstant, NoAccessPolicy, PersonKind, SiteGroups } from '../core/types';
import type { Setup } from '../core/types';
import type { ReservationState } from '../core/person-events';
import type { ReservationSnapshot } from '../core/reservation-snapshot';

export type { ReservationSnapshot };

// ---- person ----------------------------------------------------------------------------------

export const personEventSignal = defineSignal<[PersonEvent]>('personEvent');

export interface PersonAccessView {
  personId: string;
  /** Who it is, as Deskworks last said (null until an event with a name came). */
  name: { firstName: string; lastName: string } | null;
  email: string | null;
  kind: PersonKind;
  status: 'active' | 'inactive' | 'deleted';
  desired: SiteGroups;
  applied: SiteGroups;
  inSync: boolean;
  lastSyncAt: IsoInstant | null;
  lastError: string | null;
  warnings: string[];
  /** Sites where another record with the same e-mail owns the SALTO KS user: its person id. */
  sharedWith: Record<string, string>;
  /**
   * Sites where a SALTO KS user that had no owner was just adopted: its groups are written once
   * the claim is confirmed, at this instant (two records with one e-mail may adopt it at once).
   */
  claimsConfirmAt: Record<string, IsoInstant>;
  /** Why each desired group is there: which billing, master or reservation gives it. */
  reasons: Record<string, Record<string, AccessReason[]>>;
  reservations: {
    id: string;
    start: IsoInstant;
    end: IsoInstant;
    windowStart: IsoInstant;
    windowEnd: IsoInstant;
    state: ReservationState;
  }[];
  masterId: string | null;
  comemberIds: string[];
  centerIds: string[];
  saltoUsers: Record<string, { siteUserId: string; platformUserId: string; blocked: boolean }>;
  nextChangeAt: IsoInstant | null;
}

export const personAccessQuery = defineQuery<PersonAccessView>('access');

/** What the person workflow knows (billings, reservations, master): for previews at an instant. */
export const personFactsQuery = defineQuery<PersonFacts>('facts');

// ---- reservation -----------------------------------------------------------------------------

export type ReservationEvent =
  | { type: 'snapshot'; eventId: string; reservation: ReservationSnapshot }
  | { type: 'cancelled'; eventId: string; updatedAt: IsoInstant }
  /** The lead/lag policy changed: the window is computed again. */
  | { type: 'setup-changed'; eventId: string; version: number };

export const reservationEventSignal = defineSignal<[ReservationEvent]>('reservationEvent');

export interface ReservationView {
  id: string;
  personId: string | null;
  windowStart: IsoInstant | null;
  windowEnd: IsoInstant | null;
  state: ReservationState;
}

export const reservationStateQuery = defineQuery<ReservationView>('reservationState');

// ---- set-up ----------------------------------------------------------------------------------

export type CatalogEvent =
  | { type: 'center'; eventId: string; center: { id: string; name: string; timeZone: string } }
  | { type: 'product'; eventId: string; product: { id: string; centerId: string; name: string } }
  | { type: 'reservation-unit'; eventId: string; unit: { id: string; centerId: string; name: string } }
  | { type: 'product-deleted'; eventId: string; id: string }
  | { type: 'reservation-unit-deleted'; eventId: string; id: string };

export const catalogEventSignal = defineSignal<[CatalogEvent]>('catalogEvent');
export const getSetupQuery = defineQuery<Setup>('getSetup');

/**
 * The set-up workflow also keeps its set-up in its memo, under this key, updated in the same
 * workflow task as every change: reading it (describe) needs no worker, unlike the query.
 */
export const SETUP_MEMO_KEY = 'setup';

export interface CenterSiteChange {
  centerId: string;
  saltoSiteId: string;
  name?: string;
  timeZone?: string;
}
export interface MappingChange {
  centerId: string;
  itemId: string;
  accessGroupIds: string[];
  name?: string;
}
export interface PolicyChange {
  noAccessPolicy?: NoAccessPolicy;
  reservationLeadMinutes?: number;
  reservationLagMinutes?: number;
}

export const setCenterSiteUpdate = defineUpdate<Setup, [CenterSiteChange]>('setCenterSite');
export const setProductGroupsUpdate = defineUpdate<Setup, [MappingChange]>('setProductGroups');
export const setUnitGroupsUpdate = defineUpdate<Setup, [MappingChange]>('setUnitGroups');
export const setPolicyUpdate = defineUpdate<Setup, [PolicyChange]>('setPolicy');

/** The error type of a rejected set-up change; its details carry the problems, in words. */
export const SETUP_REJECTED = 'SetupChangeRejected';

/** The person's access history, newest last (src/core/access-history.ts). */
export const personHistoryQuery = defineQuery<HistoryEntry[]>('personHistory');

/**
 * The person workflow's memo entry: who the person is, for the people list. A memo goes through
 * the payload codec (encrypted when PAYLOAD_ENCRYPTION_KEYS is set), unlike search attributes.
 */
export const PERSON_MEMO_KEY = 'person';

export interface PersonMemo {
  firstName: string;
  lastName: string;
  email: string;
}
