// The operator's set-up steps: a center's site, then each product's and unit's groups at a center.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptySetup,
  setCenterSite,
  setProductGroups,
  setUnitGroups,
  type SetupEditResult,
  type SetupProblem,
} from '../../src/core/setup-rules';
import type { Setup } from '../../src/core/types';
import { setupOf } from './fixtures';

const SITES = ['site-a', 'site-b'];

function accepted(result: SetupEditResult): Setup {
  if (!result.ok) assert.fail(`expected the edit to pass, got ${JSON.stringify(result.problems)}`);
  return result.setup;
}

function problemsOf(result: SetupEditResult): SetupProblem[] {
  if (result.ok) assert.fail('expected the edit to be rejected');
  return result.problems;
}

describe('emptySetup', () => {
  it('no centers, access kept by default, the given lead and lag, version 0', () => {
    assert.deepEqual(emptySetup(15, 20), {
      centers: {},
      noAccessPolicy: 'keep',
      reservationLeadMinutes: 15,
      reservationLagMinutes: 20,
      version: 0,
    });
  });
  it('rejects a lead or lag that is not a whole number of minutes from 0 to 1440', () => {
    assert.throws(() => emptySetup(-1, 15), /reservationLeadMinutes/);
    assert.throws(() => emptySetup(15, 1441), /reservationLagMinutes/);
    assert.throws(() => emptySetup(1.5, 15), /reservationLeadMinutes/);
  });
});

describe('setCenterSite', () => {
  it('maps a center not yet known from an event, with its name and canonical zone', () => {
    const before = emptySetup(15, 15);
    const result = setCenterSite(
      before,
      'berlin',
      { saltoSiteId: 'site-a', name: 'Berlin Mitte', timeZone: 'europe/berlin' },
      SITES,
    );
    assert.deepEqual(result, {
      ok: true,
      changed: true,
      setup: {
        ...before,
        version: 1,
        centers: {
          berlin: {
            id: 'berlin',
            name: 'Berlin Mitte',
            timeZone: 'Europe/Berlin',
            saltoSiteId: 'site-a',
            products: {},
            reservationUnits: {},
          },
        },
      },
    });
    assert.deepEqual(before.centers, {}, 'the original set-up is left alone');
  });

  it('keeps the name and zone Deskworks told when the request gives none', () => {
    const before = setupOf({ berlin: { site: null, timeZone: 'Europe/Berlin' } });
    const after = accepted(setCenterSite(before, 'berlin', { saltoSiteId: 'site-b' }, SITES));
    assert.equal(after.centers.berlin?.name, 'Center berlin');
    assert.equal(after.centers.berlin?.timeZone, 'Europe/Berlin');
    assert.equal(after.centers.berlin?.saltoSiteId, 'site-b');
    assert.equal(after.version, before.version + 1);
  });

  it('the same site again changes nothing: same set-up, same version', () => {
    const before = setupOf({ berlin: { site: 'site-a', products: { desk: ['g1'] } } });
    const result = setCenterSite(before, 'berlin', { saltoSiteId: 'site-a' }, SITES);
    assert.deepEqual(result, { ok: true, changed: false, setup: before });
  });

  it('another site clears the groups of its products and units (they belonged to the old site), keeps names', () => {
    const before = setupOf({
      berlin: { site: 'site-a', products: { desk: ['g1', 'g2'] }, units: { room: ['g3'] } },
    });
    const after = accepted(setCenterSite(before, 'berlin', { saltoSiteId: 'site-b' }, SITES));
    assert.deepEqual(after.centers.berlin?.products, { desk: { name: 'name of desk', accessGroupIds: [] } });
    assert.deepEqual(after.centers.berlin?.reservationUnits, {
      room: { name: 'name of room', accessGroupIds: [] },
    });
  });

  it('a new name on the same site keeps the groups', () => {
    const before = setupOf({ berlin: { site: 'site-a', products: { desk: ['g1'] } } });
    const after = accepted(
      setCenterSite(before, 'berlin', { saltoSiteId: 'site-a', name: 'Renamed' }, SITES),
    );
    assert.deepEqual(after.centers.berlin?.products.desk?.accessGroupIds, ['g1']);
    assert.equal(after.centers.berlin?.name, 'Renamed');
  });

  const rejections: [string, string, Parameters<typeof setCenterSite>[2], SetupProblem[]][] = [
    [
      'a site SALTO KS does not have',
      'berlin',
      { saltoSiteId: 'site-zz' },
      [
        {
          field: 'saltoSiteId',
          message: 'SALTO KS site "site-zz" does not exist in the connected SALTO KS account',
        },
      ],
    ],
    [
      'a zone that is not IANA',
      'berlin',
      { saltoSiteId: 'site-a', timeZone: 'Berlin/Mitte' },
      [{ field: 'timeZone', message: '"Berlin/Mitte" is not an IANA time zone' }],
    ],
    [
      'a blank name',
      'berlin',
      { saltoSiteId: 'site-a', name: '  ' },
      [{ field: 'name', message: 'name must not be blank' }],
    ],
    [
      'an empty center id',
      '',
      { saltoSiteId: 'site-a' },
      [{ field: 'centerId', message: 'Center id must be a non-empty string' }],
    ],
    [
      'every problem at once',
      'berlin',
      { saltoSiteId: 'nope', timeZone: 'Nowhere', name: '' },
      [
        { field: 'name', message: 'name must not be blank' },
        {
          field: 'saltoSiteId',
          message: 'SALTO KS site "nope" does not exist in the connected SALTO KS account',
        },
        { field: 'timeZone', message: '"Nowhere" is not an IANA time zone' },
      ],
    ],
  ];
  for (const [name, centerId, request, problems] of rejections) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(problemsOf(setCenterSite(emptySetup(15, 15), centerId, request, SITES)), problems);
    });
  }
  it('no site is known while SALTO KS lists none', () => {
    assert.equal(
      problemsOf(setCenterSite(emptySetup(15, 15), 'c', { saltoSiteId: 'site-a' }, []))[0]?.field,
      'saltoSiteId',
    );
  });
});

const itemEdits = [
  {
    name: 'setProductGroups',
    edit: setProductGroups,
    kind: 'products',
    idField: 'productId',
    what: 'Product',
  },
  {
    name: 'setUnitGroups',
    edit: setUnitGroups,
    kind: 'reservationUnits',
    idField: 'unitId',
    what: 'Reservation unit',
  },
] as const;

for (const { name, edit, kind, idField, what } of itemEdits) {
  describe(name, () => {
    const GROUPS = ['g1', 'g2', 'g3'];
    const base = setupOf({
      berlin: { site: 'site-a', timeZone: 'Europe/Berlin' },
      tokyo: { site: 'site-b', timeZone: 'Asia/Tokyo' },
      nosite: { site: null },
    });

    it('maps the item at the center: groups sorted and deduplicated, name kept, next version', () => {
      const after = accepted(
        edit(base, 'berlin', 'x', { accessGroupIds: ['g3', 'g1', 'g3'], name: 'X' }, GROUPS),
      );
      assert.deepEqual(after.centers.berlin?.[kind].x, { name: 'X', accessGroupIds: ['g1', 'g3'] });
      assert.equal(after.version, base.version + 1);
      assert.deepEqual(base.centers.berlin?.[kind], {}, 'the original set-up is left alone');
    });

    it('keeps the name Deskworks told when the request gives none', () => {
      const named = accepted(
        edit(base, 'berlin', 'x', { accessGroupIds: ['g1'], name: 'From Deskworks' }, GROUPS),
      );
      const after = accepted(edit(named, 'berlin', 'x', { accessGroupIds: ['g2'] }, GROUPS));
      assert.deepEqual(after.centers.berlin?.[kind].x, { name: 'From Deskworks', accessGroupIds: ['g2'] });
    });

    it('an empty list unmaps the item', () => {
      const mapped = accepted(edit(base, 'berlin', 'x', { accessGroupIds: ['g1'] }, GROUPS));
      const after = accepted(edit(mapped, 'berlin', 'x', { accessGroupIds: [] }, GROUPS));
      assert.deepEqual(after.centers.berlin?.[kind].x?.accessGroupIds, []);
    });

    it('the same groups again, in another order, change nothing', () => {
      const mapped = accepted(edit(base, 'berlin', 'x', { accessGroupIds: ['g1', 'g2'] }, GROUPS));
      assert.deepEqual(edit(mapped, 'berlin', 'x', { accessGroupIds: ['g2', 'g1'] }, GROUPS), {
        ok: true,
        changed: false,
        setup: mapped,
      });
    });

    it('the same id is mapped independently at two centers', () => {
      const one = accepted(edit(base, 'berlin', 'x', { accessGroupIds: ['g1'] }, GROUPS));
      const two = accepted(edit(one, 'tokyo', 'x', { accessGroupIds: ['t9'] }, ['t9']));
      assert.deepEqual(two.centers.berlin?.[kind].x?.accessGroupIds, ['g1']);
      assert.deepEqual(two.centers.tokyo?.[kind].x?.accessGroupIds, ['t9']);
    });

    const rejections: [string, string, string, string[], SetupProblem[]][] = [
      [
        'a center without a site',
        'nosite',
        'x',
        ['g1'],
        [
          {
            field: 'centerId',
            message: 'Center "nosite" has no SALTO KS site: map the center to a site first',
          },
        ],
      ],
      [
        'a center the set-up does not know',
        'atlantis',
        'x',
        ['g1'],
        [
          {
            field: 'centerId',
            message: 'Center "atlantis" has no SALTO KS site: map the center to a site first',
          },
        ],
      ],
      [
        'a group that is not on the center’s site',
        'berlin',
        'x',
        ['g1', 'g-other-site'],
        [
          {
            field: 'accessGroupIds.1',
            message: 'Access group "g-other-site" is not on SALTO KS site "site-a" of center "berlin"',
          },
        ],
      ],
      [
        'several such groups, each named',
        'berlin',
        'x',
        ['bad-1', 'g2', 'bad-2'],
        [
          {
            field: 'accessGroupIds.0',
            message: 'Access group "bad-1" is not on SALTO KS site "site-a" of center "berlin"',
          },
          {
            field: 'accessGroupIds.2',
            message: 'Access group "bad-2" is not on SALTO KS site "site-a" of center "berlin"',
          },
        ],
      ],
      [
        'an empty item id',
        'berlin',
        '',
        ['g1'],
        [{ field: idField, message: `${what} id must be a non-empty string` }],
      ],
    ];
    for (const [why, centerId, itemId, groupIds, problems] of rejections) {
      it(`rejects ${why}`, () => {
        assert.deepEqual(
          problemsOf(edit(base, centerId, itemId, { accessGroupIds: groupIds }, GROUPS)),
          problems,
        );
      });
    }

    it('rejects a blank name', () => {
      assert.deepEqual(problemsOf(edit(base, 'berlin', 'x', { accessGroupIds: ['g1'], name: '' }, GROUPS)), [
        { field: 'name', message: 'name must not be blank' },
      ]);
    });
  });
}
