// How the set-up workflow plans its fan-outs (merged batches, catch-ups for people visibility
// listed too late) and the visibility queries the fan-out activity runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setupFanOutQueries } from '../../src/activities/coordination-activities';
import {
  CATCH_UP_DELAY_MS,
  CATCH_UP_LOOKBACK_MS,
  catchUpAfter,
  mergeFanOuts,
  nextCatchUpAt,
  takeDueCatchUps,
} from '../../src/core/setup-fan-out';
import { ms } from './fixtures';

const T = ms('2026-06-01T12:00:00Z');

describe('mergeFanOuts', () => {
  it('one fan-out: the highest version, everyone if any says so, the union of centers, the earliest commit', () => {
    assert.deepEqual(
      mergeFanOuts(
        [
          { version: 3, everyone: false, centerIds: ['c2'], committedAt: T + 5 },
          { version: 5, everyone: false, centerIds: ['c1', 'c2'], committedAt: T + 9 },
          { version: 4, everyone: true, centerIds: [], committedAt: T },
        ],
        T + 20,
      ),
      { fanOut: { version: 5, everyone: true, centerIds: ['c1', 'c2'] }, committedAt: T },
    );
  });

  it('a fan-out carried over without its commit time counts as committed now', () => {
    assert.equal(mergeFanOuts([{ version: 1, everyone: false, centerIds: ['c1'] }], T).committedAt, T);
  });
});

describe('catch-up fan-outs', () => {
  it('due a delay after the fan-out, for everyone started since two minutes before the commit', () => {
    const catchUp = catchUpAfter({ version: 7, everyone: false, centerIds: ['c1'] }, T, T + 1000);
    assert.deepEqual(catchUp, {
      dueAt: T + 1000 + CATCH_UP_DELAY_MS,
      fanOut: {
        version: 7,
        everyone: false,
        centerIds: [],
        startedSince: new Date(T - CATCH_UP_LOOKBACK_MS).toISOString(),
      },
    });
    assert.equal(CATCH_UP_LOOKBACK_MS, 120_000);
  });

  it('keeps everyone (reservations re-read the lead and lag too)', () => {
    assert.equal(catchUpAfter({ version: 1, everyone: true, centerIds: [] }, T, T).fanOut.everyone, true);
  });

  it('takes the due ones merged (highest version, earliest instant) and leaves the rest waiting', () => {
    const a = catchUpAfter({ version: 1, everyone: false, centerIds: ['c1'] }, T, T);
    const b = catchUpAfter({ version: 2, everyone: true, centerIds: [] }, T + 10_000, T + 10_000);
    const c = catchUpAfter({ version: 3, everyone: false, centerIds: ['c2'] }, T + 60_000, T + 60_000);
    assert.equal(nextCatchUpAt([c, b, a]), a.dueAt);
    assert.deepEqual(takeDueCatchUps([a, b, c], b.dueAt), {
      due: {
        version: 2,
        everyone: true,
        centerIds: [],
        startedSince: new Date(T - CATCH_UP_LOOKBACK_MS).toISOString(),
      },
      waiting: [c],
    });
  });

  it('nothing due: null, everything waits', () => {
    const a = catchUpAfter({ version: 1, everyone: false, centerIds: ['c1'] }, T, T);
    assert.deepEqual(takeDueCatchUps([a], a.dueAt - 1), { due: null, waiting: [a] });
    assert.equal(nextCatchUpAt([]), null);
  });
});

describe('setupFanOutQueries', () => {
  it('a change at some centers: the running people of those centers, no reservations', () => {
    assert.deepEqual(setupFanOutQueries({ version: 2, everyone: false, centerIds: ['berlin', "o'hare"] }), {
      people:
        "WorkflowType = 'personWorkflow' AND ExecutionStatus = 'Running' AND DeskworksCenterIds IN ('berlin', 'o''hare')",
      reservations: null,
    });
  });

  it('a policy change: every running person and reservation', () => {
    assert.deepEqual(setupFanOutQueries({ version: 2, everyone: true, centerIds: [] }), {
      people: "WorkflowType = 'personWorkflow' AND ExecutionStatus = 'Running'",
      reservations: "WorkflowType = 'reservationWorkflow' AND ExecutionStatus = 'Running'",
    });
  });

  it('a catch-up: everyone started since the instant, whatever their centers', () => {
    assert.deepEqual(
      setupFanOutQueries({
        version: 2,
        everyone: false,
        centerIds: ['berlin'],
        startedSince: '2026-06-01T11:58:00.000Z',
      }),
      {
        people:
          "WorkflowType = 'personWorkflow' AND ExecutionStatus = 'Running' AND StartTime >= '2026-06-01T11:58:00.000Z'",
        reservations: null,
      },
    );
    assert.equal(
      setupFanOutQueries({
        version: 2,
        everyone: true,
        centerIds: [],
        startedSince: '2026-06-01T11:58:00.000Z',
      }).reservations,
      "WorkflowType = 'reservationWorkflow' AND ExecutionStatus = 'Running' AND StartTime >= '2026-06-01T11:58:00.000Z'",
    );
  });
});
