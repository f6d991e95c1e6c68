// The catalog Deskworks tells by events, and the policy the operator patches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDesiredAccess } from '../../src/core/entitlements';
import {
  catalogDeletionCenters,
  emptySetup,
  removeCatalogProduct,
  removeCatalogUnit,
  setPolicy,
  upsertCatalogCenter,
  upsertCatalogProduct,
  upsertCatalogUnit,
  type PolicyPatch,
  type SetupEditResult,
  type SetupProblem,
} from '../../src/core/setup-rules';
import type { Setup } from '../../src/core/types';
import { billing, ms, person, setupOf } from './fixtures';

function accepted(result: SetupEditResult): Setup {
  if (!result.ok) assert.fail(`expected the edit to pass, got ${JSON.stringify(result.problems)}`);
  return result.setup;
}

function problemsOf(result: SetupEditResult): SetupProblem[] {
  if (result.ok) assert.fail('expected the edit to be rejected');
  return result.problems;
}

describe('upsertCatalogCenter (center.updated)', () => {
  it('a new center: name and canonical zone, no site yet', () => {
    const after = accepted(
      upsertCatalogCenter(emptySetup(15, 15), { id: 'c1', name: 'Mitte', timeZone: 'EUROPE/BERLIN' }),
    );
    assert.deepEqual(after.centers.c1, {
      id: 'c1',
      name: 'Mitte',
      timeZone: 'Europe/Berlin',
      saltoSiteId: null,
      products: {},
      reservationUnits: {},
    });
    assert.equal(after.version, 1);
  });

  it('an update keeps the operator’s site and mappings', () => {
    const before = setupOf({
      c1: { site: 's1', timeZone: 'UTC', products: { p: ['g'] }, units: { u: ['h'] } },
    });
    const after = accepted(
      upsertCatalogCenter(before, { id: 'c1', name: 'New name', timeZone: 'Asia/Tokyo' }),
    );
    assert.deepEqual(after.centers.c1, {
      ...before.centers.c1,
      name: 'New name',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('the same center again (a retried event) changes nothing', () => {
    const once = accepted(
      upsertCatalogCenter(emptySetup(15, 15), { id: 'c1', name: 'Mitte', timeZone: 'UTC' }),
    );
    assert.deepEqual(upsertCatalogCenter(once, { id: 'c1', name: 'Mitte', timeZone: 'UTC' }), {
      ok: true,
      changed: false,
      setup: once,
    });
  });

  const rejections: [string, { id: string; name: string; timeZone: string }, SetupProblem[]][] = [
    [
      'a zone that is not IANA',
      { id: 'c1', name: 'Mitte', timeZone: 'Berlin' },
      [{ field: 'timeZone', message: '"Berlin" is not an IANA time zone' }],
    ],
    [
      'a blank name',
      { id: 'c1', name: '', timeZone: 'UTC' },
      [{ field: 'name', message: 'name must not be blank' }],
    ],
    [
      'an empty id',
      { id: '', name: 'Mitte', timeZone: 'UTC' },
      [{ field: 'id', message: 'Center id must be a non-empty string' }],
    ],
  ];
  for (const [why, center, problems] of rejections) {
    it(`rejects ${why}`, () =>
      assert.deepEqual(problemsOf(upsertCatalogCenter(emptySetup(15, 15), center)), problems));
  }
});

const itemUpserts = [
  {
    name: 'upsertCatalogProduct (product.updated)',
    upsert: upsertCatalogProduct,
    kind: 'products',
    what: 'Product',
  },
  {
    name: 'upsertCatalogUnit (reservation_unit.updated)',
    upsert: upsertCatalogUnit,
    kind: 'reservationUnits',
    what: 'Reservation unit',
  },
] as const;

for (const { name, upsert, kind, what } of itemUpserts) {
  describe(name, () => {
    it('a new item, at a center not yet known: the center appears without a site, the item unmapped', () => {
      const after = accepted(upsert(emptySetup(15, 15), { id: 'x', centerId: 'c1', name: 'Hot desk' }));
      assert.deepEqual(after.centers.c1?.saltoSiteId, null);
      assert.deepEqual(after.centers.c1?.[kind], { x: { name: 'Hot desk', accessGroupIds: [] } });
    });

    it('a renamed item keeps its groups', () => {
      const before = setupOf({ c1: { site: 's1', products: { x: ['g1'] }, units: { x: ['g1'] } } });
      const after = accepted(upsert(before, { id: 'x', centerId: 'c1', name: 'Renamed' }));
      assert.deepEqual(after.centers.c1?.[kind].x, { name: 'Renamed', accessGroupIds: ['g1'] });
    });

    it('only the item’s own center is touched', () => {
      const before = setupOf({ c1: { site: 's1' }, c2: { site: 's2' } });
      const after = accepted(upsert(before, { id: 'x', centerId: 'c2', name: 'X' }));
      assert.deepEqual(after.centers.c1, before.centers.c1);
    });

    it('a retried event changes nothing', () => {
      const once = accepted(upsert(emptySetup(15, 15), { id: 'x', centerId: 'c1', name: 'X' }));
      assert.equal(accepted(upsert(once, { id: 'x', centerId: 'c1', name: 'X' })), once);
    });

    const rejections: [string, { id: string; centerId: string; name: string }, SetupProblem[]][] = [
      [
        'an empty id',
        { id: '', centerId: 'c1', name: 'X' },
        [{ field: 'id', message: `${what} id must be a non-empty string` }],
      ],
      [
        'an empty center id',
        { id: 'x', centerId: '', name: 'X' },
        [{ field: 'centerId', message: 'Center id must be a non-empty string' }],
      ],
      [
        'a blank name',
        { id: 'x', centerId: 'c1', name: ' ' },
        [{ field: 'name', message: 'name must not be blank' }],
      ],
    ];
    for (const [why, item, problems] of rejections) {
      it(`rejects ${why}`, () => assert.deepEqual(problemsOf(upsert(emptySetup(15, 15), item)), problems));
    }
  });
}

describe('removeCatalogProduct / removeCatalogUnit (product.deleted, reservation_unit.deleted)', () => {
  const before = setupOf({
    c1: { site: 's1', timeZone: 'UTC', products: { p: ['g1'], q: ['g2'] }, units: { u: ['h1'] } },
    c2: { site: 's2', timeZone: 'UTC', products: { p: ['g9'] }, units: { u: ['h9'], v: ['h8'] } },
  });

  // These set-ups were built by hand (or carried over from before the catalog was remembered):
  // no catalog event named any item, so a deletion has nothing to tell its center by.
  it('named by no catalog event: a deleted product keeps no mapping, at any center, and gives no access any more', () => {
    const after = accepted(removeCatalogProduct(before, 'p'));
    assert.deepEqual(Object.keys(after.centers.c1!.products), ['q']);
    assert.deepEqual(after.centers.c2!.products, {});
    assert.deepEqual(after.centers.c1!.reservationUnits, before.centers.c1!.reservationUnits);
    const member = person({ billings: [billing({ centerId: 'c1', productId: 'p' })] });
    assert.deepEqual(computeDesiredAccess(member, before, ms('2026-06-01T00:00:00Z')).groups, { s1: ['g1'] });
    assert.deepEqual(computeDesiredAccess(member, after, ms('2026-06-01T00:00:00Z')).groups, {});
  });

  it('a product created again after its deletion starts unmapped', () => {
    const deleted = accepted(removeCatalogProduct(before, 'p'));
    const back = accepted(upsertCatalogProduct(deleted, { id: 'p', centerId: 'c1', name: 'Back' }));
    assert.deepEqual(back.centers.c1?.products.p, { name: 'Back', accessGroupIds: [] });
  });

  it('named by no catalog event: a deleted unit keeps no mapping, at any center', () => {
    const after = accepted(removeCatalogUnit(before, 'u'));
    assert.deepEqual(after.centers.c1!.reservationUnits, {});
    assert.deepEqual(Object.keys(after.centers.c2!.reservationUnits), ['v']);
    assert.deepEqual(after.centers.c1!.products, before.centers.c1!.products);
  });

  it('deleting what is not there (or a retried deletion) changes nothing', () => {
    assert.deepEqual(removeCatalogProduct(before, 'zz'), { ok: true, changed: false, setup: before });
    assert.deepEqual(removeCatalogUnit(before, 'zz'), { ok: true, changed: false, setup: before });
  });

  it('rejects an empty id', () => {
    assert.deepEqual(problemsOf(removeCatalogProduct(before, '')), [
      { field: 'id', message: 'Product id must be a non-empty string' },
    ]);
    assert.deepEqual(problemsOf(removeCatalogUnit(before, '')), [
      { field: 'id', message: 'Reservation unit id must be a non-empty string' },
    ]);
  });
});

const itemDeletions = [
  { kind: 'products', upsert: upsertCatalogProduct, remove: removeCatalogProduct },
  { kind: 'reservationUnits', upsert: upsertCatalogUnit, remove: removeCatalogUnit },
] as const;

for (const { kind, upsert, remove } of itemDeletions) {
  describe(`a ${kind} deletion applies at the centers the catalog named the item (docs/setup-deletions.md)`, () => {
    // x is offered at c1 (a catalog event said so) and mapped by hand at c2 under the same id.
    const handMapped = setupOf({
      c1: { site: 's1', timeZone: 'UTC', products: { x: ['g1'] }, units: { x: ['g1'] } },
      c2: { site: 's2', timeZone: 'UTC', products: { x: ['g2'] }, units: { x: ['g2'] } },
    });
    const named = accepted(upsert(handMapped, { id: 'x', centerId: 'c1', name: 'X' }));

    it('the catalog event is remembered at its center only', () => {
      assert.deepEqual(named.centers.c1?.catalog, { [kind]: ['x'] });
      assert.equal(named.centers.c2?.catalog, undefined);
      assert.deepEqual(catalogDeletionCenters(named, kind, 'x'), ['c1']);
      assert.deepEqual(catalogDeletionCenters(handMapped, kind, 'x'), ['c1', 'c2']);
    });

    it('removes the item and its mapping at the catalog center; the hand-made mapping elsewhere stays', () => {
      const after = accepted(remove(named, 'x'));
      assert.equal(after.centers.c1?.[kind].x, undefined);
      assert.deepEqual(after.centers.c2?.[kind].x?.accessGroupIds, ['g2']);
      assert.deepEqual(after.centers.c2?.[kind].x, handMapped.centers.c2?.[kind].x);
      assert.equal(after.version, named.version + 1);
    });

    it('a repeated deletion reaches no further than the first', () => {
      const once = accepted(remove(named, 'x'));
      assert.deepEqual(remove(once, 'x'), { ok: true, changed: false, setup: once });
    });

    it('named at two centers: removed at both, and nowhere else', () => {
      const three = setupOf({
        c1: { site: 's1', products: { x: ['g1'] }, units: { x: ['g1'] } },
        c2: { site: 's2', products: { x: ['g2'] }, units: { x: ['g2'] } },
        c3: { site: 's3', products: { x: ['g3'] }, units: { x: ['g3'] } },
      });
      const both = accepted(
        upsert(accepted(upsert(three, { id: 'x', centerId: 'c1', name: 'X' })), {
          id: 'x',
          centerId: 'c3',
          name: 'X',
        }),
      );
      const after = accepted(remove(both, 'x'));
      assert.deepEqual(
        Object.keys(after.centers).filter((c) => after.centers[c]?.[kind].x),
        ['c2'],
      );
    });

    it('created again at its center after the deletion: back, unmapped', () => {
      const back = accepted(upsert(accepted(remove(named, 'x')), { id: 'x', centerId: 'c1', name: 'Back' }));
      assert.deepEqual(back.centers.c1?.[kind].x, { name: 'Back', accessGroupIds: [] });
      assert.deepEqual(back.centers.c2?.[kind].x, handMapped.centers.c2?.[kind].x);
    });

    it('the edits never change the set-up they were given', () => {
      const copy = structuredClone(named);
      accepted(remove(named, 'x'));
      accepted(upsert(named, { id: 'y', centerId: 'c1', name: 'Y' }));
      assert.deepEqual(named, copy);
    });
  });
}

describe('setPolicy', () => {
  const base = emptySetup(15, 15);
  const valid: [PolicyPatch, Partial<Setup>][] = [
    [{ noAccessPolicy: 'block' }, { noAccessPolicy: 'block' }],
    [{ noAccessPolicy: 'delete' }, { noAccessPolicy: 'delete' }],
    [{ reservationLeadMinutes: 0 }, { reservationLeadMinutes: 0 }],
    [{ reservationLagMinutes: 1440 }, { reservationLagMinutes: 1440 }],
    [
      { noAccessPolicy: 'block', reservationLeadMinutes: 30, reservationLagMinutes: 5 },
      { noAccessPolicy: 'block', reservationLeadMinutes: 30, reservationLagMinutes: 5 },
    ],
  ];
  for (const [patch, expected] of valid) {
    it(`applies ${JSON.stringify(patch)} as the next version`, () => {
      assert.deepEqual(setPolicy(base, patch), {
        ok: true,
        changed: true,
        setup: { ...base, ...expected, version: 1 },
      });
    });
  }

  it('an empty patch, or the values already held, change nothing', () => {
    assert.deepEqual(setPolicy(base, {}), { ok: true, changed: false, setup: base });
    assert.deepEqual(setPolicy(base, { noAccessPolicy: 'keep', reservationLeadMinutes: 15 }), {
      ok: true,
      changed: false,
      setup: base,
    });
  });

  const invalid: [string, PolicyPatch, SetupProblem[]][] = [
    [
      'an unknown policy',
      { noAccessPolicy: 'archive' as PolicyPatch['noAccessPolicy'] },
      [
        {
          field: 'noAccessPolicy',
          message: 'noAccessPolicy must be one of keep, block, delete (got "archive")',
        },
      ],
    ],
    [
      'a negative lead',
      { reservationLeadMinutes: -1 },
      [
        {
          field: 'reservationLeadMinutes',
          message: 'reservationLeadMinutes must be a whole number of minutes from 0 to 1440 (got -1)',
        },
      ],
    ],
    [
      'a lag over a day',
      { reservationLagMinutes: 1441 },
      [
        {
          field: 'reservationLagMinutes',
          message: 'reservationLagMinutes must be a whole number of minutes from 0 to 1440 (got 1441)',
        },
      ],
    ],
    [
      'a fractional lead',
      { reservationLeadMinutes: 7.5 },
      [
        {
          field: 'reservationLeadMinutes',
          message: 'reservationLeadMinutes must be a whole number of minutes from 0 to 1440 (got 7.5)',
        },
      ],
    ],
    [
      'a lag given as text',
      { reservationLagMinutes: '15' as unknown as number },
      [
        {
          field: 'reservationLagMinutes',
          message: 'reservationLagMinutes must be a whole number of minutes from 0 to 1440 (got "15")',
        },
      ],
    ],
    [
      'several at once; nothing is applied',
      { noAccessPolicy: 'block', reservationLeadMinutes: Number.NaN, reservationLagMinutes: -5 },
      [
        {
          field: 'reservationLeadMinutes',
          message: 'reservationLeadMinutes must be a whole number of minutes from 0 to 1440 (got NaN)',
        },
        {
          field: 'reservationLagMinutes',
          message: 'reservationLagMinutes must be a whole number of minutes from 0 to 1440 (got -5)',
        },
      ],
    ],
  ];
  for (const [why, patch, problems] of invalid) {
    it(`rejects ${why}`, () => assert.deepEqual(problemsOf(setPolicy(base, patch)), problems));
  }
});
