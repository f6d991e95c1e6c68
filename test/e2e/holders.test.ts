// "Who holds this door, and why?" (issue 13 §2): GET /api/sites/:siteId/groups/:groupId/holders
// lists every person SALTO KS holds in a group, found through the SaltoHeldGroups search
// attribute, with the reason (billing, master, reservation and its window), paged or as a CSV for
// an audit. Dev server (visibility), real worker and API, SALTO KS simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  billing,
  memberCreated,
  memberSnapshot,
  memberStatusChanged,
  reservationCreated,
  reservationSnapshot,
} from '../../src/demo/event-builders';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import {
  BERLIN,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_OFFICE,
  syncedBerlinMember,
  uniqueId,
  UNIT_SPREE,
  waitForSaltoGroups,
} from './e2e-support';

const FLOOR = 'ag-berlin-coworking-floor';
const OFFICES = 'ag-berlin-private-offices';
const SPREE = GROUPS.spreeRoom[0]!;

interface Holder {
  personId: string;
  name: { firstName: string; lastName: string } | null;
  email: string | null;
  kind: string | null;
  reasons: {
    kind: string;
    billingId?: string;
    reservationId?: string;
    windowStart?: string;
    windowEnd?: string;
  }[];
  accessError: string | null;
}
interface HoldersPage {
  siteId: string;
  groupId: string;
  items: Holder[];
  nextPageToken: string | null;
}

describe('who holds a door, and why', () => {
  let stack: Stack;
  const desk = [uniqueId('desk'), uniqueId('desk')];
  const office = uniqueId('office');
  const guest = uniqueId('guest');
  const reservationId = uniqueId('r');

  const holdersPath = (groupId: string, query = '') =>
    `/api/sites/${BERLIN.siteId}/groups/${groupId}/holders${query}`;
  const holders = async (groupId: string, query = ''): Promise<HoldersPage> => {
    const answer = await stack.api('GET', holdersPath(groupId, query));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as HoldersPage;
  };
  /** Until visibility lists exactly these people as holders (it follows the workflows by a moment). */
  const holdersAre = (groupId: string, personIds: string[]): Promise<HoldersPage> =>
    stack.eventually(
      async () => {
        const page = await holders(groupId);
        const ids = page.items.map((h) => h.personId).sort();
        return JSON.stringify(ids) === JSON.stringify([...personIds].sort()) ? page : undefined;
      },
      20_000,
      `holders of ${groupId}: ${personIds.join(', ')}`,
    );

  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
    await syncedBerlinMember(stack, desk[0]!, 'Dora', 'Desk');
    await syncedBerlinMember(stack, desk[1]!, 'Dmitri', 'Desk');
    const officeMember = memberSnapshot({
      id: office,
      centerId: BERLIN.centerId,
      firstName: 'Olga',
      lastName: 'Office',
      email: emailOf(office),
      recurringBillings: [
        billing({
          id: `b-${office}`,
          productId: PRODUCT_OFFICE,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -1),
        }),
      ],
    });
    assert.equal((await stack.sendEvent(memberCreated(officeMember))).status, 202);
    const startMs = Date.now() - 10 * 60_000;
    const booked = await stack.sendEvent(
      reservationCreated(
        reservationSnapshot({
          id: reservationId,
          reservationUnitId: UNIT_SPREE,
          centerId: BERLIN.centerId,
          startMs,
          endMs: startMs + 2 * 60 * 60_000,
          customer: {
            type: 'nonmember',
            id: guest,
            firstName: 'Gus',
            lastName: 'Guest',
            email: emailOf(guest),
          },
        }),
      ),
    );
    assert.equal(booked.status, 202);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(office), GROUPS.officeBerlin);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(guest), GROUPS.spreeRoom);
  });

  after(async () => {
    await stack?.stop();
  });

  it('lists every holder of a group with its name, e-mail and reason', async () => {
    const page = await holdersAre(FLOOR, [...desk, office]);
    assert.equal(page.siteId, BERLIN.siteId);
    assert.equal(page.groupId, FLOOR);
    const dora = page.items.find((h) => h.personId === desk[0]);
    assert.deepEqual(dora?.name, { firstName: 'Dora', lastName: 'Desk' });
    assert.equal(dora?.email, emailOf(desk[0]!));
    assert.equal(dora?.kind, 'member');
    assert.deepEqual(
      dora?.reasons.map((r) => [r.kind, r.billingId]),
      [['billing', `b-${desk[0]}`]],
    );
    const olga = page.items.find((h) => h.personId === office);
    assert.deepEqual(
      olga?.reasons.map((r) => [r.kind, r.billingId]),
      [['billing', `b-${office}`]],
    );
    // Only the office plan gives the offices.
    await holdersAre(OFFICES, [office]);
  });

  it('names a reservation as the reason, with its access window', async () => {
    const page = await holdersAre(SPREE, [guest]);
    const [gus] = page.items;
    assert.equal(gus?.kind, 'nonmember');
    assert.deepEqual(gus?.name, { firstName: 'Gus', lastName: 'Guest' });
    assert.equal(gus?.reasons.length, 1);
    const reason = gus.reasons[0]!;
    assert.equal(reason.kind, 'reservation');
    assert.equal(reason.reservationId, reservationId);
    assert.ok(reason.windowStart && reason.windowEnd, JSON.stringify(reason));
    assert.ok(Date.parse(reason.windowStart) <= Date.now() && Date.now() < Date.parse(reason.windowEnd));
  });

  it('pages through the holders and exports them all as CSV', async () => {
    await holdersAre(FLOOR, [...desk, office]);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: HoldersPage = await holders(
        FLOOR,
        `?pageSize=1${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
      );
      assert.ok(page.items.length <= 1);
      seen.push(...page.items.map((h) => h.personId));
      token = page.nextPageToken;
    } while (token);
    assert.deepEqual(seen.sort(), [...desk, office].sort());

    const res = await fetch(`${stack.apiUrl}${holdersPath(FLOOR, '?format=csv')}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="holders-/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'person_id,first_name,last_name,email,kind,reasons');
    assert.equal(lines.length, 4, lines.join('\n'));
    const olga = lines.find((l) => l.startsWith(`${office},`));
    assert.equal(
      olga,
      `${office},Olga,Office,${emailOf(office)},member,billing b-${office} (product ${PRODUCT_OFFICE} at ${BERLIN.centerId})`,
    );
  });

  it('drops a person whose access ends, and refuses bad input by name', async () => {
    assert.equal((await stack.sendEvent(memberStatusChanged(desk[1]!, 'member.deactivated'))).status, 202);
    await holdersAre(FLOOR, [desk[0]!, office]);
    assert.deepEqual((await holders('ag-nobody-holds-this')).items, []);

    const bad = async (query: string, path: string) => {
      const answer = await stack.api('GET', holdersPath(FLOOR, query));
      assert.equal(answer.status, 400, query);
      assert.ok(JSON.stringify(answer.body).includes(`"path":"${path}"`), JSON.stringify(answer.body));
    };
    await bad('?pageSize=0', 'pageSize');
    await bad('?pageToken=AAAA', 'pageToken');
    await bad('?format=xml', 'format');
    await bad('?format=csv&pageToken=AAAA', 'pageToken');
    await bad('?colour=blue', '');
    const longId = await stack.api('GET', `/api/sites/${'s'.repeat(201)}/groups/${FLOOR}/holders`);
    assert.equal(longId.status, 400);
    assert.match(JSON.stringify(longId.body), /"path":"siteId"/);
  });
});
