// Names the set-up keeps are bounded (SETUP_NAME_MAX): an admin's longer name is refused naming the
// field, a catalog event's is cut, so no event can swell the set-up workflow past Temporal's limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryFor } from '../../src/api/event-router';
import { checkOptionalName, SETUP_NAME_MAX, setupName } from '../../src/core/setup-edit';
import { productUpdated, centerUpdated } from '../../src/demo/event-builders';

const DOOR = '\u{1F6AA}'; // one character, two UTF-16 units

void describe('names in the set-up', () => {
  void it('keeps a name of up to 200 characters as it is, emoji counted as one', () => {
    assert.equal(SETUP_NAME_MAX, 200);
    const name = DOOR.repeat(200);
    assert.equal(setupName(name), name);
    assert.deepEqual(checkOptionalName(name), []);
  });

  void it('cuts a longer catalog name to 200 characters ending in an ellipsis, never inside an emoji', () => {
    const cut = setupName(DOOR.repeat(100_000));
    assert.equal([...cut].length, 200);
    assert.equal(cut, `${DOOR.repeat(199)}…`);
  });

  void it('refuses a longer name from the admin, naming the field', () => {
    assert.deepEqual(checkOptionalName('x'.repeat(201)), [
      { field: 'name', message: 'name must be at most 200 characters' },
    ]);
    assert.deepEqual(checkOptionalName('  '), [{ field: 'name', message: 'name must not be blank' }]);
  });

  void it('routes a catalog event with a huge name to the set-up with the name cut', () => {
    const product = deliveryFor(productUpdated({ id: 'p-1', centerId: 'c-1', name: 'Ö'.repeat(100_000) }));
    assert.equal(product.workflow, 'setup');
    assert.ok(product.workflow === 'setup' && product.event.type === 'product');
    assert.equal([...product.event.product.name].length, 200);
    const center = deliveryFor(centerUpdated({ id: 'c-1', name: 'Berlin Mitte', timeZone: 'Europe/Berlin' }));
    assert.ok(center.workflow === 'setup' && center.event.type === 'center');
    assert.equal(center.event.center.name, 'Berlin Mitte');
  });
});
