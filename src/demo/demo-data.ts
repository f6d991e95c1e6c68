// The demo's Deskworks side: two centers mapped to the simulator's two demo sites, their products
// and reservation units mapped to access groups, and a few people whose dates are built relative
// to "now" so that a newcomer sees access appear (and, for one billing, wait) on every run.
import type { DeskworksEvent } from '../api/deskworks-events';
import { addDays, localDateAt } from '../core/dates';
import { DEMO_SITE_BERLIN_ID, DEMO_SITE_BROOKLYN_ID } from '../simulator/demo-seed';
import {
  billing,
  centerUpdated,
  comemberAdded,
  memberCreated,
  memberSnapshot,
  productUpdated,
  reservationCreated,
  reservationSnapshot,
  reservationUnitUpdated,
} from './event-builders';

export const DEMO_CENTER_BERLIN = 'c-berlin';
export const DEMO_CENTER_BROOKLYN = 'c-brooklyn';
/** The same product id at both centers, mapped differently at each (mappings are per center). */
export const DEMO_PRODUCT_HOT_DESK = 'p-hot-desk';
export const DEMO_PRODUCT_PRIVATE_OFFICE = 'p-private-office';
export const DEMO_PRODUCT_STUDIO = 'p-studio';
export const DEMO_UNIT_MEETING_ROOM_SPREE = 'u-meeting-room-spree';
export const DEMO_UNIT_STUDIO = 'u-studio';

export interface DemoCenter {
  id: string;
  name: string;
  timeZone: string;
  saltoSiteId: string;
}

export interface DemoMappedItem {
  id: string;
  centerId: string;
  name: string;
  accessGroupIds: string[];
}

export const DEMO_CENTERS: DemoCenter[] = [
  {
    id: DEMO_CENTER_BERLIN,
    name: 'Berlin Mitte',
    timeZone: 'Europe/Berlin',
    saltoSiteId: DEMO_SITE_BERLIN_ID,
  },
  {
    id: DEMO_CENTER_BROOKLYN,
    name: 'Brooklyn Navy Yard',
    timeZone: 'America/New_York',
    saltoSiteId: DEMO_SITE_BROOKLYN_ID,
  },
];

export const DEMO_PRODUCTS: DemoMappedItem[] = [
  {
    id: DEMO_PRODUCT_HOT_DESK,
    centerId: DEMO_CENTER_BERLIN,
    name: 'Hot desk',
    accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-coworking-floor'],
  },
  {
    id: DEMO_PRODUCT_PRIVATE_OFFICE,
    centerId: DEMO_CENTER_BERLIN,
    name: 'Private office',
    accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-coworking-floor', 'ag-berlin-private-offices'],
  },
  {
    id: DEMO_PRODUCT_HOT_DESK,
    centerId: DEMO_CENTER_BROOKLYN,
    name: 'Hot desk',
    accessGroupIds: ['ag-brooklyn-lobby', 'ag-brooklyn-open-desks'],
  },
  {
    id: DEMO_PRODUCT_STUDIO,
    centerId: DEMO_CENTER_BROOKLYN,
    name: 'Studio membership',
    accessGroupIds: ['ag-brooklyn-lobby', 'ag-brooklyn-studio'],
  },
];

export const DEMO_RESERVATION_UNITS: DemoMappedItem[] = [
  {
    id: DEMO_UNIT_MEETING_ROOM_SPREE,
    centerId: DEMO_CENTER_BERLIN,
    name: 'Meeting room Spree',
    accessGroupIds: ['ag-berlin-main-entrance', 'ag-berlin-meeting-room-spree'],
  },
  {
    id: DEMO_UNIT_STUDIO,
    centerId: DEMO_CENTER_BROOKLYN,
    name: 'Studio',
    accessGroupIds: ['ag-brooklyn-lobby', 'ag-brooklyn-studio'],
  },
];

/** One event of the demo, with the line the loader prints for it. */
export interface DemoEventStep {
  describe: string;
  event: DeskworksEvent;
}

export interface DemoPerson {
  id: string;
  email: string;
  /** The sites where the person holds access groups as soon as the demo synced (none: later). */
  sitesWithAccessNow: string[];
}

export interface DemoData {
  people: DemoEventStep[];
  /** Who the demo creates, for the marker file and for tests. */
  persons: DemoPerson[];
}

const MINUTE_MS = 60_000;

function centerZone(centerId: string): string {
  return DEMO_CENTERS.find((c) => c.id === centerId)?.timeZone ?? 'UTC';
}

/** A calendar date `days` away from today in that center's zone (billing dates are local dates). */
function dayAt(centerId: string, nowMs: number, days: number): string {
  return addDays(localDateAt(nowMs, centerZone(centerId)), days);
}

/** What Deskworks tells about its catalog: names and time zones for the set-up page. */
export function demoCatalog(): DemoEventStep[] {
  return [
    ...DEMO_CENTERS.map((c) => ({
      describe: `center ${c.name} (${c.id}, ${c.timeZone})`,
      event: centerUpdated({ id: c.id, name: c.name, timeZone: c.timeZone }),
    })),
    ...DEMO_PRODUCTS.map((p) => ({
      describe: `product ${p.name} (${p.id}) at ${p.centerId}`,
      event: productUpdated({ id: p.id, centerId: p.centerId, name: p.name }),
    })),
    ...DEMO_RESERVATION_UNITS.map((u) => ({
      describe: `reservation unit ${u.name} (${u.id}) at ${u.centerId}`,
      event: reservationUnitUpdated({ id: u.id, centerId: u.centerId, name: u.name }),
    })),
  ];
}

/**
 * The demo relative to `nowMs`. `leadMinutes` is the set-up's reservation lead: the non-member's
 * reservation starts so that its access window opens two minutes after loading, whatever the lead.
 */
export function demoData(nowMs: number, leadMinutes: number): DemoData {
  const anna = memberSnapshot({
    id: 'm-anna',
    centerId: DEMO_CENTER_BERLIN,
    firstName: 'Anna',
    lastName: 'Schmidt',
    email: 'anna.schmidt@example.com',
    recurringBillings: [
      billing({
        id: 'b-anna-hot-desk',
        productId: DEMO_PRODUCT_HOT_DESK,
        centerId: DEMO_CENTER_BERLIN,
        startDate: dayAt(DEMO_CENTER_BERLIN, nowMs, -30),
      }),
    ],
  });
  const ben = memberSnapshot({
    id: 'm-ben',
    centerId: DEMO_CENTER_BERLIN,
    firstName: 'Ben',
    lastName: 'Okafor',
    email: 'ben.okafor@example.com',
    recurringBillings: [
      billing({
        id: 'b-ben-private-office',
        productId: DEMO_PRODUCT_PRIVATE_OFFICE,
        centerId: DEMO_CENTER_BERLIN,
        startDate: dayAt(DEMO_CENTER_BERLIN, nowMs, -90),
        endDate: dayAt(DEMO_CENTER_BERLIN, nowMs, 270),
      }),
    ],
  });
  // Ben's co-member: no billing of her own, she opens the doors Ben's plan opens.
  const carla = memberSnapshot({
    id: 'm-carla',
    centerId: DEMO_CENTER_BERLIN,
    firstName: 'Carla',
    lastName: 'Okafor',
    email: 'carla.okafor@example.com',
  });
  // Two centers: a studio plan in Brooklyn now, and a Berlin hot desk too.
  const dana = memberSnapshot({
    id: 'm-dana',
    centerId: DEMO_CENTER_BROOKLYN,
    firstName: 'Dana',
    lastName: 'Reyes',
    email: 'dana.reyes@example.com',
    recurringBillings: [
      billing({
        id: 'b-dana-studio',
        productId: DEMO_PRODUCT_STUDIO,
        centerId: DEMO_CENTER_BROOKLYN,
        startDate: dayAt(DEMO_CENTER_BROOKLYN, nowMs, -10),
      }),
      billing({
        id: 'b-dana-berlin-hot-desk',
        productId: DEMO_PRODUCT_HOT_DESK,
        centerId: DEMO_CENTER_BERLIN,
        startDate: dayAt(DEMO_CENTER_BERLIN, nowMs, -10),
      }),
    ],
  });
  // Starts next week: no access yet; the person workflow sleeps until 00:00 New York time that day.
  const eli = memberSnapshot({
    id: 'm-eli',
    centerId: DEMO_CENTER_BROOKLYN,
    firstName: 'Eli',
    lastName: 'Novak',
    email: 'eli.novak@example.com',
    recurringBillings: [
      billing({
        id: 'b-eli-hot-desk',
        productId: DEMO_PRODUCT_HOT_DESK,
        centerId: DEMO_CENTER_BROOKLYN,
        startDate: dayAt(DEMO_CENTER_BROOKLYN, nowMs, 7),
      }),
    ],
  });
  const opensAtMs = nowMs + 2 * MINUTE_MS;
  const reservationStartMs = opensAtMs + leadMinutes * MINUTE_MS;
  const frida = reservationSnapshot({
    id: 'r-frida-spree',
    reservationUnitId: DEMO_UNIT_MEETING_ROOM_SPREE,
    centerId: DEMO_CENTER_BERLIN,
    startMs: reservationStartMs,
    endMs: reservationStartMs + 60 * MINUTE_MS,
    customer: {
      type: 'nonmember',
      id: 'nm-frida',
      firstName: 'Frida',
      lastName: 'Lind',
      email: 'frida.lind@example.com',
    },
  });
  const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

  return {
    people: [
      {
        describe: 'member m-anna: Hot desk in Berlin since a month',
        event: memberCreated(anna),
      },
      {
        describe: 'member m-ben: Private office in Berlin, ends in 9 months',
        event: memberCreated(ben),
      },
      {
        describe: "co-member m-carla of m-ben: inherits m-ben's Berlin doors",
        event: comemberAdded(ben.id, carla),
      },
      {
        describe: 'member m-dana: Studio in Brooklyn and Hot desk in Berlin',
        event: memberCreated(dana),
      },
      {
        describe: `member m-eli: Hot desk in Brooklyn from ${eli.recurringBillings[0]?.startDate ?? '?'} (no access before)`,
        event: memberCreated(eli),
      },
      {
        describe:
          `non-member nm-frida: Meeting room Spree ${hhmm(reservationStartMs)}–` +
          `${hhmm(reservationStartMs + 60 * MINUTE_MS)} UTC; access from ${hhmm(opensAtMs)} UTC`,
        event: reservationCreated(frida),
      },
    ],
    persons: [
      { id: anna.id, email: anna.email, sitesWithAccessNow: [DEMO_SITE_BERLIN_ID] },
      { id: ben.id, email: ben.email, sitesWithAccessNow: [DEMO_SITE_BERLIN_ID] },
      { id: carla.id, email: carla.email, sitesWithAccessNow: [DEMO_SITE_BERLIN_ID] },
      { id: dana.id, email: dana.email, sitesWithAccessNow: [DEMO_SITE_BERLIN_ID, DEMO_SITE_BROOKLYN_ID] },
      { id: eli.id, email: eli.email, sitesWithAccessNow: [] },
      { id: frida.customer.id, email: frida.customer.email, sitesWithAccessNow: [] },
    ],
  };
}
