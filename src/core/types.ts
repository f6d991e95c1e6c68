// The pure core's vocabulary: what a person has, what the set-up maps, what access follows.
// Plain data only (it travels in workflow histories and signals): no Dates, no classes.

/** ISO 8601 instant with offset, e.g. 2026-11-28T14:03:11Z. */
export type IsoInstant = string;
/** Calendar date in a center's time zone, YYYY-MM-DD. */
export type LocalDate = string;

export type SiteId = string;
export type AccessGroupId = string;
/** Access groups per SALTO KS site. Group ids sorted, no duplicates, no empty sites. */
export type SiteGroups = Record<SiteId, AccessGroupId[]>;

export type PersonKind = 'member' | 'comember' | 'nonmember';
export type NoAccessPolicy = 'keep' | 'block' | 'delete';

export interface Billing {
  id: string;
  productId: string;
  centerId: string;
  startDate: LocalDate;
  /** Last day, inclusive; null = open-ended. */
  endDate: LocalDate | null;
  status: 'active' | 'cancelled';
}

/** A reservation the person currently holds access for (the reservation workflow granted it). */
export interface ReservationGrant {
  reservationId: string;
  unitId: string;
  centerId: string;
  /** start − lead and end + lag: access holds for windowStart ≤ now < windowEnd, even if no revoke comes. */
  windowStart: IsoInstant;
  windowEnd: IsoInstant;
}

/** What a co-member inherits: the groups its master holds through its own billings (rule 1). */
export interface MasterGroups {
  masterId: string;
  groups: SiteGroups;
}

export interface EntitlementInput {
  status: 'active' | 'inactive';
  billings: Billing[];
  /** Set while the person is a co-member; null otherwise. */
  master: MasterGroups | null;
  reservations: ReservationGrant[];
}

export interface MappedItem {
  name?: string;
  accessGroupIds: AccessGroupId[];
}

export interface CenterSetup {
  id: string;
  name?: string;
  /** IANA zone; billing dates are read in it. */
  timeZone?: string;
  saltoSiteId: SiteId | null;
  /** Per center, as in Deskworks: the same product id may map differently at two centers. */
  products: Record<string, MappedItem>;
  reservationUnits: Record<string, MappedItem>;
  /**
   * Ids Deskworks' catalog (product.updated, reservation_unit.updated) ever named at this center,
   * kept after a deletion: `*.deleted` carries only the id, and this says where it applies
   * (docs/setup-deletions.md). Absent in set-ups from before it was kept.
   */
  catalog?: { products?: string[]; reservationUnits?: string[] };
}

export interface Setup {
  centers: Record<string, CenterSetup>;
  noAccessPolicy: NoAccessPolicy;
  reservationLeadMinutes: number;
  reservationLagMinutes: number;
  /** Incremented on every change, so a person knows whether it holds the latest. */
  version: number;
}

/** Why a person holds a group: the answer to "why does she open this door?". */
export type AccessReason =
  | { kind: 'billing'; billingId: string; productId: string; centerId: string }
  | { kind: 'master'; masterId: string }
  | { kind: 'reservation'; reservationId: string; unitId: string; centerId: string }
  /** Another Deskworks record with the same e-mail: one SALTO KS user holds the union of both. */
  | { kind: 'shared-email'; personId: string };

export interface DesiredAccess {
  /** Every group the person should hold, per site, with every reason for it (rule 4: the union). */
  reasons: Record<SiteId, Record<AccessGroupId, AccessReason[]>>;
  /** The same as plain groups. */
  groups: SiteGroups;
  /** Groups held through the person's own billings only: what co-members inherit (rule 2). */
  planGroups: SiteGroups;
  /** The next instant at which this answer can change without any event; null if never. */
  nextChangeAt: IsoInstant | null;
  /** What happens at nextChangeAt, in ids (never names), and the zone of its center. */
  nextChange?: NextChange | null;
  /** Parts of the facts that grant nothing although they look like they should (the rest still applies). */
  warnings: string[];
}

export interface NextChange {
  at: IsoInstant;
  /** For example "the window of reservation r-5 opens", "billing b-1 ends". */
  what: string;
  timeZone: string;
}

export interface SiteGroupDiff {
  add: AccessGroupId[];
  remove: AccessGroupId[];
}
