// A reservation's access window: start − lead to end + lag, and where an instant lies in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  reservationStateAt,
  reservationWindow,
  snapshotMayGrant,
  windowPhase,
} from '../../src/core/reservations';
import { ms } from './fixtures';

describe('reservationWindow', () => {
  const cases: [string, string, string, number, number, string, string][] = [
    [
      'default 15/15',
      '2026-11-28T10:00:00Z',
      '2026-11-28T11:00:00Z',
      15,
      15,
      '2026-11-28T09:45:00.000Z',
      '2026-11-28T11:15:00.000Z',
    ],
    [
      'offsets become UTC',
      '2026-11-28T10:00:00+01:00',
      '2026-11-28T11:30:00+01:00',
      15,
      15,
      '2026-11-28T08:45:00.000Z',
      '2026-11-28T10:45:00.000Z',
    ],
    [
      'no lead, no lag',
      '2026-11-28T10:00:00Z',
      '2026-11-28T11:00:00Z',
      0,
      0,
      '2026-11-28T10:00:00.000Z',
      '2026-11-28T11:00:00.000Z',
    ],
    [
      'different lead and lag, across midnight',
      '2026-11-28T23:50:00Z',
      '2026-11-29T00:10:00Z',
      30,
      5,
      '2026-11-28T23:20:00.000Z',
      '2026-11-29T00:15:00.000Z',
    ],
    [
      'a whole day of lead',
      '2026-11-28T10:00:00Z',
      '2026-11-28T11:00:00Z',
      1440,
      0,
      '2026-11-27T10:00:00.000Z',
      '2026-11-28T11:00:00.000Z',
    ],
  ];
  for (const [name, start, end, lead, lag, windowStart, windowEnd] of cases) {
    it(name, () => assert.deepEqual(reservationWindow(start, end, lead, lag), { windowStart, windowEnd }));
  }

  it('rejects times that are not instants, naming which', () => {
    assert.throws(() => reservationWindow('tomorrow', '2026-11-28T11:00:00Z', 15, 15), /start is not/);
    assert.throws(() => reservationWindow('2026-11-28T10:00:00Z', '', 15, 15), /end is not/);
  });
  it('rejects a negative or non-finite lead or lag', () => {
    assert.throws(
      () => reservationWindow('2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', -1, 15),
      /leadMinutes/,
    );
    assert.throws(
      () => reservationWindow('2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z', 15, Number.NaN),
      /lagMinutes/,
    );
  });
});

describe('windowPhase', () => {
  const window = { windowStart: '2026-11-28T09:45:00.000Z', windowEnd: '2026-11-28T11:15:00.000Z' };
  const cases: [string, string, 'before' | 'open' | 'closed'][] = [
    ['long before', '2026-11-27T00:00:00Z', 'before'],
    ['one ms before the start', '2026-11-28T09:44:59.999Z', 'before'],
    ['at the start', '2026-11-28T09:45:00Z', 'open'],
    ['inside', '2026-11-28T10:30:00Z', 'open'],
    ['one ms before the end', '2026-11-28T11:14:59.999Z', 'open'],
    ['at the end', '2026-11-28T11:15:00Z', 'closed'],
    ['long after', '2026-12-01T00:00:00Z', 'closed'],
  ];
  for (const [name, now, phase] of cases) {
    it(`${name}: ${phase}`, () => assert.equal(windowPhase(window, ms(now)), phase));
  }
  it('an inverted window is never open', () => {
    const inverted = { windowStart: '2026-11-28T11:00:00Z', windowEnd: '2026-11-28T10:00:00Z' };
    for (const now of ['2026-11-28T09:00:00Z', '2026-11-28T10:30:00Z', '2026-11-28T12:00:00Z']) {
      assert.notEqual(windowPhase(inverted, ms(now)), 'open', now);
    }
  });
  it('rejects a window that is not made of instants', () => {
    assert.throws(
      () => windowPhase({ windowStart: 'x', windowEnd: '2026-11-28T10:00:00Z' }, 0),
      /windowStart/,
    );
  });
});

describe('snapshotMayGrant (rule 3: ended before it arrived)', () => {
  const end = '2026-11-28T11:00:00Z';
  it('grants when the end is still ahead on arrival, open or not', () => {
    assert.equal(snapshotMayGrant(end, ms('2026-11-28T10:59:59.999Z'), false), true);
    assert.equal(snapshotMayGrant(end, ms('2026-11-28T10:00:00Z'), true), true);
  });
  it('grants nothing for a snapshot that had ended on arrival while the reservation was not open', () => {
    assert.equal(snapshotMayGrant(end, ms(end), false), false);
    assert.equal(snapshotMayGrant(end, ms('2026-11-28T11:09:00Z'), false), false);
  });
  it('lets a reservation open on arrival keep its lag when moved to an end just past', () => {
    assert.equal(snapshotMayGrant(end, ms('2026-11-28T11:09:00Z'), true), true);
  });
  it('rejects an end that is not an instant, naming it', () => {
    assert.throws(() => snapshotMayGrant('soon', 0, false), /end/);
  });
});

describe('reservationStateAt (what the admin API shows at the moment of the request)', () => {
  const window = { windowStart: '2026-11-28T09:45:00.000Z', windowEnd: '2026-11-28T11:15:00.000Z' };
  const before = ms('2026-11-28T09:44:59.999Z');
  const open = ms('2026-11-28T09:45:00Z');
  const closed = ms('2026-11-28T11:15:00Z');
  it('a reservation told "scheduled" is granted while its window is open, and revoked once it closed', () => {
    assert.equal(reservationStateAt('scheduled', window, before), 'scheduled');
    assert.equal(reservationStateAt('scheduled', window, open), 'granted');
    assert.equal(reservationStateAt('scheduled', window, closed), 'revoked');
  });
  it('a reservation told "granted" (before the person kept its windows) is revoked once its window closed', () => {
    assert.equal(reservationStateAt('granted', window, open), 'granted');
    assert.equal(reservationStateAt('granted', window, closed), 'revoked');
  });
  it('a cancellation or a revocation stays as told, whatever the window', () => {
    for (const at of [before, open, closed]) {
      assert.equal(reservationStateAt('cancelled', window, at), 'cancelled');
      assert.equal(reservationStateAt('revoked', window, at), 'revoked');
    }
  });
  it('without a window (no snapshot came) the state stays as told', () => {
    assert.equal(reservationStateAt('scheduled', { windowStart: null, windowEnd: null }, open), 'scheduled');
  });
});
