// Rules 2–4: co-members inherit, reservations give their unit's groups in their window whatever
// the status, and a person's access is the union of every reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDesiredAccess } from '../../src/core/entitlements';
import type { AccessReason, EntitlementInput, ReservationGrant } from '../../src/core/types';
import { billing, grant, iso, ms, person, setupOf } from './fixtures';

const setup = setupOf({
  berlin: {
    site: 'site-berlin',
    timeZone: 'Europe/Berlin',
    products: { desk: ['b-door', 'b-floor1'] },
    units: { 'room-1': ['b-door', 'b-room1'], 'room-2': ['b-room2'], unmapped: [] },
  },
  tokyo: { site: 'site-tokyo', timeZone: 'Asia/Tokyo', units: { 'room-1': ['t-room1'] } },
  nosite: { site: null, timeZone: 'Europe/Berlin', units: { 'room-1': ['x-room'] } },
});

const at = (input: EntitlementInput, now: string | number) =>
  computeDesiredAccess(input, setup, typeof now === 'number' ? now : ms(now));

const desk = billing({
  id: 'b-desk',
  centerId: 'berlin',
  productId: 'desk',
  startDate: '2026-01-01',
  endDate: '2026-12-31',
});
const deskReason: AccessReason = {
  kind: 'billing',
  billingId: 'b-desk',
  productId: 'desk',
  centerId: 'berlin',
};
const reasonFor = (g: ReservationGrant): AccessReason => ({
  kind: 'reservation',
  reservationId: g.reservationId,
  unitId: g.unitId,
  centerId: g.centerId,
});
const master = { masterId: 'm1', groups: { 'site-berlin': ['b-door', 'b-vip'], 'site-tokyo': ['t-door'] } };
const masterReason: AccessReason = { kind: 'master', masterId: 'm1' };

describe('rule 2: a co-member holds its master’s plan groups', () => {
  it('while active: the master’s groups, with the master as reason, besides its own plan', () => {
    const access = at(person({ billings: [desk], master }), '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, {
      'site-berlin': ['b-door', 'b-floor1', 'b-vip'],
      'site-tokyo': ['t-door'],
    });
    assert.deepEqual(access.reasons['site-berlin']!['b-door'], [deskReason, masterReason]);
    assert.deepEqual(access.reasons['site-tokyo'], { 't-door': [masterReason] });
  });

  it('what it inherits is not part of its own plan groups (no chains of inheritance)', () => {
    const access = at(person({ billings: [desk], master }), '2026-06-01T12:00:00Z');
    assert.deepEqual(access.planGroups, { 'site-berlin': ['b-door', 'b-floor1'] });
  });

  it('while inactive: nothing from the master', () => {
    const access = at(person({ status: 'inactive', master }), '2026-06-01T12:00:00Z');
    assert.deepEqual(access, {
      reasons: {},
      groups: {},
      planGroups: {},
      nextChangeAt: null,
      nextChange: null,
      warnings: [],
    });
  });

  it('a master holding nothing (inactive, or no plan) gives nothing', () => {
    const access = at(person({ master: { masterId: 'm1', groups: {} } }), '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, {});
  });

  it('the master’s groups come out sorted, deduplicated, without empty sites', () => {
    const messy = { masterId: 'm1', groups: { 'site-z': ['g2', 'g1', 'g2'], 'site-a': [], 'site-b': ['h'] } };
    const access = at(person({ master: messy }), '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, { 'site-b': ['h'], 'site-z': ['g1', 'g2'] });
    assert.deepEqual(Object.keys(access.groups), ['site-b', 'site-z']);
  });
});

describe('rule 3: a reservation grant gives its unit’s groups from windowStart to windowEnd', () => {
  const room = grant({ windowStart: '2026-06-01T09:45:00Z', windowEnd: '2026-06-01T11:15:00Z' });
  const nonmember = person({ reservations: [room] });
  const cases: [string, string, Record<string, string[]>, string | null][] = [
    ['a day before', '2026-05-31T10:00:00Z', {}, '2026-06-01T09:45:00.000Z'],
    ['one ms before the window', '2026-06-01T09:44:59.999Z', {}, '2026-06-01T09:45:00.000Z'],
    [
      'at windowStart',
      '2026-06-01T09:45:00Z',
      { 'site-berlin': ['b-door', 'b-room1'] },
      '2026-06-01T11:15:00.000Z',
    ],
    [
      'one ms before windowEnd',
      '2026-06-01T11:14:59.999Z',
      { 'site-berlin': ['b-door', 'b-room1'] },
      '2026-06-01T11:15:00.000Z',
    ],
    ['at windowEnd', '2026-06-01T11:15:00Z', {}, null],
    ['a day after', '2026-06-02T11:15:00Z', {}, null],
  ];
  for (const [name, now, groups, next] of cases) {
    it(`non-member, ${name}`, () => {
      const access = at(nonmember, now);
      assert.deepEqual(access.groups, groups);
      assert.deepEqual(access.planGroups, {});
      assert.equal(access.nextChangeAt, next);
    });
  }

  it('the reason names the reservation, its unit and its center', () => {
    const access = at(nonmember, '2026-06-01T10:00:00Z');
    assert.deepEqual(access.reasons['site-berlin']!['b-room1'], [reasonFor(room)]);
  });

  it('the unit’s groups at the reservation’s center: same unit id, another center, another site', () => {
    const tokyoRoom = grant({ ...room, reservationId: 'r2', centerId: 'tokyo' });
    assert.deepEqual(at(person({ reservations: [tokyoRoom] }), '2026-06-01T10:00:00Z').groups, {
      'site-tokyo': ['t-room1'],
    });
  });

  // The last element: whether the operator is warned (a mapping is missing; the reservation
  // workflow never sends a broken window, so those are not the operator's to fix).
  const givesNothing: [string, ReservationGrant, boolean][] = [
    ['a unit mapped to no group', grant({ ...room, unitId: 'unmapped' }), true],
    ['a unit the center does not map', grant({ ...room, unitId: 'room-9' }), true],
    ['a center without a site', grant({ ...room, centerId: 'nosite' }), true],
    ['a center the set-up does not know', grant({ ...room, centerId: 'atlantis' }), true],
    [
      'an inverted window',
      grant({ windowStart: '2026-06-01T11:15:00Z', windowEnd: '2026-06-01T09:45:00Z' }),
      false,
    ],
    [
      'an empty window',
      grant({ windowStart: '2026-06-01T10:00:00Z', windowEnd: '2026-06-01T10:00:00Z' }),
      false,
    ],
    ['a malformed window', grant({ windowStart: 'soon', windowEnd: '2026-06-01T11:15:00Z' }), false],
  ];
  for (const [name, g, warned] of givesNothing) {
    it(`${name}: nothing, and no instant to wake for${warned ? ', with a warning' : ''}`, () => {
      for (const now of ['2026-06-01T08:00:00Z', '2026-06-01T10:00:00Z']) {
        const { warnings, ...access } = at(person({ reservations: [g] }), now);
        assert.deepEqual(access, {
          reasons: {},
          groups: {},
          planGroups: {},
          nextChangeAt: null,
          nextChange: null,
        });
        assert.equal(warnings.length, warned ? 1 : 0);
        if (warned)
          assert.match(warnings[0]!, new RegExp(`^reservation ${g.reservationId}: .*grants nothing`));
      }
    });
  }
});

describe('status: an inactive member keeps reservation access, loses billing and master groups', () => {
  const room = grant({
    unitId: 'room-2',
    windowStart: '2026-06-01T09:45:00Z',
    windowEnd: '2026-06-01T11:15:00Z',
  });
  const later = billing({ id: 'b-later', centerId: 'berlin', productId: 'desk', startDate: '2026-06-02' });
  const input = person({ status: 'inactive', billings: [desk, later], master, reservations: [room] });

  it('inside the window: only the reservation’s groups', () => {
    const access = at(input, '2026-06-01T10:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-room2'] });
    assert.deepEqual(access.planGroups, {});
    assert.deepEqual(access.reasons, { 'site-berlin': { 'b-room2': [reasonFor(room)] } });
  });

  it('billing edges do not wake an inactive member: only the window edges count', () => {
    const ending = billing({ id: 'b-end', centerId: 'berlin', productId: 'desk', endDate: '2026-05-31' });
    const before = at({ ...input, billings: [ending, later] }, '2026-05-31T12:00:00Z');
    assert.equal(before.nextChangeAt, '2026-06-01T09:45:00.000Z');
    assert.equal(at(input, '2026-06-01T10:00:00Z').nextChangeAt, '2026-06-01T11:15:00.000Z');
    assert.equal(at(input, '2026-06-01T12:00:00Z').nextChangeAt, null);
  });

  it('active again: the billing is back', () => {
    const access = at({ ...input, status: 'active' }, '2026-06-01T10:00:00Z');
    assert.deepEqual(access.reasons['site-berlin']!['b-floor1'], [deskReason]);
    assert.deepEqual(access.reasons['site-berlin']!['b-vip'], [masterReason]);
  });
});

describe('rule 4: access is the union of every reason', () => {
  const room = grant({ windowStart: '2026-06-01T09:45:00Z', windowEnd: '2026-06-01T11:15:00Z' });

  it('a member whose plan gives G books a unit giving G: G has both reasons in the window', () => {
    const access = at(person({ billings: [desk], reservations: [room] }), '2026-06-01T10:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-floor1', 'b-room1'] });
    assert.deepEqual(access.reasons['site-berlin']!['b-door'], [deskReason, reasonFor(room)]);
    assert.deepEqual(access.planGroups, { 'site-berlin': ['b-door', 'b-floor1'] });
  });

  it('after the window G stays, with the billing as its only reason', () => {
    const access = at(person({ billings: [desk], reservations: [room] }), '2026-06-01T11:15:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-floor1'] });
    assert.deepEqual(access.reasons['site-berlin']!['b-door'], [deskReason]);
  });

  it('a plan ending during a reservation does not cut the reservation short', () => {
    const ending = billing({ id: 'b-desk', centerId: 'berlin', productId: 'desk', endDate: '2026-05-31' });
    const night = grant({ windowStart: '2026-05-31T21:00:00Z', windowEnd: '2026-05-31T23:00:00Z' });
    const input = person({ billings: [ending], reservations: [night] });
    const before = at(input, '2026-05-31T21:30:00Z');
    assert.equal(before.nextChangeAt, '2026-05-31T22:00:00.000Z'); // plan ends at Berlin midnight
    const after = at(input, '2026-05-31T22:00:00Z');
    assert.deepEqual(after.groups, { 'site-berlin': ['b-door', 'b-room1'] });
    assert.deepEqual(after.reasons['site-berlin']!['b-door'], [reasonFor(night)]);
    assert.deepEqual(after.planGroups, {});
    assert.equal(after.nextChangeAt, '2026-05-31T23:00:00.000Z');
  });

  it('billing, master and reservation reasons for one group, in that order', () => {
    const access = at(person({ billings: [desk], master, reservations: [room] }), '2026-06-01T10:00:00Z');
    assert.deepEqual(access.reasons['site-berlin']!['b-door'], [deskReason, masterReason, reasonFor(room)]);
  });

  it('overlapping reservations of one person: the group lasts until the last window ends', () => {
    const r1 = grant({
      reservationId: 'r1',
      windowStart: '2026-06-01T09:45:00Z',
      windowEnd: '2026-06-01T11:15:00Z',
    });
    const r2 = grant({
      reservationId: 'r2',
      windowStart: '2026-06-01T10:45:00Z',
      windowEnd: '2026-06-01T12:15:00Z',
    });
    const r3 = grant({
      reservationId: 'r3',
      unitId: 'room-2',
      windowStart: '2026-06-01T11:00:00Z',
      windowEnd: '2026-06-01T11:30:00Z',
    });
    const input = person({ reservations: [r3, r2, r1] });
    const steps: [string, Record<string, string[]>, Record<string, AccessReason[]>, string | null][] = [
      ['2026-06-01T09:00:00Z', {}, {}, '2026-06-01T09:45:00.000Z'],
      [
        '2026-06-01T10:00:00Z',
        { 'site-berlin': ['b-door', 'b-room1'] },
        { 'b-room1': [reasonFor(r1)] },
        '2026-06-01T10:45:00.000Z',
      ],
      [
        '2026-06-01T10:50:00Z',
        { 'site-berlin': ['b-door', 'b-room1'] },
        { 'b-room1': [reasonFor(r1), reasonFor(r2)] },
        '2026-06-01T11:00:00.000Z',
      ],
      [
        '2026-06-01T11:05:00Z',
        { 'site-berlin': ['b-door', 'b-room1', 'b-room2'] },
        { 'b-room1': [reasonFor(r1), reasonFor(r2)], 'b-room2': [reasonFor(r3)] },
        '2026-06-01T11:15:00.000Z',
      ],
      [
        '2026-06-01T11:15:00Z',
        { 'site-berlin': ['b-door', 'b-room1', 'b-room2'] },
        { 'b-room1': [reasonFor(r2)], 'b-room2': [reasonFor(r3)] },
        '2026-06-01T11:30:00.000Z',
      ],
      [
        '2026-06-01T11:30:00Z',
        { 'site-berlin': ['b-door', 'b-room1'] },
        { 'b-room1': [reasonFor(r2)] },
        '2026-06-01T12:15:00.000Z',
      ],
      ['2026-06-01T12:15:00Z', {}, {}, null],
    ];
    for (const [now, groups, someReasons, next] of steps) {
      const access = at(input, now);
      assert.deepEqual(access.groups, groups, now);
      for (const [groupId, reasons] of Object.entries(someReasons)) {
        assert.deepEqual(access.reasons['site-berlin']![groupId], reasons, `${now} ${groupId}`);
      }
      assert.equal(access.nextChangeAt, next, now);
    }
  });
});

describe('the answer itself', () => {
  const everything = person({
    billings: [
      desk,
      billing({
        id: 'b-future',
        centerId: 'berlin',
        productId: 'desk',
        startDate: '2026-03-30',
        endDate: '2026-03-31',
      }),
    ],
    master,
    reservations: [
      grant({ reservationId: 'r1', windowStart: '2026-03-29T00:30:00Z', windowEnd: '2026-03-29T02:30:00Z' }),
      grant({
        reservationId: 'r2',
        centerId: 'tokyo',
        windowStart: '2026-03-28T20:00:00Z',
        windowEnd: '2026-03-30T01:00:00Z',
      }),
    ],
  });

  it('sites and groups come out in id order, in reasons and groups alike', () => {
    const access = at(everything, '2026-03-29T01:00:00Z');
    assert.deepEqual(Object.keys(access.reasons), ['site-berlin', 'site-tokyo']);
    assert.deepEqual(Object.keys(access.reasons['site-berlin']!), ['b-door', 'b-floor1', 'b-room1', 'b-vip']);
    assert.deepEqual(access.groups['site-berlin'], ['b-door', 'b-floor1', 'b-room1', 'b-vip']);
  });

  it('does not depend on the order of billings and reservations', () => {
    const shuffled = {
      ...everything,
      billings: [...everything.billings].reverse(),
      reservations: [...everything.reservations].reverse(),
    };
    assert.deepEqual(at(shuffled, '2026-03-29T01:00:00Z'), at(everything, '2026-03-29T01:00:00Z'));
  });

  it('does not change its input', () => {
    const copy = structuredClone(everything);
    at(everything, '2026-03-29T01:00:00Z');
    assert.deepEqual(everything, copy);
  });

  it('nextChangeAt never misses a change: between two of them the answer stays put (checked every 5 min)', () => {
    let now = ms('2026-03-27T00:00:00Z');
    const end = ms('2026-04-02T00:00:00Z');
    let wakes = 0;
    while (now < end) {
      const access = at(everything, now);
      const next = access.nextChangeAt === null ? end : Math.min(ms(access.nextChangeAt), end);
      assert.ok(next > now, `nextChangeAt ${access.nextChangeAt} is after ${iso(now)}`);
      for (let t = now; t < next; t += 5 * 60_000) assert.deepEqual(at(everything, t), access, iso(t));
      assert.deepEqual(at(everything, next - 1).reasons, access.reasons, iso(next - 1));
      now = next;
      wakes++;
    }
    // Seven stretches, cut by: r2 start, r1 start, r1 end, b-future start, r2 end, b-future end.
    assert.equal(wakes, 7);
  });
});
