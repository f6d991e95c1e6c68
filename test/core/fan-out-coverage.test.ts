// When a pass that makes no call may skip reading the set-up after it: only when the set-up
// workflow's fan-out is sure to reach the person (src/core/fan-out-coverage.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  centersKey,
  fanOutReaches,
  newFanOutCoverage,
  noteConfirmed,
  notePublished,
  type FanOutCoverage,
} from '../../src/core/fan-out-coverage';
import { CATCH_UP_DELAY_MS } from '../../src/core/setup-fan-out';

const BERLIN = centersKey(['berlin']);
const BOTH = centersKey(['berlin', 'brooklyn']);
const T0 = Date.parse('2026-12-07T10:00:00Z');

/** Published at T0, then found current a while later. */
function settled(centers: string): FanOutCoverage {
  return noteConfirmed(notePublished(newFanOutCoverage(), centers, T0), T0 + CATCH_UP_DELAY_MS);
}

describe('whether a newer set-up reaches a person by fan-out', () => {
  it('yes: the set-up was found current once visibility listed these very centers, unchanged since', () => {
    assert.equal(fanOutReaches(settled(BERLIN), BERLIN, false), true);
    assert.equal(fanOutReaches(settled(centersKey([])), centersKey([]), false), true);
    // Publishing the same centers again changes nothing.
    assert.equal(fanOutReaches(notePublished(settled(BERLIN), BERLIN, T0 + 90_000), BERLIN, false), true);
  });

  it('no: never found current in this run (a start, a new run), or before anything was published', () => {
    assert.equal(fanOutReaches(notePublished(newFanOutCoverage(), BERLIN, T0), BERLIN, false), false);
    assert.equal(fanOutReaches(noteConfirmed(newFanOutCoverage(), T0), centersKey([]), false), false);
  });

  it('no: found current too soon after the centers were published for visibility to list them', () => {
    const soon = noteConfirmed(notePublished(newFanOutCoverage(), BERLIN, T0), T0 + CATCH_UP_DELAY_MS - 1);
    assert.equal(fanOutReaches(soon, BERLIN, false), false);
    // A later confirmation counts.
    assert.equal(fanOutReaches(noteConfirmed(soon, T0 + CATCH_UP_DELAY_MS), BERLIN, false), true);
  });

  it('no: the person now touches a center it has not published (the fan-out lists it by the old ones)', () => {
    assert.equal(fanOutReaches(settled(BERLIN), BOTH, false), false);
  });

  it('no: the centers changed after the set-up was found current, even when they are back now', () => {
    const moved = notePublished(settled(BERLIN), BOTH, T0 + 60_000);
    assert.equal(fanOutReaches(moved, BOTH, false), false);
    // Brooklyn was published and taken back: a change at Brooklyn in between was told only to
    // the people listed there then, and this person's next pass has it back.
    const back = notePublished(moved, BERLIN, T0 + 61_000);
    assert.equal(fanOutReaches(back, BERLIN, false), false);
    assert.equal(fanOutReaches(notePublished(back, BOTH, T0 + 62_000), BOTH, false), false);
  });

  it('no: the pass folded news of a set-up change (a set-up workflow started again reuses versions)', () => {
    assert.equal(fanOutReaches(settled(BERLIN), BERLIN, true), false);
  });

  it('compares centers whatever their order', () => {
    assert.equal(centersKey(['brooklyn', 'berlin']), centersKey(['berlin', 'brooklyn']));
    assert.notEqual(centersKey(['berlin']), centersKey(['berlin', 'brooklyn']));
  });
});
