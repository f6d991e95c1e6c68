// What a pass's set-up check compares besides the version: equal set-ups give one fingerprint,
// and a set-up that differs in anything (the same version with other content included) another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSameSetup, setupFingerprint } from '../../src/core/setup-fingerprint';
import { emptySetup } from '../../src/core/setup-rules';
import type { Setup } from '../../src/core/types';

describe('setupFingerprint', () => {
  const base: Setup = {
    ...emptySetup(15, 15),
    version: 3,
    centers: {
      berlin: {
        id: 'berlin',
        saltoSiteId: 'site-1',
        timeZone: 'Europe/Berlin',
        products: { flex: { accessGroupIds: ['ag-1', 'ag-2'] } },
        reservationUnits: {},
      },
    },
  };

  it('is the same for the same set-up, read twice', () => {
    const copy = JSON.parse(JSON.stringify(base)) as Setup;
    assert.equal(setupFingerprint(copy), setupFingerprint(base));
    assert.match(setupFingerprint(base), /^[0-9a-f]{16}$/);
  });

  it('differs for the same version with another mapping, policy or minutes, and for another version', () => {
    const seen = new Set([setupFingerprint(base)]);
    const variants: Setup[] = [
      { ...base, version: 4 },
      { ...base, noAccessPolicy: 'block' },
      { ...base, reservationLeadMinutes: 16 },
      {
        ...base,
        centers: {
          berlin: { ...base.centers.berlin!, products: { flex: { accessGroupIds: ['ag-1'] } } },
        },
      },
    ];
    for (const v of variants) seen.add(setupFingerprint(v));
    assert.equal(seen.size, variants.length + 1);
  });

  it('isSameSetup holds only for the version and content a check names', () => {
    const held = { version: base.version, fingerprint: setupFingerprint(base) };
    assert.equal(isSameSetup(JSON.parse(JSON.stringify(base)) as Setup, held), true);
    assert.equal(isSameSetup({ ...base, version: 4 }, held), false, 'another version');
    assert.equal(
      isSameSetup({ ...base, noAccessPolicy: 'block' }, held),
      false,
      'same version, other content',
    );
    assert.equal(isSameSetup(base, { ...held, version: 2 }), false, 'a check of an earlier version');
  });
});
