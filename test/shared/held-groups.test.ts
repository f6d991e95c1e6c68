// The SaltoHeldGroups keywords read back per site: the reconciliation compares them with what
// SALTO KS shows, so a site or group id with a slash, a percent sign or a quote must come back
// whole, and another site's groups, even one whose id starts the same, must not come in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupsHeldOn, heldGroupKeywords } from '../../src/shared/held-groups';

describe('held groups by site', () => {
  it('gives back each site’s groups, decoded and sorted, whatever characters the ids hold', () => {
    const keywords = heldGroupKeywords({
      'site/a': ['g%2', "o'brien", 'a/b'],
      site: ['x'],
      'site/ab': ['y'],
    });
    assert.deepEqual(groupsHeldOn(keywords, 'site/a'), ['a/b', 'g%2', "o'brien"]);
    assert.deepEqual(groupsHeldOn(keywords, 'site'), ['x']);
    assert.deepEqual(groupsHeldOn(keywords, 'site/ab'), ['y']);
    assert.deepEqual(groupsHeldOn(keywords, 'other'), []);
    assert.deepEqual(groupsHeldOn([], 'site'), []);
  });
});
