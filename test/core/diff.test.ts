// Desired against applied groups: normalization, the per-site diff, and equality.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffSiteGroups, normalizeSiteGroups, revokesAny, sameSiteGroups } from '../../src/core/diff';
import type { SiteGroupDiff, SiteGroups } from '../../src/core/types';

describe('normalizeSiteGroups', () => {
  const cases: [string, SiteGroups, SiteGroups][] = [
    ['empty', {}, {}],
    ['sorts groups', { s1: ['g3', 'g1', 'g2'] }, { s1: ['g1', 'g2', 'g3'] }],
    ['drops duplicates', { s1: ['g1', 'g1', 'g2', 'g1'] }, { s1: ['g1', 'g2'] }],
    ['drops empty sites', { s1: [], s2: ['g1'] }, { s2: ['g1'] }],
    ['orders sites', { s2: ['a'], s1: ['b'] }, { s1: ['b'], s2: ['a'] }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const normalized = normalizeSiteGroups(input);
      assert.deepEqual(normalized, expected);
      assert.deepEqual(Object.keys(normalized), Object.keys(expected));
    });
  }
  it('leaves its input alone', () => {
    const input = { s1: ['g2', 'g1'] };
    normalizeSiteGroups(input);
    assert.deepEqual(input, { s1: ['g2', 'g1'] });
  });
});

describe('diffSiteGroups', () => {
  const cases: [string, SiteGroups, SiteGroups, Record<string, SiteGroupDiff>][] = [
    ['nothing on either side', {}, {}, {}],
    ['in sync', { s1: ['g1', 'g2'] }, { s1: ['g2', 'g1'] }, {}],
    ['first grant', { s1: ['g1'] }, {}, { s1: { add: ['g1'], remove: [] } }],
    ['all access gone', {}, { s1: ['g1', 'g2'] }, { s1: { add: [], remove: ['g1', 'g2'] } }],
    [
      'add and remove on one site, the common group untouched',
      { s1: ['g1', 'g3'] },
      { s1: ['g1', 'g2'] },
      { s1: { add: ['g3'], remove: ['g2'] } },
    ],
    [
      'several sites, one in sync (left out)',
      { s1: ['g1'], s2: ['h2'], s3: ['k1'] },
      { s1: ['g1'], s2: ['h1'], s4: ['m1'] },
      {
        s2: { add: ['h2'], remove: ['h1'] },
        s3: { add: ['k1'], remove: [] },
        s4: { add: [], remove: ['m1'] },
      },
    ],
    [
      'duplicates, order and empty sites do not count',
      { s1: ['g2', 'g1', 'g2'], s2: [] },
      { s1: ['g1'], s2: [] },
      { s1: { add: ['g2'], remove: [] } },
    ],
    [
      'sorted results',
      { s1: ['c', 'a', 'b'] },
      { s1: ['z', 'y'] },
      { s1: { add: ['a', 'b', 'c'], remove: ['y', 'z'] } },
    ],
  ];
  for (const [name, desired, applied, expected] of cases) {
    it(name, () => {
      const diff = diffSiteGroups(desired, applied);
      assert.deepEqual(diff, expected);
      assert.deepEqual(Object.keys(diff), Object.keys(expected).sort());
    });
  }
});

describe('sameSiteGroups', () => {
  const cases: [string, SiteGroups, SiteGroups, boolean][] = [
    ['both empty', {}, {}, true],
    ['empty site equals no site', { s1: [] }, {}, true],
    ['order and duplicates', { s1: ['b', 'a', 'a'] }, { s1: ['a', 'b'] }, true],
    ['one group more', { s1: ['a', 'b'] }, { s1: ['a'] }, false],
    ['same groups on another site', { s1: ['a'] }, { s2: ['a'] }, false],
  ];
  for (const [name, a, b, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      assert.equal(sameSiteGroups(a, b), expected);
      assert.equal(sameSiteGroups(b, a), expected);
    });
  }
});

describe('revokesAny', () => {
  it('is true when any site loses any group, and only then', () => {
    const cases: [SiteGroups, SiteGroups, boolean][] = [
      [{}, {}, false],
      [{}, { s1: ['a'] }, false], // a grant only
      [{ s1: ['a'] }, { s1: ['a', 'b'], s2: ['c'] }, false],
      [{ s1: ['a', 'b'] }, { s1: ['a'] }, true],
      [{ s1: ['a'] }, {}, true], // the whole site goes
      [{ s1: ['a'], s2: ['b'] }, { s1: ['a', 'c'] }, true], // a grant elsewhere does not hide it
      [{ s1: ['b', 'a'] }, { s1: ['a', 'b', 'b'] }, false], // order and duplicates do not count
    ];
    for (const [from, to, expected] of cases)
      assert.equal(revokesAny(from, to), expected, `${JSON.stringify(from)} → ${JSON.stringify(to)}`);
  });
});
