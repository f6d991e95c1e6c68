// A row becomes the webhook event that carries its snapshot, validated as the webhook validates,
// with an id that depends on the row's content only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billing, memberSnapshot } from '../../src/demo/event-builders';
import { eventForRow, importEventId } from '../../src/import/import-rows';

const member = memberSnapshot({
  id: 'm-1',
  centerId: 'c-1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  recurringBillings: [billing({ id: 'b-1', productId: 'p-1', centerId: 'c-1', startDate: '2026-01-01' })],
});
const AT = '2026-12-01T10:00:00.000Z';

describe('eventForRow', () => {
  it('makes a member row the member.updated event of that snapshot', () => {
    const result = eventForRow(7, JSON.stringify({ kind: 'member', data: member }), AT);
    assert.ok(result.ok);
    assert.equal(result.event.type, 'member.updated');
    assert.deepEqual(result.event.data, member);
    assert.equal(result.event.occurredAt, AT);
  });

  it('gives the same id to the same content whatever the key order or import time, and another to other content', () => {
    const reordered = Object.fromEntries(Object.entries(member).reverse());
    const a = eventForRow(1, JSON.stringify({ kind: 'member', data: member }), AT);
    const b = eventForRow(9, JSON.stringify({ data: reordered, kind: 'member' }), '2027-01-01T00:00:00Z');
    const c = eventForRow(1, JSON.stringify({ kind: 'member', data: { ...member, lastName: 'Byron' } }), AT);
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(a.event.id, b.event.id);
    assert.notEqual(a.event.id, c.event.id);
    assert.notEqual(importEventId('member', member), importEventId('reservation', member));
  });

  it('names the row and the field of every problem', () => {
    const cases: [string, { field: string; message: RegExp }][] = [
      ['{"kind":"member"', { field: '(row)', message: /not valid JSON/ }],
      ['[1,2]', { field: '(row)', message: /must be an object/ }],
      [
        JSON.stringify({ kind: 'visitor', data: {} }),
        { field: 'kind', message: /must be one of center, product/ },
      ],
      [
        JSON.stringify({ kind: 'member', data: member, note: 1 }),
        { field: 'note', message: /unknown field/ },
      ],
      [
        JSON.stringify({ kind: 'member', data: { ...member, email: 'nope' } }),
        { field: 'data.email', message: /./ },
      ],
      [
        JSON.stringify({
          kind: 'member',
          data: {
            ...member,
            recurringBillings: [{ ...member.recurringBillings[0], startDate: '2026-13-40' }],
          },
        }),
        { field: 'data.recurringBillings.0.startDate', message: /./ },
      ],
    ];
    for (const [text, expected] of cases) {
      const result = eventForRow(42, text, AT);
      assert.ok(!result.ok, text);
      assert.equal(result.issues[0]!.row, 42);
      assert.equal(result.issues[0]!.field, expected.field, text);
      assert.match(result.issues[0]!.message, expected.message);
    }
  });
});
