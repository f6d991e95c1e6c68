// What the end-to-end tests share: a small set-up mapped through the admin API, and readers of
// what actually reached SALTO KS (the simulator's state and request log), never the engine's view.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { localDateAt, addDays } from '../../src/core/dates';
import { DEMO_SITE_BERLIN_ID, DEMO_SITE_BROOKLYN_ID } from '../../src/simulator/demo-seed';
import type { LoggedRequest, SimStateView } from '../../src/simulator';
import type { Stack } from '../helpers/stack';

export const BERLIN = { centerId: 'c-ber', siteId: DEMO_SITE_BERLIN_ID, timeZone: 'Europe/Berlin' };
export const BROOKLYN = { centerId: 'c-bro', siteId: DEMO_SITE_BROOKLYN_ID, timeZone: 'America/New_York' };

export const PRODUCT_DESK = 'p-desk';
export const PRODUCT_OFFICE = 'p-office';
export const UNIT_SPREE = 'u-spree';

/** The groups each item gives, sorted as the simulator's state is compared. */
export const GROUPS = {
  deskBerlin: ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance'],
  officeBerlin: ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance', 'ag-berlin-private-offices'],
  /** The same product id at another center gives that center's groups. */
  deskBrooklyn: ['ag-brooklyn-lobby', 'ag-brooklyn-open-desks'],
  spreeRoom: ['ag-berlin-meeting-room-spree'],
};

/** Maps both centers, the two products and the meeting room through the admin API. */
export async function mapTestSetup(stack: Stack): Promise<void> {
  const calls: [string, unknown][] = [
    [
      `/api/setup/centers/${BERLIN.centerId}`,
      { saltoSiteId: BERLIN.siteId, name: 'Berlin', timeZone: BERLIN.timeZone },
    ],
    [
      `/api/setup/centers/${BROOKLYN.centerId}`,
      { saltoSiteId: BROOKLYN.siteId, name: 'Brooklyn', timeZone: BROOKLYN.timeZone },
    ],
    [`/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, { accessGroupIds: GROUPS.deskBerlin }],
    [
      `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_OFFICE}`,
      { accessGroupIds: GROUPS.officeBerlin },
    ],
    [
      `/api/setup/centers/${BROOKLYN.centerId}/products/${PRODUCT_DESK}`,
      { accessGroupIds: GROUPS.deskBrooklyn },
    ],
    [
      `/api/setup/centers/${BERLIN.centerId}/reservation-units/${UNIT_SPREE}`,
      { accessGroupIds: GROUPS.spreeRoom },
    ],
  ];
  for (const [path, body] of calls) {
    const answer = await stack.api('PUT', path, body);
    assert.equal(answer.status, 200, `PUT ${path}: ${JSON.stringify(answer.body)}`);
  }
}

/** A fresh id per test, so tests sharing a stack never see each other's people. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function emailOf(id: string): string {
  return `${id}@e2e.example`;
}

/** A calendar date `days` from today in that center's zone. */
export function localDay(timeZone: string, days = 0): string {
  return addDays(localDateAt(Date.now(), timeZone), days);
}

export type SaltoSite = SimStateView['sites'][number];
export type SaltoUser = SaltoSite['users'][number];

/** What SALTO KS holds now, read over HTTP from the simulator (GET /__sim/state). */
export async function saltoState(stack: Stack): Promise<SimStateView> {
  const res = await fetch(`${stack.sim.url}/__sim/state`);
  assert.equal(res.status, 200);
  return (await res.json()) as SimStateView;
}

function siteIn(state: SimStateView, siteId: string): SaltoSite {
  const site = state.sites.find((s) => s.id === siteId);
  assert.ok(site, `no site ${siteId} in the simulator`);
  return site;
}

export function usersByEmail(state: SimStateView, siteId: string, email: string): SaltoUser[] {
  return siteIn(state, siteId).users.filter((u) => u.email.toLowerCase() === email.toLowerCase());
}

/** The groups whose members include this platform user (membership is by platform user id). */
export function groupsOf(state: SimStateView, siteId: string, platformUserId: string): string[] {
  return siteIn(state, siteId)
    .access_groups.filter((g) => g.members.includes(platformUserId))
    .map((g) => g.id)
    .sort();
}

export async function saltoUsersByEmail(stack: Stack, siteId: string, email: string): Promise<SaltoUser[]> {
  return usersByEmail(await saltoState(stack), siteId, email);
}

export async function saltoGroupsOf(stack: Stack, siteId: string, platformUserId: string): Promise<string[]> {
  return groupsOf(await saltoState(stack), siteId, platformUserId);
}

/**
 * Waits until SALTO KS has exactly one user with this e-mail on the site, holding exactly these
 * groups (an empty list: the user exists and holds none). Answers the user.
 */
export async function waitForSaltoGroups(
  stack: Stack,
  siteId: string,
  email: string,
  expected: string[],
  timeoutMs = 20_000,
): Promise<SaltoUser> {
  const want = JSON.stringify([...expected].sort());
  let last = '';
  try {
    return await stack.eventually(
      async () => {
        const state = await saltoState(stack);
        const users = usersByEmail(state, siteId, email);
        const groups = users.map((u) => groupsOf(state, siteId, u.userId));
        last = `${users.length} user(s), groups ${JSON.stringify(groups)}`;
        return users.length === 1 && JSON.stringify(groups[0]) === want ? users[0] : undefined;
      },
      timeoutMs,
      `${email} to hold ${want} on site ${siteId}`,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; SALTO KS last showed ${last}`);
  }
}

/** The SALTO KS requests the simulator served (its log), over real HTTP as a test client would read it. */
export async function saltoRequests(stack: Stack): Promise<LoggedRequest[]> {
  const res = await fetch(`${stack.sim.url}/__sim/requests`);
  assert.equal(res.status, 200);
  return (await res.json()) as LoggedRequest[];
}

export async function clearSaltoRequests(stack: Stack): Promise<void> {
  const res = await fetch(`${stack.sim.url}/__sim/requests`, { method: 'DELETE' });
  assert.equal(res.status, 204);
}

/** Requests that change SALTO KS (anything but GET). */
export function writesAmong(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.method !== 'GET');
}

export interface PersonAccess {
  inSync: boolean;
  lastSyncAt: string | null;
  applied: Record<string, string[]>;
  kind: string;
  status: string;
}

/** The engine's own view (GET /api/people/:id/access): only to know when it has finished a pass. */
export async function personAccess(stack: Stack, personId: string): Promise<PersonAccess | undefined> {
  const answer = await stack.api('GET', `/api/people/${personId}/access`);
  return answer.status === 200 ? (answer.body as PersonAccess) : undefined;
}

/** Waits until the person's workflow finished a pass after `afterIso` (its lastSyncAt moved past it). */
export async function waitForSyncAfter(
  stack: Stack,
  personId: string,
  afterIso: string | null,
): Promise<PersonAccess> {
  return stack.eventually(
    async () => {
      const access = await personAccess(stack, personId);
      if (!access?.inSync || access.lastSyncAt === null) return undefined;
      return afterIso === null || access.lastSyncAt > afterIso ? access : undefined;
    },
    20_000,
    `person ${personId} to finish a sync pass`,
  );
}
