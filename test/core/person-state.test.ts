// The person's facts under events in any order (issue 9 items 5, 12) and over years (item 13).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersonEvent, ReservationStatusEvent } from '../../src/core/person-events';
import {
  applyPersonEvent,
  entitlementInput,
  newPersonFacts,
  pruneFacts,
  type PersonFacts,
} from '../../src/core/person-state';
import { reservationStatus } from './fixtures';

const DAY = 24 * 60 * 60_000;
let n = 0;
const id = (): string => `e-${++n}`;
const iso = (ms: number): string => new Date(ms).toISOString();
const fold = (facts: PersonFacts, events: PersonEvent[]): PersonFacts =>
  events.reduce(applyPersonEvent, facts);

const snapshot = (updatedAt: string, masterId: string | null): PersonEvent => ({
  type: 'member-snapshot',
  eventId: id(),
  updatedAt,
  homeCenterId: 'berlin',
  profile: { firstName: 'A', lastName: 'B', email: 'a@example.com' },
  status: 'active',
  masterId,
  billings: [],
});

function status(
  reservationId: string,
  key: ReservationStatusEvent['key'],
  state: ReservationStatusEvent['state'],
  windowStart: string,
  windowEnd: string,
): ReservationStatusEvent {
  return reservationStatus({ reservationId, key, state, windowStart, windowEnd });
}

describe('co-member facts in any order (item 5)', () => {
  it('a newer comember.removed that arrives first wins over the older comember.added', () => {
    const removed: PersonEvent = {
      type: 'comember-removed',
      eventId: id(),
      updatedAt: '2026-11-02T00:00:00Z',
      masterId: 'boss',
    };
    const facts = fold(newPersonFacts('co'), [removed, snapshot('2026-11-01T00:00:00Z', 'boss')]);
    assert.equal(facts.masterId, null);
    assert.equal(entitlementInput(facts, true).master, null);
  });

  it('the same two in their own order end the same way', () => {
    const removed: PersonEvent = {
      type: 'comember-removed',
      eventId: id(),
      updatedAt: '2026-11-02T00:00:00Z',
      masterId: 'boss',
    };
    const facts = fold(newPersonFacts('co'), [snapshot('2026-11-01T00:00:00Z', 'boss'), removed]);
    assert.equal(facts.masterId, null);
  });

  it('removed then re-added to the same master keeps the master groups it had', () => {
    let facts = fold(newPersonFacts('co'), [snapshot('2026-11-01T00:00:00Z', 'boss')]);
    facts = applyPersonEvent(facts, {
      type: 'master-groups',
      eventId: id(),
      masterId: 'boss',
      seq: 3,
      groups: { site: ['g'] },
    });
    facts = fold(facts, [
      { type: 'comember-removed', eventId: id(), updatedAt: '2026-11-02T00:00:00Z', masterId: 'boss' },
      snapshot('2026-11-03T00:00:00Z', 'boss'),
    ]);
    assert.deepEqual(entitlementInput(facts, true).master, { masterId: 'boss', groups: { site: ['g'] } });
  });

  it('a master hears link and unlink by their time, not their arrival', () => {
    const link = (linked: boolean, at: string): PersonEvent => ({
      type: 'comember-link',
      eventId: id(),
      comemberId: 'co',
      linked,
      at,
    });
    const facts = fold(newPersonFacts('boss'), [
      link(false, '2026-11-02T00:00:00Z'),
      link(true, '2026-11-01T00:00:00Z'),
    ]);
    assert.deepEqual(facts.comemberIds, []);
  });
});

describe('billings: the newest snapshot is the whole list', () => {
  const b = (billingId: string) => ({
    id: billingId,
    productId: 'flex',
    centerId: 'berlin',
    startDate: '2026-01-01',
    endDate: null,
    status: 'active' as const,
  });
  const withBillings = (updatedAt: string, ids: string[]): PersonEvent => ({
    ...(snapshot(updatedAt, null) as Extract<PersonEvent, { type: 'member-snapshot' }>),
    billings: ids.map(b),
  });
  it('an older snapshot arriving late cannot add a billing the newer one left out', () => {
    const facts = fold(newPersonFacts('p'), [
      withBillings('2026-11-02T00:00:00Z', ['b1']),
      withBillings('2026-11-01T00:00:00Z', ['b0', 'b1']),
    ]);
    assert.deepEqual(Object.keys(facts.billings), ['b1']);
  });
  it('nor can an older billing event; a newer one can', () => {
    let facts = fold(newPersonFacts('p'), [withBillings('2026-11-02T00:00:00Z', ['b1'])]);
    facts = applyPersonEvent(facts, {
      type: 'billing',
      eventId: id(),
      updatedAt: '2026-11-01T00:00:00Z',
      billing: b('b0'),
    });
    assert.deepEqual(Object.keys(facts.billings), ['b1']);
    facts = applyPersonEvent(facts, {
      type: 'billing',
      eventId: id(),
      updatedAt: '2026-11-03T00:00:00Z',
      billing: b('b2'),
    });
    assert.deepEqual(Object.keys(facts.billings).sort(), ['b1', 'b2']);
  });
});

describe('reservation news keyed by updatedAt and set-up version (item 12)', () => {
  const w = ['2026-11-10T09:45:00Z', '2026-11-10T11:15:00Z'] as const;
  it('a rerun of the reservation workflow saying the same thing changes nothing; older news is dropped', () => {
    const granted = status(
      'r',
      { updatedAt: '2026-11-01T00:00:00Z', setupVersion: 2, step: 1 },
      'granted',
      ...w,
    );
    const revoked = status(
      'r',
      { updatedAt: '2026-11-01T00:00:00Z', setupVersion: 2, step: 2 },
      'revoked',
      ...w,
    );
    let facts = fold(newPersonFacts('p'), [granted, revoked]);
    assert.equal(facts.reservations.r?.state, 'revoked');
    // The same granted message from a new run (a new event id): not newer, dropped.
    facts = applyPersonEvent(facts, { ...granted, eventId: id() });
    assert.equal(facts.reservations.r?.state, 'revoked');
    // A newer snapshot (moved) from a new run: taken, whatever that run's counters.
    const moved = status(
      'r',
      { updatedAt: '2026-11-05T00:00:00Z', setupVersion: 2, step: 0 },
      'scheduled',
      ...w,
    );
    facts = applyPersonEvent(facts, moved);
    assert.equal(facts.reservations.r?.state, 'scheduled');
  });

  it('a "scheduled" reservation grants within its window only where the person keeps the window itself', () => {
    const scheduled = status(
      'r',
      { updatedAt: '2026-11-01T00:00:00Z', setupVersion: 2, step: 0 },
      'scheduled',
      ...w,
    );
    const facts = fold(newPersonFacts('p'), [scheduled]);
    const grant = { reservationId: 'r', unitId: scheduled.unitId, centerId: scheduled.centerId };
    assert.deepEqual(entitlementInput(facts, false).reservations, []);
    assert.deepEqual(entitlementInput(facts, true).reservations, [
      { ...grant, windowStart: w[0], windowEnd: w[1] },
    ]);
    const cancelled = status(
      'r',
      { updatedAt: '2026-11-02T00:00:00Z', setupVersion: 2, step: 3 },
      'cancelled',
      ...w,
    );
    assert.deepEqual(entitlementInput(fold(facts, [cancelled]), true).reservations, []);
  });

  it('a pruned reservation cannot be revived by older news', () => {
    const revoked = status(
      'r',
      { updatedAt: '2020-01-01T00:00:00Z', setupVersion: 1, step: 2 },
      'revoked',
      ...w,
    );
    let facts = pruneFacts(fold(newPersonFacts('p'), [revoked]), Date.parse('2026-11-20T00:00:00Z'));
    assert.equal(facts.reservations.r, undefined);
    const stale = status(
      'r',
      { updatedAt: '2019-12-01T00:00:00Z', setupVersion: 1, step: 1 },
      'granted',
      '2026-12-20T00:00:00Z',
      '2026-12-21T00:00:00Z',
    );
    facts = applyPersonEvent(facts, stale);
    assert.equal(facts.reservations.r, undefined);
  });
});

describe('bounded state (item 13)', () => {
  it('ten years of daily reservations and monthly plans stay small', () => {
    let facts = newPersonFacts('veteran');
    const start = Date.parse('2016-01-01T00:00:00Z');
    for (let day = 0; day < 3650; day++) {
      const at = start + day * DAY;
      const ws = iso(at + 9 * 60 * 60_000);
      const we = iso(at + 11 * 60 * 60_000);
      const events: PersonEvent[] = [
        status(`r-${day}`, { updatedAt: iso(at), setupVersion: 1, step: 1 }, 'granted', ws, we),
        status(`r-${day}`, { updatedAt: iso(at), setupVersion: 1, step: 2 }, 'revoked', ws, we),
      ];
      if (day % 30 === 0) {
        const month = iso(at).slice(0, 10);
        const end = iso(at + 29 * DAY).slice(0, 10);
        events.push({
          type: 'billing',
          eventId: id(),
          updatedAt: iso(at),
          billing: {
            id: `b-${day}`,
            productId: 'flex',
            centerId: 'berlin',
            startDate: month,
            endDate: end,
            status: 'active',
          },
        });
      }
      facts = pruneFacts(fold(facts, events), at + DAY);
    }
    const bytes = JSON.stringify(facts).length;
    assert.ok(
      Object.keys(facts.reservations).length <= 5,
      `${Object.keys(facts.reservations).length} reservations kept`,
    );
    assert.ok(Object.keys(facts.billings).length <= 4, `${Object.keys(facts.billings).length} billings kept`);
    assert.ok(facts.recentEventIds.length <= 200);
    assert.ok(bytes < 30_000, `${bytes} bytes after ten years`);
    assert.ok(Object.keys(facts.reservationsDone ?? {}).length <= 40);
  });
});
