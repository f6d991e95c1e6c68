// What the end-to-end tests share: a small set-up mapped through the admin API, and readers of
// what actually reached SALTO KS (the simulator's state and request log), never the engine's view.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { localDateAt, addDays } from '../../src/core/dates';
import { billing, memberCreated, memberSnapshot } from '../../src/demo/event-builders';
import { DEMO_SITE_BERLIN_ID, DEMO_SITE_BROOKLYN_ID } from '../../src/simulator/demo-seed';
import { personWorkflowId } from '../../src/shared/ids';
import type { LoggedRequest, SimStateView } from '../../src/simulator';
import type { FaultSettings } from '../../src/simulator/faults';
import { setSimulatorFaults as setSimulatorFaultsAt } from '../helpers/simulator-faults';
import type { Stack } from '../helpers/stack';

/** What the helpers need of a running product: startStack()'s stack, or a test's own harness. */
export type ProductUnderTest = Pick<Stack, 'sim' | 'api' | 'eventually'>;

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
export async function mapTestSetup(stack: ProductUnderTest): Promise<void> {
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

/**
 * No reservation lead or lag (and the keep policy): a window is then exactly the reservation's
 * start to end, so it can open and close within seconds of a test.
 */
export async function withoutReservationMargins(stack: ProductUnderTest): Promise<void> {
  const policy = await stack.api('PATCH', '/api/setup/policy', {
    reservationLeadMinutes: 0,
    reservationLagMinutes: 0,
    noAccessPolicy: 'keep',
  });
  assert.equal(policy.status, 200, JSON.stringify(policy.body));
}

/** Sends a signed event and expects the webhook's 202. */
export async function sendAccepted(
  stack: Pick<Stack, 'sendEvent'>,
  event: { id: string; type: string },
): Promise<void> {
  const answer = await stack.sendEvent(event);
  assert.equal(answer.status, 202, `${event.type}: ${JSON.stringify(answer.body)}`);
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

/**
 * A member at Berlin with a hot desk since yesterday (GROUPS.deskBerlin), named as given; the
 * plan's last day is `endDate` (a Berlin calendar date), open-ended without it.
 */
export function berlinDeskMember(
  id: string,
  firstName: string,
  lastName: string,
  endDate: string | null = null,
) {
  return memberSnapshot({
    id,
    centerId: BERLIN.centerId,
    firstName,
    lastName,
    email: emailOf(id),
    recurringBillings: [
      billing({
        id: `b-${id}`,
        productId: PRODUCT_DESK,
        centerId: BERLIN.centerId,
        startDate: localDay(BERLIN.timeZone, -1),
        endDate,
      }),
    ],
  });
}

/** A Berlin desk member sent as member.created, once SALTO KS holds its plan's groups. */
export async function syncedBerlinMember(
  stack: ProductUnderTest & Pick<Stack, 'sendEvent'>,
  id: string,
  firstName: string,
  lastName: string,
): Promise<ReturnType<typeof berlinDeskMember>> {
  const member = berlinDeskMember(id, firstName, lastName);
  const sent = await stack.sendEvent(memberCreated(member));
  if (sent.status !== 202) throw new Error(`member.created of ${id}: ${sent.status}`);
  await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
  return member;
}

/** Waits until visibility lists the person at the center (the people list's query sees it). */
export async function waitUntilListed(
  stack: ProductUnderTest,
  centerId: string,
  personId: string,
): Promise<void> {
  await stack.eventually(
    async () => {
      const listed = await stack.api(
        'GET',
        `/api/people?center=${encodeURIComponent(centerId)}&pageSize=100`,
      );
      return (
        (listed.body as { items: { personId: string }[] }).items.some((i) => i.personId === personId) ||
        undefined
      );
    },
    20_000,
    `${personId} listed at ${centerId}`,
  );
}

export type SaltoSite = SimStateView['sites'][number];
export type SaltoUser = SaltoSite['users'][number];

/** What SALTO KS holds now, read over HTTP from the simulator (GET /__sim/state). */
export async function saltoState(stack: ProductUnderTest): Promise<SimStateView> {
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

export async function saltoUsersByEmail(
  stack: ProductUnderTest,
  siteId: string,
  email: string,
): Promise<SaltoUser[]> {
  return usersByEmail(await saltoState(stack), siteId, email);
}

export async function saltoGroupsOf(
  stack: ProductUnderTest,
  siteId: string,
  platformUserId: string,
): Promise<string[]> {
  return groupsOf(await saltoState(stack), siteId, platformUserId);
}

/**
 * Waits until SALTO KS has exactly one user with this e-mail on the site, holding exactly these
 * groups (an empty list: the user exists and holds none). Answers the user.
 */
export async function waitForSaltoGroups(
  stack: ProductUnderTest,
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
export async function saltoRequests(stack: ProductUnderTest): Promise<LoggedRequest[]> {
  const res = await fetch(`${stack.sim.url}/__sim/requests`);
  assert.equal(res.status, 200);
  return (await res.json()) as LoggedRequest[];
}

/** Requests the simulator served since the last clear: all of them, where the log keeps the latest 20,000. */
export async function saltoRequestCount(stack: ProductUnderTest): Promise<number> {
  const res = await fetch(`${stack.sim.url}/__sim/requests/count`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { served: number }).served;
}

export async function clearSaltoRequests(stack: ProductUnderTest): Promise<void> {
  const res = await fetch(`${stack.sim.url}/__sim/requests`, { method: 'DELETE' });
  assert.equal(res.status, 204);
}

/** Requests that change SALTO KS (anything but GET). */
export function writesAmong(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.method !== 'GET');
}

/** Every SALTO KS user on every site. */
export async function saltoUserCount(stack: ProductUnderTest): Promise<number> {
  return (await saltoState(stack)).sites.reduce((sum, site) => sum + site.users.length, 0);
}

/**
 * Waits until the person's workflow has received at least `signals` signals and has nothing left
 * to do: a workflow task completed after the last signal, and no activity is still running. Only
 * then can a test say that something did *not* happen because of those signals.
 */
export async function waitUntilPersonIdle(stack: Stack, personId: string, signals: number): Promise<void> {
  await stack.eventually(
    async () => {
      const history = await stack.client.workflow.getHandle(personWorkflowId(personId)).fetchHistory();
      const events = history.events ?? [];
      const lastIndex = (has: (e: (typeof events)[number]) => unknown): number =>
        events.reduce((found, e, index) => (has(e) ? index : found), -1);
      const signalled = events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
      const lastSignal = lastIndex((e) => e.workflowExecutionSignaledEventAttributes);
      const lastTaskCompleted = lastIndex((e) => e.workflowTaskCompletedEventAttributes);
      const lastTaskScheduled = lastIndex((e) => e.workflowTaskScheduledEventAttributes);
      const activitiesScheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
      const activitiesClosed = events.filter(
        (e) =>
          e.activityTaskCompletedEventAttributes ||
          e.activityTaskFailedEventAttributes ||
          e.activityTaskTimedOutEventAttributes ||
          e.activityTaskCanceledEventAttributes,
      ).length;
      const idle =
        signalled >= signals &&
        lastTaskCompleted > lastSignal &&
        lastTaskCompleted > lastTaskScheduled &&
        activitiesScheduled === activitiesClosed;
      return idle ? true : undefined;
    },
    20_000,
    `person ${personId} to have handled ${signals} signal(s)`,
  );
}

/** Replaces the simulator's faults (`{}` clears them all): src/simulator/faults.ts. */
export async function setSimulatorFaults(
  stack: Pick<ProductUnderTest, 'sim'>,
  settings: FaultSettings,
): Promise<void> {
  await setSimulatorFaultsAt(stack.sim.url, settings);
}
