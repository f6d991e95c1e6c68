// The current details the Temporal Web UI shows of a person's and a reservation's workflow: what
// is held and why, what is awaited — in ids and instants, never a name, an e-mail or an error text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personDetails, reservationDetails } from '../../src/workflows/current-details';
import type { DesiredAccess } from '../../src/core/types';

const desired: DesiredAccess = {
  reasons: {
    'site-1': {
      'ag-floor': [{ kind: 'billing', billingId: 'b-1', productId: 'flex', centerId: 'berlin' }],
      'ag-room': [
        { kind: 'reservation', reservationId: 'r-5', unitId: 'spree', centerId: 'berlin' },
        { kind: 'master', masterId: 'm-ada' },
      ],
    },
  },
  groups: { 'site-1': ['ag-floor', 'ag-room'] },
  planGroups: { 'site-1': ['ag-floor'] },
  nextChangeAt: '2026-12-03T09:45:00.000Z',
  warnings: [],
};

describe('personDetails', () => {
  it('lists per site each group held, to be added or to be removed, with its reasons, and what it waits for', () => {
    const text = personDetails({
      inSync: false,
      lastSyncAt: null,
      failedAttempts: 0,
      failingSince: null,
      applied: { 'site-1': ['ag-floor', 'ag-old'] },
      desired,
      claimsConfirmAt: { 'site-1': '2026-12-02T10:02:00.000Z' },
      wakeAt: null,
    });
    assert.equal(
      text,
      [
        '**Out of sync**: its doors are being written.',
        '',
        'Site `site-1`:',
        '',
        '- `ag-floor`: holds — billing b-1 (product flex at berlin)',
        '- `ag-old`: holds, to be removed',
        '- `ag-room`: to be added — reservation r-5 (unit spree at berlin); master m-ada',
        '',
        'Waits for the confirmation of its claim on a SALTO KS user of site `site-1` at 2026-12-02T10:02:00.000Z, its access to change by itself at 2026-12-03T09:45:00.000Z, or an event.',
      ].join('\n'),
    );
  });

  it('says in sync, or how many passes failed since when and that it retries, never the error', () => {
    const base = {
      lastSyncAt: '2026-12-02T10:00:00.000Z',
      applied: {},
      desired: null,
      claimsConfirmAt: {},
      wakeAt: Date.parse('2026-12-02T10:05:00Z'),
    };
    const ok = personDetails({ ...base, inSync: true, failedAttempts: 0, failingSince: null });
    assert.match(ok, /^\*\*In sync\*\* with SALTO KS \(last pass 2026-12-02T10:00:00.000Z\)\./);
    assert.match(ok, /Holds no access group\./);
    assert.match(ok, /Waits for an event\.$/);
    const failing = personDetails({
      ...base,
      inSync: false,
      failedAttempts: 3,
      failingSince: '2026-12-02T09:50:00.000Z',
    });
    assert.match(
      failing,
      /^\*\*Out of sync\*\*: 3 failed passes since 2026-12-02T09:50:00.000Z; retried by itself\./,
    );
    assert.match(failing, /Waits for its next retry at 2026-12-02T10:05:00.000Z, or an event\.$/);
  });

  it('keeps a backtick in an id from breaking the markdown', () => {
    const text = personDetails({
      inSync: true,
      lastSyncAt: null,
      failedAttempts: 0,
      failingSince: null,
      applied: { 'si`te': ['g`1'] },
      desired: null,
      claimsConfirmAt: {},
      wakeAt: null,
    });
    assert.match(text, /Site `si'te`:\n\n- `g'1`: holds, to be removed/);
  });
});

describe('reservationDetails', () => {
  const window = { windowStart: '2026-12-03T09:45:00.000Z', windowEnd: '2026-12-03T11:15:00.000Z' };
  it('says the state, the customer id and the window', () => {
    assert.equal(
      reservationDetails({ state: 'scheduled', personId: 'nm-frida', ...window }),
      "**Scheduled** for customer `nm-frida`: door access from 2026-12-03T09:45:00.000Z to 2026-12-03T11:15:00.000Z.\n\nThe person's workflow opens and closes the door then; this one waits for a change.",
    );
    assert.match(
      reservationDetails({ state: 'granted', personId: 'nm-frida', ...window }),
      /^\*\*Granted\*\*/,
    );
    assert.match(
      reservationDetails({ state: 'revoked', personId: 'nm-frida', ...window }),
      /access taken back/,
    );
    assert.equal(
      reservationDetails({ state: 'cancelled', personId: null, windowStart: null, windowEnd: null }),
      '**Cancelled** for no customer known yet: grants nothing.\n\nLingers for late duplicates.',
    );
  });
});
