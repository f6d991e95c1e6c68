// The catalog Deskworks tells by events, and the policy the operator patches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDesiredAccess } from '../../src/core/entitlements';
import {
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

  it('a deleted product keeps no mapping, at any center, and gives no access any more', () => {
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

  it('a deleted unit keeps no mapping, at any center', () => {
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
