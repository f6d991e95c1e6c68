// Small builders for the pure core's tests: a set-up, a member, a billing, a reservation grant,
// and what a reservation workflow tells a person.
import type { ReservationStatusEvent } from '../../src/core/person-events';
import type {
  Billing,
  CenterSetup,
  EntitlementInput,
  MappedItem,
  ReservationGrant,
  Setup,
} from '../../src/core/types';

export const ms = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant in test: ${iso}`);
  return value;
};
export const iso = (instantMs: number): string => new Date(instantMs).toISOString();

function items(groups: Record<string, string[]> = {}): Record<string, MappedItem> {
  const mapped: Record<string, MappedItem> = {};
  for (const [id, accessGroupIds] of Object.entries(groups))
    mapped[id] = { name: `name of ${id}`, accessGroupIds };
  return mapped;
}

export interface CenterSpec {
  site: string | null;
  timeZone?: string;
  products?: Record<string, string[]>;
  units?: Record<string, string[]>;
}

export function center(id: string, spec: CenterSpec): CenterSetup {
  const built: CenterSetup = {
    id,
    name: `Center ${id}`,
    saltoSiteId: spec.site,
    products: items(spec.products),
    reservationUnits: items(spec.units),
  };
  if (spec.timeZone !== undefined) built.timeZone = spec.timeZone;
  return built;
}

export function setupOf(centers: Record<string, CenterSpec>, version = 1): Setup {
  const built: Setup = {
    centers: {},
    noAccessPolicy: 'keep',
    reservationLeadMinutes: 15,
    reservationLagMinutes: 15,
    version,
  };
  for (const [id, spec] of Object.entries(centers)) built.centers[id] = center(id, spec);
  return built;
}

export function billing(fields: Partial<Billing> & Pick<Billing, 'centerId' | 'productId'>): Billing {
  return { id: `b-${fields.productId}`, startDate: '2026-01-01', endDate: null, status: 'active', ...fields };
}

export function grant(
  fields: Partial<ReservationGrant> & Pick<ReservationGrant, 'windowStart' | 'windowEnd'>,
): ReservationGrant {
  return { reservationId: 'r1', unitId: 'room-1', centerId: 'berlin', ...fields };
}

export function person(fields: Partial<EntitlementInput> = {}): EntitlementInput {
  return { status: 'active', billings: [], master: null, reservations: [], ...fields };
}

let reservationEvents = 0;

/** What a reservation workflow tells its person: this reservation, in this state, with this window. */
export function reservationStatus(
  fields: Pick<ReservationStatusEvent, 'reservationId' | 'key' | 'state' | 'windowStart' | 'windowEnd'> &
    Partial<Pick<ReservationStatusEvent, 'unitId' | 'customer'>>,
): ReservationStatusEvent {
  return {
    type: 'reservation-status',
    eventId: `reservation-status-${++reservationEvents}`,
    unitId: 'room',
    centerId: 'berlin',
    start: fields.windowStart,
    end: fields.windowEnd,
    customer: {
      type: 'member',
      profile: { firstName: 'A', lastName: 'B', email: 'a@example.com' },
      updatedAt: fields.windowStart,
    },
    ...fields,
  };
}
