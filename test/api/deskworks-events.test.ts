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
import { personWorkflowId, reservationWorkflowId } from '../../src/shared/ids';

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

  // The contract: a body that matches the types but holds an impossible part is accepted; that
  // part grants nothing (the engine warns on the person) and the rest of the event applies.
  void it('accepts a member snapshot holding one billing whose endDate is before its startDate', () => {
    const impossible = { ...billing, id: 'rb_7003', startDate: '2026-11-01', endDate: '2026-10-31' };
    const body = envelope('member.updated', { ...member, recurringBillings: [billing, impossible] });
    const result = parseDeskworksEvent(body);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.event, body);
  });

  void it('accepts a billing event whose endDate is before its startDate', () => {
    const impossible = { ...billingChange, billing: { ...billing, endDate: '2026-10-31' } };
    assert.ok(parseDeskworksEvent(envelope('billing.updated', impossible)).ok);
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

/** A deep copy of `value` with the dotted `path` (e.g. `data.recurringBillings.0.id`) set to `to`. */
function withPath(value: unknown, path: string, to: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys[keys.length - 1]!] = to;
  return copy;
}

/** Every id of the contract, as the event that carries it and its dotted path in that event. */
const idFields: { type: DeskworksEventType; path: string }[] = [
  { type: 'product.deleted', path: 'id' },
  { type: 'member.created', path: 'data.id' },
  { type: 'member.created', path: 'data.centerId' },
  { type: 'member.created', path: 'data.masterMemberId' },
  { type: 'member.updated', path: 'data.recurringBillings.0.id' },
  { type: 'member.updated', path: 'data.recurringBillings.1.productId' },
  { type: 'member.updated', path: 'data.recurringBillings.0.centerId' },
  { type: 'member.activated', path: 'data.memberId' },
  { type: 'member.deactivated', path: 'data.memberId' },
  { type: 'member.deleted', path: 'data.memberId' },
  { type: 'comember.added', path: 'data.masterMemberId' },
  { type: 'comember.added', path: 'data.member.id' },
  { type: 'comember.removed', path: 'data.masterMemberId' },
  { type: 'comember.removed', path: 'data.memberId' },
  { type: 'billing.created', path: 'data.memberId' },
  { type: 'billing.updated', path: 'data.billing.id' },
  { type: 'billing.cancelled', path: 'data.billing.productId' },
  { type: 'billing.created', path: 'data.billing.centerId' },
  { type: 'reservation.created', path: 'data.id' },
  { type: 'reservation.updated', path: 'data.reservationUnitId' },
  { type: 'reservation.created', path: 'data.centerId' },
  { type: 'reservation.created', path: 'data.customer.id' },
  { type: 'reservation.cancelled', path: 'data.reservationId' },
  { type: 'center.updated', path: 'data.id' },
  { type: 'product.updated', path: 'data.id' },
  { type: 'product.updated', path: 'data.centerId' },
  { type: 'reservation_unit.updated', path: 'data.id' },
  { type: 'reservation_unit.updated', path: 'data.centerId' },
  { type: 'product.deleted', path: 'data.id' },
  { type: 'reservation_unit.deleted', path: 'data.id' },
];

/** The character whose UTF-8 encoding is longest (4 bytes), written as a surrogate pair in JS. */
const LONGEST_CHARACTER = '\u{10FFFF}';
const EMOJI = '\u{1F511}'; // 🔑: one character, two UTF-16 code units, four UTF-8 bytes

void describe('every id of the contract is 1–200 characters of valid Unicode, else a 400 naming it', () => {
  for (const { type, path } of idFields) {
    const event = (id: string): unknown => withPath(envelope(type, sampleData[type]), path, id);

    void it(`${type} ${path}: 200 characters pass, 201 are refused`, () => {
      const result = parseDeskworksEvent(event('i'.repeat(200)));
      assert.ok(result.ok, JSON.stringify(result));
      assertRejectedAt(event('i'.repeat(201)), path, /at most 200 characters/);
    });

    void it(`${type} ${path}: an empty id is refused`, () => {
      assertRejectedAt(event(''), path, /empty/);
    });

    void it(`${type} ${path}: a lone surrogate is refused, naming the field`, () => {
      assertRejectedAt(event('\ud800'), path, /Unicode/);
      assertRejectedAt(event(`mem_${'\udc00'}42`), path, /Unicode/);
      assertRejectedAt(event(`${'\ud83d'}`.padEnd(150, 'x')), path, /Unicode/);
    });
  }

  void it('counts characters as Unicode code points: 200 emoji pass, 201 are refused, and the message says so', () => {
    const body = (id: string): unknown =>
      withPath(envelope('member.deleted', sampleData['member.deleted']), 'data.memberId', id);
    const ok = parseDeskworksEvent(body(EMOJI.repeat(200)));
    assert.ok(ok.ok, JSON.stringify(ok));
    assertRejectedAt(
      body(EMOJI.repeat(201)),
      'data.memberId',
      /at most 200 characters \(Unicode code points/,
    );
    // 200 characters mixing letters and emoji are 200, however many UTF-16 units they take.
    assert.ok(parseDeskworksEvent(body(`${'a'.repeat(100)}${EMOJI.repeat(100)}`)).ok);
  });

  void it('a valid surrogate pair is not a lone surrogate', () => {
    assert.ok(parseDeskworksEvent(withPath(envelope('product.deleted', {}), 'data.id', `p_${EMOJI}`)).ok);
  });

  void it("200 of the longest characters still make a workflow id under Temporal's 1000-byte limit", () => {
    const longest = LONGEST_CHARACTER.repeat(200);
    const reservation = parseDeskworksEvent(
      withPath(
        envelope('reservation.cancelled', sampleData['reservation.cancelled']),
        'data.reservationId',
        longest,
      ),
    );
    assert.ok(reservation.ok);
    const member = parseDeskworksEvent(
      withPath(envelope('member.deleted', sampleData['member.deleted']), 'data.memberId', longest),
    );
    assert.ok(member.ok);
    assert.equal(Buffer.byteLength(longest, 'utf8'), 800);
    assert.ok(Buffer.byteLength(reservationWorkflowId(longest), 'utf8') <= 1000);
    assert.ok(Buffer.byteLength(personWorkflowId(longest), 'utf8') <= 1000);
  });
});

void describe('names and e-mails must be valid Unicode (they travel in Temporal payloads)', () => {
  const textFields: { type: DeskworksEventType; path: string; value: string }[] = [
    { type: 'member.created', path: 'data.firstName', value: 'Cam\ud800ille' },
    { type: 'member.created', path: 'data.lastName', value: '\udfffDurand' },
    { type: 'member.updated', path: 'data.email', value: 'camille\ud800@example.com' },
    { type: 'comember.added', path: 'data.member.firstName', value: 'L\udc00a' },
    { type: 'reservation.created', path: 'data.customer.firstName', value: 'Jonas\ud83d' },
    { type: 'reservation.created', path: 'data.customer.lastName', value: '\udc00' },
    { type: 'reservation.updated', path: 'data.customer.email', value: '\ud800jonas@example.org' },
    { type: 'center.updated', path: 'data.name', value: 'Paris \ud800' },
    { type: 'product.updated', path: 'data.name', value: 'Flex \udc00desk' },
    { type: 'reservation_unit.updated', path: 'data.name', value: 'Room \ud800' },
  ];
  for (const { type, path, value } of textFields) {
    void it(`${type} ${path} with a lone surrogate → ${path}`, () => {
      assertRejectedAt(withPath(envelope(type, sampleData[type]), path, value), path, /Unicode/);
    });
  }

  void it('names with accents and emoji are fine', () => {
    const body = envelope('member.updated', {
      ...member,
      firstName: `Zoë ${EMOJI}`,
      lastName: 'Ørsted-Ñúñez',
    });
    assert.ok(parseDeskworksEvent(body).ok);
  });
});
