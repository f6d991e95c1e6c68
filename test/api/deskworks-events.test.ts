// The webhook contract, to the letter: every event type is accepted with a realistic body,
// and each kind of invalid input is rejected with the dotted path the 400 answer names.
// `void` before describe/it: node:test returns promises that its runner awaits itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DESKWORKS_EVENT_TYPES,
  type DeskworksEventType,
  type EventIssue,
  parseDeskworksEvent,
} from '../../src/api/deskworks-events';

const billing = {
  id: 'rb_7001',
  productId: 'prod_flex_desk',
  centerId: 'ctr_paris',
  startDate: '2026-11-01',
  endDate: '2027-10-31',
  status: 'active',
};

const member = {
  id: 'mem_1042',
  centerId: 'ctr_paris',
  firstName: 'Camille',
  lastName: 'Durand',
  email: 'camille.durand@example.com',
  phone: '+33 6 12 34 56 78',
  status: 'active',
  masterMemberId: null,
  recurringBillings: [billing, { ...billing, id: 'rb_7002', productId: 'prod_locker', endDate: null }],
  updatedAt: '2026-11-28T14:03:11Z',
};

const comember = {
  ...member,
  id: 'mem_1043',
  firstName: 'Léa',
  email: 'lea.durand@example.com',
  phone: null,
  masterMemberId: 'mem_1042',
  recurringBillings: [],
};

const reservation = {
  id: 'res_55',
  reservationUnitId: 'unit_meeting_room_a',
  centerId: 'ctr_paris',
  start: '2026-12-02T09:00:00+01:00',
  end: '2026-12-02T11:30:00+01:00',
  status: 'confirmed',
  customer: {
    type: 'nonmember',
    id: 'cust_88',
    firstName: 'Jonas',
    lastName: 'Berg',
    email: 'jonas.berg@example.org',
  },
  updatedAt: '2026-11-28T14:05:00.250+01:00',
};

const billingChange = { memberId: 'mem_1042', billing, updatedAt: '2026-11-28T14:03:11Z' };
const center = { id: 'ctr_paris', name: 'Paris Bastille', timeZone: 'Europe/Paris' };

const sampleData: Record<DeskworksEventType, unknown> = {
  'member.created': member,
  'member.updated': { ...member, status: 'inactive' },
  'member.activated': { memberId: 'mem_1042', updatedAt: '2026-11-28T14:03:11Z' },
  'member.deactivated': { memberId: 'mem_1042', updatedAt: '2026-11-29T08:00:00Z' },
  'member.deleted': { memberId: 'mem_1042', updatedAt: '2026-11-30T08:00:00Z' },
  'comember.added': { masterMemberId: 'mem_1042', member: comember },
  'comember.removed': { masterMemberId: 'mem_1042', memberId: 'mem_1043', updatedAt: '2026-12-01T10:00:00Z' },
  'billing.created': billingChange,
  'billing.updated': {
    memberId: 'mem_1042',
    billing: { ...billing, endDate: '2026-12-31' },
    updatedAt: '2026-11-29T09:00:00Z',
  },
  'billing.cancelled': {
    memberId: 'mem_1042',
    billing: { ...billing, status: 'cancelled' },
    updatedAt: '2026-11-30T09:00:00Z',
  },
  'reservation.created': reservation,
  'reservation.updated': { ...reservation, end: '2026-12-02T12:00:00+01:00' },
  'reservation.cancelled': { reservationId: 'res_55', updatedAt: '2026-12-01T18:00:00Z' },
  'center.updated': center,
  'product.updated': { id: 'prod_flex_desk', centerId: 'ctr_paris', name: 'Flex desk' },
  'reservation_unit.updated': { id: 'unit_meeting_room_a', centerId: 'ctr_paris', name: 'Meeting room A' },
  'product.deleted': { id: 'prod_flex_desk' },
  'reservation_unit.deleted': { id: 'unit_meeting_room_a' },
};

function envelope(type: string, data: unknown): Record<string, unknown> {
  return { id: `evt_${type}_8f2c`, type, occurredAt: '2026-11-28T14:03:11Z', data };
}

function issuesOf(json: unknown): EventIssue[] {
  const result = parseDeskworksEvent(json);
  assert.equal(result.ok, false, 'expected the event to be rejected');
  return result.ok ? [] : result.issues;
}

function assertRejectedAt(json: unknown, path: string, messagePart: RegExp): void {
  const issues = issuesOf(json);
  const issue = issues.find((i) => i.path === path);
  assert.ok(issue, `expected an issue at ${path}, got ${JSON.stringify(issues)}`);
  assert.match(issue.message, messagePart);
}

void describe('parseDeskworksEvent accepts every event type of the contract', () => {
  void it('knows exactly the types of the contract', () => {
    assert.deepEqual([...DESKWORKS_EVENT_TYPES].sort(), Object.keys(sampleData).sort());
  });

  for (const type of DESKWORKS_EVENT_TYPES) {
    void it(`accepts ${type}`, () => {
      const body = envelope(type, sampleData[type]);
      const result = parseDeskworksEvent(body);
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.event, body);
    });
  }

  void it('narrows data by type', () => {
    const result = parseDeskworksEvent(envelope('billing.cancelled', sampleData['billing.cancelled']));
    assert.ok(result.ok);
    if (result.event.type !== 'billing.cancelled') assert.fail('wrong type');
    // Compiles only because the discriminated union narrowed data to the billing change.
    assert.equal(result.event.data.billing.status, 'cancelled');
  });

  void it('strips fields Deskworks may add later, keeping the known ones', () => {
    const body = {
      ...envelope('center.updated', { ...center, address: '1 rue X' }),
      deliveryAttempt: 3,
    };
    const result = parseDeskworksEvent(body);
    assert.ok(result.ok);
    assert.deepEqual(result.event, envelope('center.updated', center));
  });

  void it('accepts a member without a phone, instants with ±hh:mm offsets and seconds fractions', () => {
    const { phone: _phone, ...withoutPhone } = member;
    const result = parseDeskworksEvent({
      ...envelope('member.updated', { ...withoutPhone, updatedAt: '2026-11-28T09:03:11.123456-05:00' }),
      occurredAt: '2026-11-28T15:03:11+01:00',
    });
    assert.ok(result.ok, JSON.stringify(result));
  });

  void it('accepts a billing that ends on the day it starts, and 29 February of a leap year', () => {
    const oneDay = { ...billing, startDate: '2028-02-29', endDate: '2028-02-29' };
    assert.ok(parseDeskworksEvent(envelope('billing.created', { ...billingChange, billing: oneDay })).ok);
  });
});

void describe('parseDeskworksEvent rejects invalid events with the path of the problem', () => {
  void it('a bad e-mail → data.email', () => {
    assertRejectedAt(
      envelope('member.created', { ...member, email: 'camille.durand@' }),
      'data.email',
      /e-mail/,
    );
  });

  void it("a reservation customer's bad e-mail → data.customer.email", () => {
    const bad = { ...reservation, customer: { ...reservation.customer, email: 'jonas at example.org' } };
    assertRejectedAt(envelope('reservation.created', bad), 'data.customer.email', /e-mail/);
  });

  void it('a reservation ending before it starts → data.end', () => {
    const bad = { ...reservation, start: '2026-12-02T11:00:00+01:00', end: '2026-12-02T09:00:00+01:00' };
    assertRejectedAt(envelope('reservation.updated', bad), 'data.end', /after start/);
  });

  void it('a reservation ending when it starts, written with another offset → data.end', () => {
    const bad = { ...reservation, start: '2026-12-02T09:00:00+01:00', end: '2026-12-02T08:00:00Z' };
    assertRejectedAt(envelope('reservation.created', bad), 'data.end', /after start/);
  });

  void it('an unknown type → type, naming it and the known types', () => {
    const issues = issuesOf(envelope('member.merged', { memberId: 'mem_1042' }));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['type'],
    );
    assert.match(issues[0]?.message ?? '', /unknown event type "member\.merged".*member\.created/);
  });

  void it('an unknown type reported together with other envelope problems', () => {
    const issues = issuesOf({ type: 'nope', occurredAt: '2026-11-28T14:03:11Z', data: {} });
    assert.deepEqual(issues.map((i) => i.path).sort(), ['id', 'type']);
  });

  void it('a date that does not exist (2026-02-30) → data.billing.startDate', () => {
    const bad = {
      ...billingChange,
      billing: { ...billing, startDate: '2026-02-30' },
    };
    assertRejectedAt(envelope('billing.created', bad), 'data.billing.startDate', /real calendar date/);
  });

  void it('29 February of a year that is not a leap year → data.recurringBillings.0.endDate', () => {
    const bad = { ...member, recurringBillings: [{ ...billing, endDate: '2027-02-29' }] };
    assertRejectedAt(
      envelope('member.updated', bad),
      'data.recurringBillings.0.endDate',
      /real calendar date/,
    );
  });

  void it('a date in another format → data.billing.startDate', () => {
    const bad = {
      ...billingChange,
      billing: { ...billing, startDate: '01/11/2026' },
    };
    assertRejectedAt(envelope('billing.created', bad), 'data.billing.startDate', /YYYY-MM-DD/);
  });

  void it('an endDate before the startDate → data.billing.endDate', () => {
    const bad = {
      ...billingChange,
      billing: { ...billing, endDate: '2026-10-31' },
    };
    assertRejectedAt(envelope('billing.updated', bad), 'data.billing.endDate', /not be before startDate/);
  });

  void it('a missing id → id', () => {
    const { id: _id, ...withoutId } = envelope('product.deleted', { id: 'prod_flex_desk' });
    assertRejectedAt(withoutId, 'id', /Required/);
  });

  void it('an id of 201 characters → id, while 200 pass', () => {
    const body = envelope('product.deleted', { id: 'prod_flex_desk' });
    assert.ok(parseDeskworksEvent({ ...body, id: 'e'.repeat(200) }).ok);
    assertRejectedAt({ ...body, id: 'e'.repeat(201) }, 'id', /at most 200/);
  });

  void it('an empty id → id', () => {
    assertRejectedAt({ ...envelope('product.deleted', { id: 'p' }), id: '' }, 'id', /empty/);
  });

  void it('a time zone that is not IANA → data.timeZone', () => {
    const bad = { id: 'ctr_paris', name: 'Paris Bastille', timeZone: 'Europe/Atlantis' };
    assertRejectedAt(envelope('center.updated', bad), 'data.timeZone', /IANA time zone/);
  });

  void it('an occurredAt without offset → occurredAt', () => {
    assertRejectedAt(
      { ...envelope('product.deleted', { id: 'p' }), occurredAt: '2026-11-28T14:03:11' },
      'occurredAt',
      /offset/,
    );
  });

  void it('an instant on a day that does not exist → data.updatedAt', () => {
    const bad = { memberId: 'mem_1042', updatedAt: '2026-02-30T10:00:00Z' };
    assertRejectedAt(envelope('member.deleted', bad), 'data.updatedAt', /ISO 8601/);
  });

  void it('a status outside the contract → data.status', () => {
    assertRejectedAt(envelope('member.updated', { ...member, status: 'suspended' }), 'data.status', /active/);
  });

  void it('a missing masterMemberId (it is null, not absent, for a member on their own) → data.masterMemberId', () => {
    const { masterMemberId: _master, ...withoutMaster } = member;
    assertRejectedAt(envelope('member.created', withoutMaster), 'data.masterMemberId', /Required/);
  });

  void it('a co-member snapshot with problems → data.member.*', () => {
    const bad = { masterMemberId: 'mem_1042', member: { ...comember, email: 'nope' } };
    assertRejectedAt(envelope('comember.added', bad), 'data.member.email', /e-mail/);
  });

  void it('missing data → data', () => {
    const { data: _data, ...withoutData } = envelope('reservation.cancelled', {});
    assertRejectedAt(withoutData, 'data', /Required/);
  });

  void it('a body that is not an object → (root)', () => {
    assertRejectedAt([envelope('product.deleted', { id: 'p' })], '(root)', /object/);
    assertRejectedAt(null, '(root)', /object/);
  });
});
