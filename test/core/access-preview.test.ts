// "What will X hold at T?" (issue 13 §2): the rules at T over what Deskworks has said so far,
// checked against instants worked out by hand from the rules (docs/rules.md), not from the code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewAccessAt } from '../../src/core/access-preview';
import type { PersonEvent, ReservationStatusEvent } from '../../src/core/person-events';
import { applyPersonEvent, newPersonFacts, type PersonFacts } from '../../src/core/person-state';
import type { Billing } from '../../src/core/types';
import { ms, reservationStatus, setupOf } from './fixtures';

const setup = setupOf({
  berlin: {
    site: 'site-ber',
    timeZone: 'Europe/Berlin',
    products: { desk: ['ag-floor', 'ag-door'] },
    units: { 'room-1': ['ag-room-1'] },
  },
});

let n = 0;
const profile = { firstName: 'Test', lastName: 'Person', email: 'test@example.com' };

function member(personId: string, billings: Billing[], masterId: string | null = null): PersonFacts {
  const event: PersonEvent = {
    type: 'member-snapshot',
    eventId: `e-${++n}`,
    updatedAt: '2026-05-01T00:00:00.000Z',
    homeCenterId: 'berlin',
    profile,
    status: 'active',
    masterId,
    billings,
  };
  return applyPersonEvent(newPersonFacts(personId), event);
}

const desk = (startDate: string, endDate: string | null): Billing => ({
  id: `b-${startDate}`,
  productId: 'desk',
  centerId: 'berlin',
  startDate,
  endDate,
  status: 'active',
});

function reservation(
  facts: PersonFacts,
  state: ReservationStatusEvent['state'],
  windowStart: string,
  windowEnd: string,
): PersonFacts {
  return applyPersonEvent(
    facts,
    reservationStatus({
      reservationId: 'r-5',
      key: { updatedAt: '2026-05-01T00:00:00.000Z', setupVersion: 1, step: state === 'scheduled' ? 0 : 1 },
      unitId: 'room-1',
      state,
      windowStart,
      windowEnd,
      customer: { type: 'nonmember', profile, updatedAt: '2026-05-01T00:00:00.000Z' },
    }),
  );
}

const groupsAt = (facts: PersonFacts, at: string, master: PersonFacts | null = null) =>
  previewAccessAt(facts, master, setup, ms(at)).access.groups;

describe('access preview at an instant', () => {
  it('a plan ending on June 30 holds until 23:59:59 Berlin time, then nothing, and says when it changes', () => {
    const ada = member('ada', [desk('2026-01-01', '2026-06-30')]);
    const before = previewAccessAt(ada, null, setup, ms('2026-06-30T21:59:59.000Z'));
    assert.deepEqual(before.access.groups, { 'site-ber': ['ag-door', 'ag-floor'] });
    assert.deepEqual(before.access.reasons['site-ber']?.['ag-door'], [
      { kind: 'billing', billingId: 'b-2026-01-01', productId: 'desk', centerId: 'berlin' },
    ]);
    // Midnight of July 1 in Berlin (summer time, UTC+2).
    assert.equal(before.changesNextAt, '2026-06-30T22:00:00.000Z');
    assert.deepEqual(groupsAt(ada, '2026-06-30T22:00:00.000Z'), {});
  });

  it('a plan starting next month gives nothing now and its groups from its first day', () => {
    const ben = member('ben', [desk('2026-08-01', null)]);
    assert.deepEqual(groupsAt(ben, '2026-07-31T21:59:59.000Z'), {});
    assert.deepEqual(groupsAt(ben, '2026-07-31T22:00:00.000Z'), { 'site-ber': ['ag-door', 'ag-floor'] });
  });

  it('a reservation still scheduled now gives the room inside its window only; a cancelled one never', () => {
    const eli = reservation(
      newPersonFacts('eli'),
      'scheduled',
      '2026-06-01T08:45:00.000Z',
      '2026-06-01T10:15:00.000Z',
    );
    assert.deepEqual(groupsAt(eli, '2026-06-01T08:44:59.000Z'), {});
    const inside = previewAccessAt(eli, null, setup, ms('2026-06-01T09:00:00.000Z'));
    assert.deepEqual(inside.access.groups, { 'site-ber': ['ag-room-1'] });
    assert.equal(inside.access.reasons['site-ber']?.['ag-room-1']?.[0]?.kind, 'reservation');
    assert.equal(inside.changesNextAt, '2026-06-01T10:15:00.000Z');
    assert.deepEqual(groupsAt(eli, '2026-06-01T10:15:00.000Z'), {});
    const cancelled = reservation(eli, 'cancelled', '2026-06-01T08:45:00.000Z', '2026-06-01T10:15:00.000Z');
    assert.deepEqual(groupsAt(cancelled, '2026-06-01T09:00:00.000Z'), {});
  });

  it("a co-member holds its master's plan at T (not the master's rooms), and changes when the master's plan ends", () => {
    const boss = reservation(
      member('boss', [desk('2026-01-01', '2026-06-30')]),
      'granted',
      '2026-06-10T08:00:00.000Z',
      '2026-06-10T10:00:00.000Z',
    );
    const cole = member('cole', [], 'boss');
    const during = previewAccessAt(cole, boss, setup, ms('2026-06-10T09:00:00.000Z'));
    assert.deepEqual(during.access.groups, { 'site-ber': ['ag-door', 'ag-floor'] });
    assert.deepEqual(during.access.reasons['site-ber']?.['ag-floor'], [{ kind: 'master', masterId: 'boss' }]);
    const later = previewAccessAt(cole, boss, setup, ms('2026-06-20T09:00:00.000Z'));
    assert.equal(later.changesNextAt, '2026-06-30T22:00:00.000Z', "the master's plan edge");
    assert.deepEqual(groupsAt(cole, '2026-07-01T09:00:00.000Z', boss), {});
    assert.deepEqual(
      groupsAt(cole, '2026-06-10T09:00:00.000Z', null),
      {},
      'master unknown: nothing inherited',
    );
  });

  it('a deleted person holds nothing at any instant', () => {
    const gone = applyPersonEvent(member('gus', [desk('2026-01-01', null)]), {
      type: 'member-deleted',
      eventId: `e-${++n}`,
      updatedAt: '2026-05-02T00:00:00.000Z',
    });
    assert.deepEqual(groupsAt(gone, '2026-06-01T09:00:00.000Z'), {});
  });
});
