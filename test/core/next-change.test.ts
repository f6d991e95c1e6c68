// What the next change by itself is (for the workflow's timer summary): named by ids, with the
// zone of its center, the earliest of every billing and reservation-window edge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDesiredAccess } from '../../src/core/entitlements';
import { billing, grant, ms, person, setupOf } from './fixtures';

const setup = setupOf({
  berlin: {
    site: 'site-berlin',
    timeZone: 'Europe/Berlin',
    products: { desk: ['g-floor'] },
    units: { 'room-1': ['g-room'] },
  },
  nyc: { site: 'site-nyc', timeZone: 'America/New_York', products: { desk: ['g-lobby'] } },
});

describe('the next change by itself', () => {
  it('names a reservation window opening, then closing, in its center’s zone', () => {
    const input = person({
      reservations: [
        grant({
          reservationId: 'r-5',
          windowStart: '2026-06-01T08:45:00Z',
          windowEnd: '2026-06-01T10:15:00Z',
        }),
      ],
    });
    assert.deepEqual(computeDesiredAccess(input, setup, ms('2026-06-01T08:00:00Z')).nextChange, {
      at: '2026-06-01T08:45:00.000Z',
      what: 'the window of reservation r-5 opens',
      timeZone: 'Europe/Berlin',
    });
    assert.equal(
      computeDesiredAccess(input, setup, ms('2026-06-01T09:00:00Z')).nextChange?.what,
      'the window of reservation r-5 closes',
    );
  });

  it('names the earliest billing edge, at its center’s midnight', () => {
    const input = person({
      billings: [
        billing({ id: 'b-ber', centerId: 'berlin', productId: 'desk', endDate: '2026-06-03' }),
        billing({ id: 'b-nyc', centerId: 'nyc', productId: 'desk', endDate: '2026-06-02' }),
      ],
    });
    assert.deepEqual(computeDesiredAccess(input, setup, ms('2026-06-01T12:00:00Z')).nextChange, {
      at: '2026-06-03T04:00:00.000Z', // the end of 2 June in New York
      what: 'billing b-nyc ends',
      timeZone: 'America/New_York',
    });
  });

  it('is null when nothing changes by itself', () => {
    const input = person({ billings: [billing({ id: 'b-open', centerId: 'berlin', productId: 'desk' })] });
    const access = computeDesiredAccess(input, setup, ms('2026-06-01T12:00:00Z'));
    assert.equal(access.nextChange, null);
    assert.equal(access.nextChangeAt, null);
  });
});
