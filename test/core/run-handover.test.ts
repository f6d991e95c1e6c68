// The hand-over between a person's runs: a new run skips its first pass only while the access
// the last pass wrote is still due (src/core/run-handover.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayWaitAfterPass } from '../../src/core/run-handover';

const at = Date.parse('2026-12-04T10:00:00.000Z');

describe('mayWaitAfterPass', () => {
  it('passes at once unless the run before ended right after a whole pass', () => {
    assert.equal(mayWaitAfterPass(undefined, at), false, 'a first run');
    assert.equal(mayWaitAfterPass({}, at), false, 'a run carried from before 0.6.0');
    assert.equal(mayWaitAfterPass({ afterPass: false, afterPassUntil: null }, at), false, 'a pass cut short');
  });

  it('waits while the access that pass wrote has not changed by itself', () => {
    assert.equal(mayWaitAfterPass({ afterPass: true, afterPassUntil: '2026-12-04T10:00:00.001Z' }, at), true);
    assert.equal(mayWaitAfterPass({ afterPass: true, afterPassUntil: null }, at), true, 'nothing due ever');
  });

  it('passes at once when the run begins at or after the instant the access changed', () => {
    assert.equal(
      mayWaitAfterPass({ afterPass: true, afterPassUntil: '2026-12-04T10:00:00.000Z' }, at),
      false,
    );
    assert.equal(
      mayWaitAfterPass({ afterPass: true, afterPassUntil: '2026-12-04T09:14:00.000Z' }, at),
      false,
    );
  });

  it('keeps the behaviour of runs handed over before the instant was carried', () => {
    assert.equal(mayWaitAfterPass({ afterPass: true }, at), true);
  });
});
