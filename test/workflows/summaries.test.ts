// The Web UI's one-line summaries of activities and timers (pure; no Temporal): the wall clock of
// the center's zone across a DST change, what a group diff does and why, which wait a timer is,
// and the one-line cut.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  groupDiffSummary,
  localTime,
  personWaitSummary,
  reservationDoneSummary,
  reservationWaitSummary,
  siteLabels,
  SUMMARY_MAX_LENGTH,
} from '../../src/workflows/summaries';
import { setupOf } from '../core/fixtures';

describe('Web UI summaries', () => {
  it('tell the wall clock of the zone, summer and winter', () => {
    assert.equal(
      localTime(Date.parse('2026-06-01T08:45:00Z'), 'Europe/Berlin'),
      '2026-06-01 10:45 Europe/Berlin',
    );
    assert.equal(
      localTime(Date.parse('2026-12-01T09:45:00Z'), 'Europe/Berlin'),
      '2026-12-01 10:45 Europe/Berlin',
    );
    assert.equal(
      reservationWaitSummary('r-5', 'opens', Date.parse('2026-03-29T08:45:00Z'), 'Europe/Berlin'),
      'until the window of reservation r-5 opens at 2026-03-29 10:45 Europe/Berlin',
    );
    assert.equal(
      reservationDoneSummary('r-5', Date.parse('2026-03-30T09:15:00Z'), 'Europe/Berlin'),
      'until reservation r-5 is done at 2026-03-30 11:15 Europe/Berlin, a day after its window closes',
    );
  });

  it('name a site by its centers, and a diff by its groups and the reasons of what it adds', () => {
    const labels = siteLabels(setupOf({ ber: { site: 's-1' }, mitte: { site: 's-1' }, nyc: { site: null } }));
    assert.deepEqual(labels, { 's-1': 'Center ber / Center mitte' });
    assert.equal(
      groupDiffSummary(labels, 's-1', ['g-room'], ['g-old'], {
        'g-room': [{ kind: 'reservation', reservationId: 'r-5', unitId: 'u-1', centerId: 'ber' }],
      }),
      'add g-room; remove g-old at Center ber / Center mitte (reservation r-5 (unit u-1 at ber))',
    );
    assert.equal(groupDiffSummary({}, 's-9', [], ['g-1'], {}), 'remove g-1 at site s-9');
    const long = groupDiffSummary(
      {},
      's-9',
      Array.from({ length: 50 }, (_, i) => `group-${i}`),
      [],
      {},
    );
    assert.equal(long.length, SUMMARY_MAX_LENGTH);
    assert.ok(long.endsWith('…'));
  });

  it('say which wait a person timer is', () => {
    const at = Date.parse('2026-06-01T22:00:00Z');
    const change = { at: '2026-06-01T22:00:00.000Z', what: 'billing b-1 ends', timeZone: 'Europe/Berlin' };
    assert.equal(
      personWaitSummary({ wakeAt: at, change, failedAttempts: 0, claimConfirmAt: null }),
      'until billing b-1 ends at 2026-06-02 00:00 Europe/Berlin',
    );
    assert.equal(
      personWaitSummary({ wakeAt: at - 1000, change, failedAttempts: 2, claimConfirmAt: null }),
      'until retry 3 of the sync with SALTO KS at 2026-06-01T21:59:59.000Z',
    );
    assert.equal(
      personWaitSummary({ wakeAt: at - 1000, change, failedAttempts: 0, claimConfirmAt: at - 1000 }),
      "until an adopted SALTO KS user's claim is read back at 2026-06-01T21:59:59.000Z",
    );
  });
});
