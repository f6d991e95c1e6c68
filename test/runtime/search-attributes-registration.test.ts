// A namespace that will not let the worker create search attributes (Temporal Cloud answers
// PERMISSION_DENIED): one message naming what is missing and how to create it, then quiet
// rechecks until it exists. The operator service is a stand-in here (no local server refuses
// this); the dev-server path that does register them is covered by test/temporal-servers.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '@temporalio/client';
import {
  ensureSearchAttributes,
  SearchAttributesMissingError,
} from '../../src/runtime/search-attributes-registration';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/shared/search-attributes';

function cloudLikeConnection(present: () => string[]): { connection: Connection; adds: number } {
  const state = { adds: 0 };
  const operatorService = {
    listSearchAttributes: () =>
      Promise.resolve({
        customAttributes: Object.fromEntries(present().map((n) => [n, 1])),
        systemAttributes: {},
      }),
    addSearchAttributes: () => {
      state.adds++;
      return Promise.reject(Object.assign(new Error('Request unauthorized.'), { code: 7 }));
    },
  };
  return {
    connection: { operatorService } as unknown as Connection,
    get adds() {
      return state.adds;
    },
  };
}

describe('search attributes on a namespace that refuses to create them', () => {
  const all = SEARCH_ATTRIBUTE_DEFINITIONS.map((k) => k.name);

  it('says once which are missing, with the commands that create them, and goes on once they exist', async () => {
    let existing = all.slice(0, 1);
    const fake = cloudLikeConnection(() => existing);
    const lines: string[] = [];
    let rechecks = 0;
    const done = ensureSearchAttributes(
      fake.connection,
      'acme.a1b2c',
      (line) => {
        lines.push(line);
      },
      5,
    );
    // Let a few rechecks pass, then an operator creates them.
    while (fake.adds < 4) await new Promise((r) => setTimeout(r, 5));
    rechecks = fake.adds;
    existing = all;
    assert.deepEqual(await done, []);
    assert.ok(rechecks >= 4);
    assert.equal(lines.length, 1, `one message, not one per recheck: ${lines.join(' | ')}`);
    const message = lines[0]!;
    for (const name of all.slice(1)) assert.ok(message.includes(name), `${name} named`);
    assert.ok(!message.includes(`${all[0]} (`), 'an attribute that exists is not listed');
    assert.match(message, /tcld namespace search-attributes add --namespace acme\.a1b2c/);
    assert.match(message, /temporal operator search-attribute create --namespace acme\.a1b2c/);
  });

  it('the refusal names the namespace and each missing attribute with its type', () => {
    const err = new SearchAttributesMissingError('ns', [{ name: 'DeskworksPersonId', type: 'KEYWORD' }]);
    assert.match(err.message, /namespace ns lacks .*DeskworksPersonId \(Keyword\)/);
  });
});
