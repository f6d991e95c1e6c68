// The access history's pure parts: what caused a pass, which passes are repairs, and the bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendHistory,
  HISTORY_ENTRIES_KEPT,
  isRepair,
  passCause,
  type HistoryEntry,
} from '../../src/core/access-history';

const NOW = Date.parse('2026-12-02T10:00:00Z');

describe('passCause', () => {
  it('names the events folded first, the last ten at most', () => {
    const events = Array.from({ length: 12 }, (_, i) => ({ eventId: `e${i}`, type: 'billing' }));
    const cause = passCause(events, '2026-12-01T23:00:00Z', NOW, 3);
    assert.equal(cause.kind, 'events');
    assert.deepEqual(cause.kind === 'events' && cause.events.map((e) => e.eventId), [
      'e2',
      'e3',
      'e4',
      'e5',
      'e6',
      'e7',
      'e8',
      'e9',
      'e10',
      'e11',
    ]);
  });
  it('without events: the access changing by itself once its instant has come', () => {
    assert.deepEqual(passCause([], '2026-12-02T10:00:00Z', NOW, 2), {
      kind: 'time',
      at: '2026-12-02T10:00:00Z',
    });
  });
  it('else a retry after failures, else a scheduled look', () => {
    assert.deepEqual(passCause([], '2026-12-02T11:00:00Z', NOW, 2), { kind: 'retry', attempt: 3 });
    assert.deepEqual(passCause([], null, NOW, 0), { kind: 'check', at: '2026-12-02T10:00:00.000Z' });
  });
});

describe('isRepair', () => {
  it('is a pass caused by what SALTO KS showed: a reconciliation or a resync', () => {
    for (const type of ['observed-groups', 'observed-missing', 'resync'])
      assert.equal(
        isRepair({
          kind: 'events',
          events: [
            { eventId: 'x', type: 'billing' },
            { eventId: 'y', type },
          ],
        }),
        true,
        type,
      );
    assert.equal(isRepair({ kind: 'events', events: [{ eventId: 'x', type: 'billing' }] }), false);
    assert.equal(isRepair({ kind: 'time', at: '2026-12-02T10:00:00Z' }), false);
  });
});

describe('appendHistory', () => {
  const entry = (i: number): HistoryEntry => ({
    kind: 'recovered',
    at: new Date(NOW + i).toISOString(),
    failedFor: null,
  });
  it('keeps the newest entries, newest last, within the bound', () => {
    const full = appendHistory(
      [],
      Array.from({ length: HISTORY_ENTRIES_KEPT }, (_, i) => entry(i)),
    );
    assert.equal(full.length, HISTORY_ENTRIES_KEPT);
    const next = appendHistory(full, [entry(1000), entry(1001)]);
    assert.equal(next.length, HISTORY_ENTRIES_KEPT);
    assert.deepEqual(next[0], entry(2));
    assert.deepEqual(next.slice(-2), [entry(1000), entry(1001)]);
    assert.equal(full.length, HISTORY_ENTRIES_KEPT, 'the input is left as it was');
  });
});
