// Who must reconcile after a set-up change (rule 7), and the set-up as GET /api/setup shows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  centerToApiView,
  emptySetup,
  mappedItemToApiView,
  removeCatalogProduct,
  setCenterSite,
  setPolicy,
  setProductGroups,
  setupChangeScope,
  setupToApiView,
  sitesToCheck,
  upsertCatalogCenter,
  upsertCatalogProduct,
  withMissingGroups,
  type SetupEditResult,
} from '../../src/core/setup-rules';
import type { Setup } from '../../src/core/types';
import { setupOf, type CenterSpec } from './fixtures';

function accepted(result: SetupEditResult): Setup {
  if (!result.ok) assert.fail(`expected the edit to pass, got ${JSON.stringify(result.problems)}`);
  return result.setup;
}

const base: Record<string, CenterSpec> = {
  berlin: {
    site: 'site-a',
    timeZone: 'Europe/Berlin',
    products: { desk: ['g1', 'g2'], office: [] },
    units: { room: ['g3'] },
  },
  tokyo: { site: 'site-b', timeZone: 'Asia/Tokyo', products: { desk: ['t1'] } },
  bare: { site: null, timeZone: 'UTC', products: { desk: ['x'] } },
};
const before = setupOf(base);

function withCenter(id: string, spec: CenterSpec): Setup {
  return setupOf({ ...base, [id]: spec });
}

describe('setupChangeScope', () => {
  const cases: [string, Setup, { everyone: boolean; centerIds: string[] }][] = [
    ['nothing changed', setupOf(base, 7), { everyone: false, centerIds: [] }],
    ['the no-access policy', { ...before, noAccessPolicy: 'block' }, { everyone: true, centerIds: [] }],
    ['the reservation lead', { ...before, reservationLeadMinutes: 30 }, { everyone: true, centerIds: [] }],
    ['the reservation lag', { ...before, reservationLagMinutes: 0 }, { everyone: true, centerIds: [] }],
    [
      'a product’s groups at one center (the same product id elsewhere is not affected)',
      withCenter('berlin', { ...base.berlin!, products: { desk: ['g1'], office: [] } }),
      { everyone: false, centerIds: ['berlin'] },
    ],
    [
      'a unit’s groups',
      withCenter('berlin', { ...base.berlin!, units: { room: ['g3', 'g4'] } }),
      { everyone: false, centerIds: ['berlin'] },
    ],
    [
      'a new mapping for an unmapped product',
      withCenter('berlin', { ...base.berlin!, products: { desk: ['g1', 'g2'], office: ['g5'] } }),
      { everyone: false, centerIds: ['berlin'] },
    ],
    [
      'a mapped product removed',
      withCenter('tokyo', { ...base.tokyo!, products: {} }),
      { everyone: false, centerIds: ['tokyo'] },
    ],
    [
      'an unmapped product removed',
      withCenter('berlin', { ...base.berlin!, products: { desk: ['g1', 'g2'] } }),
      { everyone: false, centerIds: [] },
    ],
    [
      'only the order of groups',
      withCenter('berlin', { ...base.berlin!, products: { desk: ['g2', 'g1'], office: [] } }),
      { everyone: false, centerIds: [] },
    ],
    [
      'a center’s site',
      withCenter('tokyo', { ...base.tokyo!, site: 'site-c' }),
      { everyone: false, centerIds: ['tokyo'] },
    ],
    [
      'a site given to a center that had none',
      withCenter('bare', { ...base.bare!, site: 'site-c' }),
      { everyone: false, centerIds: ['bare'] },
    ],
    [
      'a center’s zone (billing days start at another instant)',
      withCenter('tokyo', { ...base.tokyo!, timeZone: 'Asia/Seoul' }),
      { everyone: false, centerIds: ['tokyo'] },
    ],
    [
      'the zone or mappings of a center without a site (they give nothing)',
      withCenter('bare', { site: null, timeZone: 'Asia/Seoul', products: { desk: ['y'] } }),
      { everyone: false, centerIds: [] },
    ],
    [
      'a new center without a site',
      withCenter('paris', { site: null, timeZone: 'Europe/Paris' }),
      { everyone: false, centerIds: [] },
    ],
    [
      'two centers and the policy',
      {
        ...setupOf({
          ...base,
          tokyo: { ...base.tokyo!, site: 'site-c' },
          berlin: { ...base.berlin!, units: {} },
        }),
        noAccessPolicy: 'delete',
      },
      { everyone: true, centerIds: ['berlin', 'tokyo'] },
    ],
  ];
  for (const [what, after, scope] of cases) {
    it(`${what}: ${scope.everyone ? 'everyone' : `[${scope.centerIds.join(', ')}]`}`, () => {
      assert.deepEqual(setupChangeScope(before, after), scope);
    });
  }

  it('names alone reach no one', () => {
    const renamed = structuredClone(before);
    renamed.centers.berlin!.name = 'Renamed';
    renamed.centers.berlin!.products.desk!.name = 'Renamed desk';
    assert.deepEqual(setupChangeScope(before, renamed), { everyone: false, centerIds: [] });
  });

  it('follows the edits the set-up workflow makes', () => {
    const sites = ['site-a', 'site-b', 'site-c'];
    const steps: [string, (s: Setup) => SetupEditResult, { everyone: boolean; centerIds: string[] }][] = [
      [
        'catalog center',
        (s) => upsertCatalogCenter(s, { id: 'c1', name: 'One', timeZone: 'UTC' }),
        { everyone: false, centerIds: [] },
      ],
      [
        'catalog product',
        (s) => upsertCatalogProduct(s, { id: 'p', centerId: 'c1', name: 'P' }),
        { everyone: false, centerIds: [] },
      ],
      [
        'site',
        (s) => setCenterSite(s, 'c1', { saltoSiteId: 'site-a' }, sites),
        { everyone: false, centerIds: ['c1'] },
      ],
      [
        'groups',
        (s) => setProductGroups(s, 'c1', 'p', { accessGroupIds: ['g1'] }, ['g1']),
        { everyone: false, centerIds: ['c1'] },
      ],
      [
        'rename',
        (s) => upsertCatalogProduct(s, { id: 'p', centerId: 'c1', name: 'P2' }),
        { everyone: false, centerIds: [] },
      ],
      ['deletion', (s) => removeCatalogProduct(s, 'p'), { everyone: false, centerIds: ['c1'] }],
      ['policy', (s) => setPolicy(s, { noAccessPolicy: 'block' }), { everyone: true, centerIds: [] }],
    ];
    let setup = emptySetup(15, 15);
    for (const [step, edit, scope] of steps) {
      const next = accepted(edit(setup));
      assert.deepEqual(setupChangeScope(setup, next), scope, step);
      setup = next;
    }
    assert.equal(setup.version, steps.length);
  });
});

describe('setupToApiView', () => {
  it('the GET /api/setup shape: centers, products and units as arrays sorted by id, unknowns as null', () => {
    const setup = setupOf({
      zurich: { site: null, products: { z: ['g2', 'g1'], a: [] }, units: { u2: [], u1: ['g9'] } },
      amsterdam: { site: 'site-a', timeZone: 'Europe/Amsterdam' },
    });
    delete setup.centers.zurich!.name;
    delete setup.centers.zurich!.products.a!.name;
    const view = setupToApiView({
      ...setup,
      noAccessPolicy: 'block',
      reservationLeadMinutes: 10,
      reservationLagMinutes: 5,
    });
    assert.deepEqual(view, {
      centers: [
        {
          id: 'amsterdam',
          name: 'Center amsterdam',
          timeZone: 'Europe/Amsterdam',
          saltoSiteId: 'site-a',
          products: [],
          reservationUnits: [],
        },
        {
          id: 'zurich',
          name: null,
          timeZone: null,
          saltoSiteId: null,
          products: [
            { id: 'a', name: null, accessGroupIds: [] },
            { id: 'z', name: 'name of z', accessGroupIds: ['g1', 'g2'] },
          ],
          reservationUnits: [
            { id: 'u1', name: 'name of u1', accessGroupIds: ['g9'] },
            { id: 'u2', name: 'name of u2', accessGroupIds: [] },
          ],
        },
      ],
      noAccessPolicy: 'block',
      reservationLeadMinutes: 10,
      reservationLagMinutes: 5,
      version: 1,
    });
  });

  it('the empty set-up', () => {
    assert.deepEqual(setupToApiView(emptySetup(15, 15)), {
      centers: [],
      noAccessPolicy: 'keep',
      reservationLeadMinutes: 15,
      reservationLagMinutes: 15,
      version: 0,
    });
  });

  it('survives JSON unchanged (what the API sends is what it holds)', () => {
    const view = setupToApiView(before);
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
  });

  it('one center and one mapping, as their PUT answers show them', () => {
    assert.deepEqual(centerToApiView(before.centers.tokyo!), {
      id: 'tokyo',
      name: 'Center tokyo',
      timeZone: 'Asia/Tokyo',
      saltoSiteId: 'site-b',
      products: [{ id: 'desk', name: 'name of desk', accessGroupIds: ['t1'] }],
      reservationUnits: [],
    });
    assert.deepEqual(mappedItemToApiView('desk', { accessGroupIds: ['b', 'a', 'b'] }), {
      id: 'desk',
      name: null,
      accessGroupIds: ['a', 'b'],
    });
  });
});

describe('mapped groups SALTO KS no longer has (GET /api/setup)', () => {
  const view = setupToApiView(
    setupOf({
      berlin: { site: 'site-a', products: { desk: ['g1', 'g2'], idle: [] }, units: { room: ['g3'] } },
      munich: { site: 'site-a', products: { desk: ['g2'] } },
      paris: { site: 'site-b', products: { desk: ['p1'] } },
      oslo: { site: 'site-c', products: { idle: [] } },
      rome: { site: null, products: { desk: ['r1'] } },
    }),
  );

  it('reads only the sites with mapped groups, each once', () => {
    assert.deepEqual(sitesToCheck(view), ['site-a', 'site-b']);
  });

  it('marks each item of a read site with the mapped groups the site no longer lists', () => {
    const checked = withMissingGroups(view, new Map([['site-a', ['g1', 'g3', 'other']]]));
    const berlin = checked.centers.find((c) => c.id === 'berlin');
    assert.deepEqual(
      berlin?.products.map((p) => [p.id, p.missingAccessGroupIds]),
      [
        ['desk', ['g2']],
        ['idle', []],
      ],
    );
    assert.deepEqual(berlin?.reservationUnits[0]?.missingAccessGroupIds, []);
    assert.deepEqual(checked.centers.find((c) => c.id === 'munich')?.products[0]?.missingAccessGroupIds, [
      'g2',
    ]);
  });

  it('a site that was not read, or a center with no site, gets no field rather than a guess', () => {
    const checked = withMissingGroups(view, new Map([['site-a', []]]));
    for (const id of ['paris', 'rome']) {
      assert.deepEqual(
        checked.centers.find((c) => c.id === id),
        view.centers.find((c) => c.id === id),
      );
    }
  });

  it('leaves the view it was given unchanged', () => {
    const copy = structuredClone(view);
    withMissingGroups(view, new Map([['site-a', []]]));
    assert.deepEqual(view, copy);
  });
});

describe('the catalog record (docs/setup-deletions.md)', () => {
  it('reaches nobody and is not shown: it only says where a deletion applies', () => {
    const before = setupOf({ berlin: { site: 'site-a', products: { desk: ['g1'] } } });
    const after = accepted(
      upsertCatalogProduct(before, { id: 'desk', centerId: 'berlin', name: 'name of desk' }),
    );
    assert.deepEqual(after.centers.berlin?.catalog, { products: ['desk'] });
    assert.deepEqual(setupChangeScope(before, after), { everyone: false, centerIds: [] });
    assert.deepEqual(setupToApiView(after).centers, setupToApiView(before).centers);
  });
});
