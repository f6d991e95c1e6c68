// Rule 1: billings give their product's groups at their center, by calendar day in the center's zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localDateAt } from '../../src/core/dates';
import { computeDesiredAccess } from '../../src/core/entitlements';
import type { AccessReason, Billing } from '../../src/core/types';
import { billing, iso, ms, person, setupOf } from './fixtures';

const setup = setupOf({
  berlin: {
    site: 'site-berlin',
    timeZone: 'Europe/Berlin',
    products: { desk: ['b-door', 'b-floor1'], office: ['b-door', 'b-office'], unmapped: [] },
  },
  nyc: { site: 'site-nyc', timeZone: 'America/New_York', products: { desk: ['n-door'] } },
  tokyo: { site: 'site-tokyo', timeZone: 'Asia/Tokyo', products: { desk: ['t-door', 't-lounge'] } },
  nosite: { site: null, timeZone: 'Europe/Berlin', products: { desk: ['x-door'] } },
  nozone: { site: 'site-nozone', products: { desk: ['z-door'] } },
});

const reasonFor = (b: Billing): AccessReason => ({
  kind: 'billing',
  billingId: b.id,
  productId: b.productId,
  centerId: b.centerId,
});

function accessAt(billings: Billing[], now: string | number) {
  return computeDesiredAccess(person({ billings }), setup, typeof now === 'number' ? now : ms(now));
}

describe('rule 1: a billing gives its product’s groups at its center', () => {
  it('an active billing whose dates contain today gives the groups, with the billing as reason', () => {
    const desk = billing({
      centerId: 'berlin',
      productId: 'desk',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
    });
    const access = accessAt([desk], '2026-11-15T12:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-floor1'] });
    assert.deepEqual(access.planGroups, access.groups);
    assert.deepEqual(access.reasons, {
      'site-berlin': { 'b-door': [reasonFor(desk)], 'b-floor1': [reasonFor(desk)] },
    });
    assert.equal(access.nextChangeAt, '2026-11-30T23:00:00.000Z'); // 00:00 CET on Dec 1st
  });

  it('an open-ended billing that has started never changes by itself', () => {
    const desk = billing({ centerId: 'berlin', productId: 'desk', startDate: '2026-01-01', endDate: null });
    const access = accessAt([desk], '2030-06-01T00:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-floor1'] });
    assert.equal(access.nextChangeAt, null);
  });

  it('a cancelled billing gives nothing and wakes no one, even inside its dates', () => {
    const desk = billing({
      centerId: 'berlin',
      productId: 'desk',
      endDate: '2027-01-01',
      status: 'cancelled',
    });
    for (const now of ['2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z']) {
      const access = accessAt([desk], now);
      assert.deepEqual(access.groups, {});
      assert.deepEqual(access.reasons, {});
      assert.equal(access.nextChangeAt, null);
    }
  });

  const givesNothing: [string, Billing][] = [
    ['a center the set-up does not know', billing({ centerId: 'atlantis', productId: 'desk' })],
    ['a center without a SALTO KS site', billing({ centerId: 'nosite', productId: 'desk' })],
    ['a product not mapped at the center', billing({ centerId: 'berlin', productId: 'lounge' })],
    ['a product mapped to no group', billing({ centerId: 'berlin', productId: 'unmapped' })],
    [
      'a product mapped at another center only',
      billing({ centerId: 'nyc', productId: 'office', startDate: '2026-01-01', endDate: null }),
    ],
    [
      'an end before the start',
      billing({ centerId: 'berlin', productId: 'desk', startDate: '2026-05-02', endDate: '2026-05-01' }),
    ],
    ['a malformed start date', billing({ centerId: 'berlin', productId: 'desk', startDate: '2026-02-30' })],
    ['a malformed end date', billing({ centerId: 'berlin', productId: 'desk', endDate: '31.12.2026' })],
  ];
  for (const [name, b] of givesNothing) {
    it(`${name}: nothing, no instant to wake for, and a warning naming the billing (item 8)`, () => {
      const { warnings, ...access } = accessAt([b], '2026-05-01T12:00:00Z');
      assert.deepEqual(access, {
        reasons: {},
        groups: {},
        planGroups: {},
        nextChangeAt: null,
        nextChange: null,
      });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, new RegExp(`^billing ${b.id}: .*grants nothing`));
    });
  }

  it('a center whose zone is unknown counts days in UTC', () => {
    const desk = billing({
      centerId: 'nozone',
      productId: 'desk',
      startDate: '2026-07-01',
      endDate: '2026-07-31',
    });
    assert.deepEqual(accessAt([desk], '2026-06-30T23:59:59.999Z').groups, {});
    assert.equal(accessAt([desk], '2026-06-30T23:59:59.999Z').nextChangeAt, '2026-07-01T00:00:00.000Z');
    assert.deepEqual(accessAt([desk], '2026-07-01T00:00:00Z').groups, { 'site-nozone': ['z-door'] });
    assert.equal(accessAt([desk], '2026-07-01T00:00:00Z').nextChangeAt, '2026-08-01T00:00:00.000Z');
  });

  it('a center whose zone is not IANA counts days in UTC instead of failing', () => {
    const broken = setupOf({ c: { site: 's', timeZone: 'Mars/Olympus', products: { p: ['g'] } } });
    const b = billing({ centerId: 'c', productId: 'p', startDate: '2026-07-01' });
    const access = computeDesiredAccess(person({ billings: [b] }), broken, ms('2026-06-30T12:00:00Z'));
    assert.equal(access.nextChangeAt, '2026-07-01T00:00:00.000Z');
  });
});

describe('rule 1: a billing starts at 00:00 local of its start date', () => {
  const cases: [string, string, string][] = [
    ['berlin', '2026-12-01', '2026-11-30T23:00:00.000Z'],
    ['berlin', '2026-07-01', '2026-06-30T22:00:00.000Z'],
    ['nyc', '2026-12-01', '2026-12-01T05:00:00.000Z'],
    ['tokyo', '2026-12-01', '2026-11-30T15:00:00.000Z'],
  ];
  for (const [centerId, startDate, startIso] of cases) {
    it(`${centerId}, ${startDate}: access from ${startIso}, not one ms earlier`, () => {
      const b = billing({ centerId, productId: 'desk', startDate, endDate: null });
      const start = ms(startIso);
      const before = accessAt([b], start - 1);
      assert.deepEqual(before.groups, {});
      assert.equal(before.nextChangeAt, startIso);
      const at = accessAt([b], start);
      assert.deepEqual(Object.keys(at.groups), [`site-${centerId}`]);
      assert.equal(at.nextChangeAt, null);
      assert.deepEqual(accessAt([b], ms(startIso) - 86_400_000).nextChangeAt, startIso);
    });
  }
});

describe('rule 1: an end date gives access through 23:59:59.999 local, none from 00:00 the day after', () => {
  const cases: [string, string, string, string][] = [
    ['berlin', '2026-12-31', '2026-12-31T23:00:00.000Z', 'winter'],
    ['berlin', '2026-07-31', '2026-07-31T22:00:00.000Z', 'summer'],
    ['berlin', '2026-03-29', '2026-03-29T22:00:00.000Z', 'ends on the spring-change day: a 23-hour day'],
    ['berlin', '2026-03-28', '2026-03-28T23:00:00.000Z', 'ends the day before spring change'],
    ['berlin', '2026-10-25', '2026-10-25T23:00:00.000Z', 'ends on the autumn-change day: a 25-hour day'],
    ['berlin', '2026-10-24', '2026-10-24T22:00:00.000Z', 'ends the day before autumn change'],
    ['nyc', '2026-03-08', '2026-03-09T04:00:00.000Z', 'New York spring-change day'],
    ['nyc', '2026-11-01', '2026-11-02T05:00:00.000Z', 'New York autumn-change day'],
    ['tokyo', '2026-06-14', '2026-06-14T15:00:00.000Z', 'Tokyo'],
  ];
  for (const [centerId, endDate, endIso, why] of cases) {
    it(`${centerId}, ${endDate} (${why}): ends at ${endIso}`, () => {
      const b = billing({ centerId, productId: 'desk', startDate: '2026-01-01', endDate });
      const end = ms(endIso);
      const last = accessAt([b], end - 1);
      assert.deepEqual(Object.keys(last.groups), [`site-${centerId}`]);
      assert.equal(
        localDateAt(end - 1, setup.centers[centerId]!.timeZone!),
        endDate,
        'still the end date locally',
      );
      assert.equal(last.nextChangeAt, endIso);
      const after = accessAt([b], end);
      assert.deepEqual(after.groups, {});
      assert.equal(after.nextChangeAt, null);
    });
  }

  it('a one-day billing on Berlin’s autumn-change day lasts its 25 hours', () => {
    const b = billing({
      centerId: 'berlin',
      productId: 'desk',
      startDate: '2026-10-25',
      endDate: '2026-10-25',
    });
    const start = accessAt([b], ms('2026-10-24T22:00:00Z') - 1).nextChangeAt;
    const end = accessAt([b], ms('2026-10-24T22:00:00Z')).nextChangeAt;
    assert.equal(start, '2026-10-24T22:00:00.000Z');
    assert.equal(end, '2026-10-25T23:00:00.000Z');
    assert.equal(ms(end) - ms(start), 25 * 3_600_000);
  });

  it('a one-day billing on Berlin’s spring-change day lasts its 23 hours', () => {
    const b = billing({
      centerId: 'berlin',
      productId: 'desk',
      startDate: '2026-03-29',
      endDate: '2026-03-29',
    });
    assert.equal(accessAt([b], ms('2026-03-28T22:59:59.999Z')).nextChangeAt, '2026-03-28T23:00:00.000Z');
    assert.equal(accessAt([b], ms('2026-03-28T23:00:00Z')).nextChangeAt, '2026-03-29T22:00:00.000Z');
    assert.deepEqual(accessAt([b], ms('2026-03-29T21:59:59.999Z')).groups, {
      'site-berlin': ['b-door', 'b-floor1'],
    });
  });
});

describe('rule 1: today is the date in the billing’s center’s zone', () => {
  it('the same instant is June 14 in New York and June 15 in Tokyo: starts on June 15', () => {
    const ny = billing({ id: 'b-ny', centerId: 'nyc', productId: 'desk', startDate: '2026-06-15' });
    const tokyo = billing({ id: 'b-tokyo', centerId: 'tokyo', productId: 'desk', startDate: '2026-06-15' });
    const access = accessAt([ny, tokyo], '2026-06-15T02:00:00Z');
    assert.deepEqual(access.groups, { 'site-tokyo': ['t-door', 't-lounge'] });
    assert.equal(access.nextChangeAt, '2026-06-15T04:00:00.000Z'); // midnight in New York
    assert.deepEqual(accessAt([ny, tokyo], '2026-06-15T04:00:00Z').groups, {
      'site-nyc': ['n-door'],
      'site-tokyo': ['t-door', 't-lounge'],
    });
  });

  it('the same instant: a billing ending June 14 has ended in Tokyo, not yet in New York', () => {
    const ny = billing({ id: 'b-ny', centerId: 'nyc', productId: 'desk', endDate: '2026-06-14' });
    const tokyo = billing({ id: 'b-tokyo', centerId: 'tokyo', productId: 'desk', endDate: '2026-06-14' });
    const access = accessAt([ny, tokyo], '2026-06-15T02:00:00Z');
    assert.deepEqual(access.groups, { 'site-nyc': ['n-door'] });
    assert.equal(access.nextChangeAt, '2026-06-15T04:00:00.000Z');
  });

  const zones: [string, string][] = [
    ['berlin', 'Europe/Berlin'],
    ['nyc', 'America/New_York'],
    ['tokyo', 'Asia/Tokyo'],
  ];
  for (const [centerId, zone] of zones) {
    it(`${centerId}: access agrees with "today in ${zone}" every 20 minutes around both 2026 DST changes`, () => {
      const b = billing({ centerId, productId: 'desk', startDate: '2026-03-08', endDate: '2026-10-25' });
      const ranges: [string, string][] = [
        ['2026-03-06T00:00:00Z', '2026-03-31T00:00:00Z'],
        ['2026-10-23T00:00:00Z', '2026-11-03T00:00:00Z'],
      ];
      for (const [from, to] of ranges) {
        for (let now = ms(from); now < ms(to); now += 20 * 60_000) {
          const today = localDateAt(now, zone);
          const expected = today >= b.startDate && today <= b.endDate!;
          assert.equal(
            Object.keys(accessAt([b], now).groups).length > 0,
            expected,
            `${iso(now)} is ${today}`,
          );
        }
      }
    });
  }
});

describe('rule 1: several billings', () => {
  it('two plans on two sites: both sites, each with its own groups', () => {
    const berlin = billing({ id: 'b1', centerId: 'berlin', productId: 'office' });
    const ny = billing({ id: 'b2', centerId: 'nyc', productId: 'desk' });
    const access = accessAt([ny, berlin], '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-office'], 'site-nyc': ['n-door'] });
    assert.deepEqual(access.planGroups, access.groups);
    assert.deepEqual(access.reasons['site-nyc'], { 'n-door': [reasonFor(ny)] });
  });

  it('the same product mapped differently at two centers gives each center’s groups on its site', () => {
    const berlin = billing({ id: 'b1', centerId: 'berlin', productId: 'desk' });
    const tokyo = billing({ id: 'b2', centerId: 'tokyo', productId: 'desk' });
    const access = accessAt([berlin, tokyo], '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, {
      'site-berlin': ['b-door', 'b-floor1'],
      'site-tokyo': ['t-door', 't-lounge'],
    });
  });

  it('two billings giving one group: the group once, both billings as reasons, ordered by billing id', () => {
    const desk = billing({ id: 'b2', centerId: 'berlin', productId: 'desk' });
    const office = billing({ id: 'b1', centerId: 'berlin', productId: 'office' });
    const access = accessAt([desk, office], '2026-06-01T12:00:00Z');
    assert.deepEqual(access.groups, { 'site-berlin': ['b-door', 'b-floor1', 'b-office'] });
    assert.deepEqual(access.reasons['site-berlin']!['b-door'], [reasonFor(office), reasonFor(desk)]);
  });

  it('a plan change: the old plan ends, the new one starts the next day, no gap and no overlap', () => {
    const old = billing({ id: 'b1', centerId: 'berlin', productId: 'desk', endDate: '2026-06-30' });
    const next = billing({ id: 'b2', centerId: 'berlin', productId: 'office', startDate: '2026-07-01' });
    const last = accessAt([old, next], ms('2026-06-30T22:00:00Z') - 1);
    assert.deepEqual(last.groups, { 'site-berlin': ['b-door', 'b-floor1'] });
    assert.equal(last.nextChangeAt, '2026-06-30T22:00:00.000Z');
    const first = accessAt([old, next], ms('2026-06-30T22:00:00Z'));
    assert.deepEqual(first.groups, { 'site-berlin': ['b-door', 'b-office'] });
    assert.deepEqual(first.reasons['site-berlin']!['b-door'], [reasonFor(next)]);
    assert.equal(first.nextChangeAt, null);
  });

  it('nextChangeAt is the earliest of future starts and current ends, never a past one', () => {
    const billings = [
      billing({
        id: 'b1',
        centerId: 'berlin',
        productId: 'desk',
        startDate: '2026-01-01',
        endDate: '2026-09-30',
      }),
      billing({ id: 'b2', centerId: 'tokyo', productId: 'desk', startDate: '2026-08-01', endDate: null }),
      billing({
        id: 'b3',
        centerId: 'nyc',
        productId: 'desk',
        startDate: '2026-01-01',
        endDate: '2026-05-31',
      }),
    ];
    const cases: [string, string | null][] = [
      ['2026-06-15T00:00:00Z', '2026-07-31T15:00:00.000Z'], // Tokyo starts before Berlin ends
      ['2026-08-15T00:00:00Z', '2026-09-30T22:00:00.000Z'], // only Berlin's end is left
      ['2026-10-15T00:00:00Z', null],
      ['2026-03-01T00:00:00Z', '2026-06-01T04:00:00.000Z'], // New York's end first
    ];
    for (const [now, expected] of cases) assert.equal(accessAt(billings, now).nextChangeAt, expected, now);
  });

  it('the answer does not depend on the order billings come in', () => {
    const billings = [
      billing({ id: 'b3', centerId: 'berlin', productId: 'office' }),
      billing({ id: 'b1', centerId: 'berlin', productId: 'desk' }),
      billing({ id: 'b2', centerId: 'tokyo', productId: 'desk', endDate: '2026-07-01' }),
    ];
    const now = '2026-06-01T00:00:00Z';
    assert.deepEqual(accessAt(billings, now), accessAt([...billings].reverse(), now));
  });
});
