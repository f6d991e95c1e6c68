// Ids are keys of plain objects all through the engine's state (centers, products, units,
// billings, reservations, users by site). A key that names a property every object inherits
// ("constructor", "__proto__", "toString", …) would read that inherited property instead of
// nothing, or replace the object's prototype, and break the workflow that holds it. Such ids are
// refused where they come in, as a 400 naming the field: a departure from the contract's "any
// 1–200 characters", for names that no Deskworks id takes.
const INHERITED = new Set([
  '__proto__',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

/** Why `id` cannot be used as an id, or null. */
export function reservedIdProblem(id: string): string | null {
  return INHERITED.has(id)
    ? `must not be "${id}": that name belongs to every JavaScript object, so it cannot be a key of the engine's state`
    : null;
}
