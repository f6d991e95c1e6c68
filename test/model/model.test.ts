// The model test's own model, checked by hand against the contract (rules 1–7) and against known
// time-zone facts: a false alarm from the model would be a bug here, not in the engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeskworksEvent, MemberSnapshot, ReservationSnapshot } from '../../src/api/deskworks-events';
import { AccessModel } from './model';
import { addDays, localDate, nextOffsetChange, startOfDay, TIME } from './tz';

const { MINUTE, HOUR, DAY } = TIME;
const iso = (ms: number): string => new Date(ms).toISOString();
const at = (s: string): number => Date.parse(s);

describe('model time zones (Intl only)', () => {
  it('starts a day at local midnight, also across DST switches', () => {
    assert.equal(iso(startOfDay('2026-03-29', 'Europe/Berlin')), '2026-03-28T23:00:00.000Z');
    assert.equal(iso(startOfDay('2026-03-30', 'Europe/Berlin')), '2026-03-29T22:00:00.000Z');
    assert.equal(iso(startOfDay('2026-11-01', 'America/New_York')), '2026-11-01T04:00:00.000Z');
    assert.equal(iso(startOfDay('2026-11-02', 'America/New_York')), '2026-11-02T05:00:00.000Z');
  });

  it('starts a day whose midnight does not exist at its first instant (Chile: 00:00 → 01:00)', () => {
    const start = startOfDay('2026-09-06', 'America/Santiago');
    assert.equal(iso(start), '2026-09-06T04:00:00.000Z'); // 01:00 at −03
    assert.equal(localDate(start, 'America/Santiago'), '2026-09-06');
    assert.equal(localDate(start - 1, 'America/Santiago'), '2026-09-05');
    // The day the clocks go back at midnight lasts 25 hours.
    assert.equal(
      startOfDay('2026-04-05', 'America/Santiago') - startOfDay('2026-04-04', 'America/Santiago'),
      25 * HOUR,
    );
  });

  it('finds the next offset change and does calendar arithmetic', () => {
    assert.equal(
      iso(nextOffsetChange(at('2026-03-01T00:00:00Z'), 'Europe/Berlin')!),
      '2026-03-29T01:00:00.000Z',
    );
    assert.equal(nextOffsetChange(at('2026-03-01T00:00:00Z'), 'Asia/Kolkata'), null);
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
  });
});

const SITE = 'site-1';
const G = ['g1', 'g2', 'g3', 'g4'];
let n = 0;
const evt = (type: DeskworksEvent['type'], data: unknown): DeskworksEvent =>
  ({ id: `e${++n}`, type, occurredAt: '2026-06-01T00:00:00Z', data }) as DeskworksEvent;

function member(id: string, updatedAt: string, over: Partial<MemberSnapshot> = {}): MemberSnapshot {
  return {
    id,
    centerId: 'A',
    firstName: id,
    lastName: 'X',
    email: `${id}@x.test`,
    status: 'active',
    masterMemberId: null,
    recurringBillings: [],
    updatedAt,
    ...over,
  };
}

function reservation(
  id: string,
  customer: string,
  start: number,
  end: number,
  updatedAt: number,
): ReservationSnapshot {
  return {
    id,
    reservationUnitId: 'u1',
    centerId: 'A',
    start: iso(start),
    end: iso(end),
    status: 'confirmed',
    customer: {
      type: 'nonmember',
      id: customer,
      firstName: customer,
      lastName: 'G',
      email: `${customer}@x.test`,
    },
    updatedAt: iso(updatedAt),
  };
}

function model(): AccessModel {
  const m = new AccessModel({ [SITE]: G }, { A: 'Europe/Berlin' });
  assert.ok(m.mapCenter('A', SITE));
  assert.ok(m.mapItem('products', 'A', 'p1', ['g1', 'g2']));
  assert.ok(m.mapItem('products', 'A', 'p2', ['g3']));
  assert.ok(m.mapItem('units', 'A', 'u1', ['g4']));
  return m;
}

const groups = (m: AccessModel, email: string, t: number): string[] | 'skip' | undefined =>
  m.expected(t).get(SITE)?.get(email);

describe('model rules', () => {
  const billing = {
    id: 'b1',
    productId: 'p1',
    centerId: 'A',
    startDate: '2026-06-02',
    endDate: '2026-06-03',
    status: 'active' as const,
  };

  it('rule 1: a billing gives its groups from 00:00 of startDate to the end of endDate, local time', () => {
    const m = model();
    m.deliver(
      evt('member.created', member('m', '2026-06-01T10:00:00Z', { recurringBillings: [billing] })),
      0,
    );
    assert.deepEqual(groups(m, 'm@x.test', at('2026-06-01T21:59:59Z')), []);
    assert.deepEqual(groups(m, 'm@x.test', at('2026-06-01T22:00:00Z')), ['g1', 'g2']); // 00:00 CEST
    assert.deepEqual(groups(m, 'm@x.test', at('2026-06-03T21:59:59Z')), ['g1', 'g2']);
    assert.deepEqual(groups(m, 'm@x.test', at('2026-06-03T22:00:00Z')), []);
  });

  it('rule 1: nothing while inactive, for a cancelled or inverted billing, or an unmapped product', () => {
    const t = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(
      evt('member.created', member('m', '2026-06-01T10:00:00Z', { recurringBillings: [billing] })),
      0,
    );
    m.deliver(evt('member.deactivated', { memberId: 'm', updatedAt: '2026-06-01T11:00:00Z' }), 0);
    assert.deepEqual(groups(m, 'm@x.test', t), []);
    // An older activation arriving late changes nothing (newest updatedAt wins).
    m.deliver(evt('member.activated', { memberId: 'm', updatedAt: '2026-06-01T10:30:00Z' }), 0);
    assert.deepEqual(groups(m, 'm@x.test', t), []);
    m.deliver(evt('member.activated', { memberId: 'm', updatedAt: '2026-06-01T12:00:00Z' }), 0);
    assert.deepEqual(groups(m, 'm@x.test', t), ['g1', 'g2']);
    const update = (b: object, stamp: string): void =>
      m.deliver(
        evt('billing.updated', { memberId: 'm', billing: { ...billing, ...b }, updatedAt: stamp }),
        0,
      );
    update({ endDate: '2026-06-01' }, '2026-06-01T13:00:00Z');
    assert.deepEqual(groups(m, 'm@x.test', t), [], 'endDate before startDate');
    update({ productId: 'p9' }, '2026-06-01T14:00:00Z');
    assert.deepEqual(groups(m, 'm@x.test', t), [], 'unmapped product');
    update({ status: 'cancelled' }, '2026-06-01T15:00:00Z');
    assert.deepEqual(groups(m, 'm@x.test', t), [], 'cancelled');
  });

  it('takes a snapshot as the whole billing list: an older billing event arriving late adds nothing', () => {
    const t = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(evt('member.created', member('m', '2026-06-01T10:00:00Z')), 0);
    const created = evt('billing.created', { memberId: 'm', billing, updatedAt: '2026-06-01T11:00:00Z' });
    m.deliver(evt('member.updated', member('m', '2026-06-01T12:00:00Z')), 0); // lacks b1: removed since
    m.deliver(created, 0);
    assert.deepEqual(groups(m, 'm@x.test', t), []);
    m.deliver(evt('billing.updated', { memberId: 'm', billing, updatedAt: '2026-06-01T13:00:00Z' }), 0);
    assert.deepEqual(groups(m, 'm@x.test', t), ['g1', 'g2'], 'newer than the snapshot');
  });

  it('rule 2: a co-member inherits only its master’s plan groups, while both are active', () => {
    const t = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(
      evt('member.created', member('boss', '2026-06-01T10:00:00Z', { recurringBillings: [billing] })),
      0,
    );
    m.deliver(evt('reservation.created', reservation('r', 'boss', t - HOUR, t + HOUR, t - DAY)), t - DAY);
    m.deliver(
      evt('comember.added', {
        masterMemberId: 'boss',
        member: member('co', '2026-06-01T10:00:00Z', { masterMemberId: 'boss' }),
      }),
      0,
    );
    assert.deepEqual(groups(m, 'boss@x.test', t), ['g1', 'g2', 'g4']);
    assert.deepEqual(groups(m, 'co@x.test', t), ['g1', 'g2'], 'not the reservation');
    m.deliver(evt('member.deactivated', { memberId: 'boss', updatedAt: '2026-06-01T11:00:00Z' }), 0);
    assert.deepEqual(groups(m, 'co@x.test', t), []);
    m.deliver(evt('member.activated', { memberId: 'boss', updatedAt: '2026-06-01T12:00:00Z' }), 0);
    m.deliver(
      evt('comember.removed', { masterMemberId: 'boss', memberId: 'co', updatedAt: '2026-06-01T12:00:00Z' }),
      0,
    );
    assert.deepEqual(groups(m, 'co@x.test', t), []);
  });

  it('rule 3: start − lead to end + lag; cancelled grants nothing; ended before it arrived grants nothing', () => {
    const t0 = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(evt('reservation.created', reservation('r1', 'g', t0 + HOUR, t0 + 2 * HOUR, t0)), t0);
    assert.deepEqual(groups(m, 'g@x.test', t0 + 44 * MINUTE), []);
    assert.deepEqual(groups(m, 'g@x.test', t0 + 45 * MINUTE), ['g4']);
    assert.deepEqual(groups(m, 'g@x.test', t0 + 2 * HOUR + 14 * MINUTE), ['g4']);
    assert.deepEqual(groups(m, 'g@x.test', t0 + 2 * HOUR + 15 * MINUTE), []);
    m.deliver(evt('reservation.cancelled', { reservationId: 'r1', updatedAt: iso(t0 + 1) }), t0 + 1);
    assert.deepEqual(groups(m, 'g@x.test', t0 + 90 * MINUTE), []);
    // Ended 5 minutes before it arrived: nothing, not even within its lag.
    const late = reservation('r2', 'h', t0 - HOUR, t0 - 5 * MINUTE, t0 - 2 * HOUR);
    m.deliver(evt('reservation.created', late), t0);
    assert.deepEqual(groups(m, 'h@x.test', t0 + MINUTE), []);
    // Moved into the future by a newer snapshot: it grants in its new window.
    m.deliver(evt('reservation.updated', reservation('r2', 'h', t0 + HOUR, t0 + 2 * HOUR, t0 + 1)), t0 + 2);
    assert.deepEqual(groups(m, 'h@x.test', t0 + HOUR), ['g4']);
    // Judged per snapshot: after it ran and closed, moved into the recent past (its new lag still
    // open), it grants nothing.
    const moved = reservation('r2', 'h', t0 + 90 * MINUTE, t0 + 3 * HOUR + 5 * MINUTE, t0 + 3);
    m.deliver(evt('reservation.updated', moved), t0 + 3 * HOUR + 10 * MINUTE);
    assert.deepEqual(groups(m, 'h@x.test', t0 + 3 * HOUR + 11 * MINUTE), []);
    // While it runs, moved to an end just past: it keeps its lag, then closes.
    const r3 = reservation('r3', 'k', t0 + 4 * HOUR, t0 + 6 * HOUR, t0);
    m.deliver(evt('reservation.created', r3), t0);
    const shortened = reservation('r3', 'k', t0 + 4 * HOUR, t0 + 5 * HOUR, t0 + 1);
    m.deliver(evt('reservation.updated', shortened), t0 + 5 * HOUR + 5 * MINUTE);
    assert.deepEqual(groups(m, 'k@x.test', t0 + 5 * HOUR + 14 * MINUTE), ['g4']);
    assert.deepEqual(groups(m, 'k@x.test', t0 + 5 * HOUR + 15 * MINUTE), []);
  });

  it('rule 4 and shared e-mails: the union over every record with one e-mail (any letter case)', () => {
    const t = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(
      evt(
        'member.created',
        member('m', '2026-06-01T10:00:00Z', { email: 'Same@X.test', recurringBillings: [billing] }),
      ),
      0,
    );
    const r = reservation('r', 'guest', t - HOUR, t + HOUR, t - DAY);
    r.customer.email = 'same@x.test';
    m.deliver(evt('reservation.created', r), t - DAY);
    assert.deepEqual(groups(m, 'same@x.test', t), ['g1', 'g2', 'g4']);
  });

  it('rule 7: set-up changes apply at once; a deleted group is held by nobody; a moved center loses its mappings', () => {
    const t = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(
      evt('member.created', member('m', '2026-06-01T10:00:00Z', { recurringBillings: [billing] })),
      0,
    );
    assert.ok(m.mapItem('products', 'A', 'p1', ['g3']));
    assert.deepEqual(groups(m, 'm@x.test', t), ['g3']);
    m.deleteGroup(SITE, 'g3');
    assert.deepEqual(groups(m, 'm@x.test', t), []);
    assert.equal(m.mapItem('products', 'A', 'p1', ['g3']), false, 'a deleted group cannot be mapped');
    assert.ok(m.mapItem('products', 'A', 'p1', ['g1']));
    const two = new AccessModel({ s1: ['a'], s2: ['b'] }, { A: 'UTC' });
    assert.ok(two.mapCenter('A', 's1'));
    assert.ok(two.mapItem('products', 'A', 'p1', ['a']));
    assert.ok(two.mapCenter('A', 's2'));
    assert.deepEqual(two.centers.get('A')!.products.p1, []);
  });

  it('keeps a window that closed before a lag change closed', () => {
    const t0 = at('2026-06-02T12:00:00Z');
    const m = model();
    m.deliver(evt('reservation.created', reservation('r', 'g', t0, t0 + HOUR, t0 - DAY)), t0 - DAY);
    m.setPolicy({ lag: 60 }, t0 + HOUR + 20 * MINUTE); // closed at +1h15 under lag 15
    assert.deepEqual(groups(m, 'g@x.test', t0 + HOUR + 30 * MINUTE), []);
    m.deliver(evt('reservation.created', reservation('s', 'h', t0 + 2 * HOUR, t0 + 3 * HOUR, t0)), t0);
    assert.deepEqual(
      groups(m, 'h@x.test', t0 + 3 * HOUR + 30 * MINUTE),
      ['g4'],
      'an open window follows the new lag',
    );
  });
});
