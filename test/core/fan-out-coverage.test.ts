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
  RELIANCE_MS,
  type FanOutCoverage,
} from '../../src/core/fan-out-coverage';
import { CATCH_UP_DELAY_MS } from '../../src/core/setup-fan-out';

const BERLIN = centersKey(['berlin']);
const BOTH = centersKey(['berlin', 'brooklyn']);
const T0 = Date.parse('2026-12-07T10:00:00Z');

/** Whether it reaches the person in a pass that begins a minute after T0 (or at `now`). */
const reaches = (coverage: FanOutCoverage, centers: string, news = false, now = T0 + 60_000): boolean =>
  fanOutReaches(coverage, centers, now, news);

/** Published at T0, then found current a while later. */
function settled(centers: string): FanOutCoverage {
  return noteConfirmed(notePublished(newFanOutCoverage(), centers, T0), T0 + CATCH_UP_DELAY_MS);
}

describe('whether a newer set-up reaches a person by fan-out', () => {
  it('yes: the set-up was found current once visibility listed these very centers, unchanged since', () => {
    assert.equal(reaches(settled(BERLIN), BERLIN), true);
    assert.equal(reaches(settled(centersKey([])), centersKey([])), true);
    // Publishing the same centers again changes nothing.
    assert.equal(reaches(notePublished(settled(BERLIN), BERLIN, T0 + 90_000), BERLIN), true);
  });

  it('no: never found current in this run (a start, a new run), or before anything was published', () => {
    assert.equal(reaches(notePublished(newFanOutCoverage(), BERLIN, T0), BERLIN), false);
    assert.equal(reaches(noteConfirmed(newFanOutCoverage(), T0), centersKey([])), false);
  });

  it('no: found current too soon after the centers were published for visibility to list them', () => {
    const soon = noteConfirmed(notePublished(newFanOutCoverage(), BERLIN, T0), T0 + CATCH_UP_DELAY_MS - 1);
    assert.equal(reaches(soon, BERLIN), false);
    // A later confirmation counts.
    assert.equal(reaches(noteConfirmed(soon, T0 + CATCH_UP_DELAY_MS), BERLIN), true);
  });

  it('no: the person now touches a center it has not published (the fan-out lists it by the old ones)', () => {
    assert.equal(reaches(settled(BERLIN), BOTH), false);
  });

  it('no: the centers changed after the set-up was found current, even when they are back now', () => {
    const moved = notePublished(settled(BERLIN), BOTH, T0 + 60_000);
    assert.equal(reaches(moved, BOTH), false);
    // Brooklyn was published and taken back: a change at Brooklyn in between was told only to
    // the people listed there then, and this person's next pass has it back.
    const back = notePublished(moved, BERLIN, T0 + 61_000);
    assert.equal(reaches(back, BERLIN), false);
    assert.equal(reaches(notePublished(back, BOTH, T0 + 62_000), BOTH), false);
  });

  it('no: news of a set-up change came, a duplicate too (a set-up workflow started again reuses versions)', () => {
    assert.equal(reaches(settled(BERLIN), BERLIN, true), false);
  });

  it('no: the confirmation is older than RELIANCE_MS (a reset no fan-out announces is read in time)', () => {
    const confirmedAt = T0 + CATCH_UP_DELAY_MS;
    assert.equal(reaches(settled(BERLIN), BERLIN, false, confirmedAt + RELIANCE_MS), true);
    assert.equal(reaches(settled(BERLIN), BERLIN, false, confirmedAt + RELIANCE_MS + 1), false);
  });

  it('compares centers whatever their order', () => {
    assert.equal(centersKey(['brooklyn', 'berlin']), centersKey(['berlin', 'brooklyn']));
    assert.notEqual(centersKey(['berlin']), centersKey(['berlin', 'brooklyn']));
  });
});
