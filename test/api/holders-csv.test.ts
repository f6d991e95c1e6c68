// The holders CSV (GET …/holders?format=csv): one line per holder that a spreadsheet reads back
// as written — quoted where a field holds a comma, quote or line break, and a field that would
// start a formula defused (CSV injection), since names come from Deskworks as typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holderCsvLine, holdersVisibilityQuery, type Holder } from '../../src/api/holders-routes';

const holder = (over: Partial<Holder>): Holder => ({
  personId: 'm-1',
  name: { firstName: 'Ada', lastName: 'Lovelace' },
  email: 'ada@example.com',
  kind: 'member',
  reasons: [{ kind: 'billing', billingId: 'b-1', productId: 'p-flex', centerId: 'c-ber' }],
  accessError: null,
  ...over,
});

describe('the holders CSV', () => {
  it('writes one CRLF line with every reason in words', () => {
    const line = holderCsvLine(
      holder({
        reasons: [
          { kind: 'billing', billingId: 'b-1', productId: 'p-flex', centerId: 'c-ber' },
          {
            kind: 'reservation',
            reservationId: 'r-5',
            unitId: 'u-spree',
            centerId: 'c-ber',
            windowStart: '2026-12-02T09:45:00.000Z',
            windowEnd: '2026-12-02T11:15:00.000Z',
          },
        ],
      }),
    );
    assert.equal(
      line,
      'm-1,Ada,Lovelace,ada@example.com,member,"billing b-1 (product p-flex at c-ber); reservation r-5 (unit u-spree at c-ber), from 2026-12-02T09:45:00.000Z to 2026-12-02T11:15:00.000Z"\r\n',
    );
  });

  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    const line = holderCsvLine(
      holder({ name: { firstName: '=HYPERLINK("x")', lastName: 'O"Brien, Jr.\nthe second' }, reasons: [] }),
    );
    assert.equal(
      line,
      `m-1,"'=HYPERLINK(""x"")","O""Brien, Jr.\nthe second",ada@example.com,member,no rule gives it any more: being removed\r\n`,
    );
    assert.match(
      holderCsvLine(holder({ name: null, email: null, accessError: 'busy' })),
      /^m-1,,,,member,unknown: busy\r\n$/,
    );
  });

  it('finds holders by one keyword of the held-groups attribute, quotes escaped', () => {
    assert.equal(
      holdersVisibilityQuery("site'1", 'g/2'),
      "WorkflowType = 'personWorkflow' AND ExecutionStatus = 'Running' AND SaltoHeldGroups = 'site\\'1/g%2F2'",
    );
  });
});
