// The catalog Deskworks tells through events (center.updated, product.updated,
// reservation_unit.updated, product.deleted, reservation_unit.deleted): names and time zones for
// the set-up page. An update never touches the operator's site or group choices; a deletion
// removes the item with its mapping where the catalog offered it, so it gives nothing there.
import { canonicalTimeZone } from './dates';
import type { MappedKind } from './mapping';
import {
  centerIn,
  cloneSetup,
  commit,
  isNonEmptyString,
  rejected,
  requireId,
  type SetupEditResult,
  type SetupProblem,
} from './setup-edit';
import type { CenterSetup, Setup } from './types';

/** Deskworks `Center`. */
export interface CatalogCenter {
  id: string;
  name: string;
  timeZone: string;
}

/** Deskworks `Product` or `ReservationUnit`: both belong to one center. */
export interface CatalogItem {
  id: string;
  centerId: string;
  name: string;
}

function checkName(name: unknown): SetupProblem[] {
  return isNonEmptyString(name) ? [] : [{ field: 'name', message: 'name must not be blank' }];
}

export function upsertCatalogCenter(setup: Setup, center: CatalogCenter): SetupEditResult {
  const timeZone = canonicalTimeZone(center.timeZone);
  const problems = [...requireId(center.id, 'id', 'Center'), ...checkName(center.name)];
  if (timeZone === null) {
    problems.push({ field: 'timeZone', message: `"${center.timeZone}" is not an IANA time zone` });
  }
  if (problems.length > 0 || timeZone === null) return rejected(problems);

  const next = cloneSetup(setup);
  const held = centerIn(next, center.id);
  held.name = center.name;
  held.timeZone = timeZone;
  return commit(setup, next);
}

/** Remembers that the catalog named `itemId` at `center` (a copy being edited). */
function rememberCatalogItem(center: CenterSetup, kind: MappedKind, itemId: string): void {
  const catalog = (center.catalog ??= {});
  catalog[kind] = [...new Set([...(catalog[kind] ?? []), itemId])].sort();
}

function upsertItem(kind: MappedKind, what: string, setup: Setup, item: CatalogItem): SetupEditResult {
  const problems = [
    ...requireId(item.id, 'id', what),
    ...requireId(item.centerId, 'centerId', 'Center'),
    ...checkName(item.name),
  ];
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  const center = centerIn(next, item.centerId);
  center[kind][item.id] = { accessGroupIds: [], ...center[kind][item.id], name: item.name };
  rememberCatalogItem(center, kind, item.id);
  return commit(setup, next);
}

export function upsertCatalogProduct(setup: Setup, product: CatalogItem): SetupEditResult {
  return upsertItem('products', 'Product', setup, product);
}

export function upsertCatalogUnit(setup: Setup, unit: CatalogItem): SetupEditResult {
  return upsertItem('reservationUnits', 'Reservation unit', setup, unit);
}

/**
 * The centers a `*.deleted` event (which carries only the id) applies to. A Product or
 * ReservationUnit belongs to the center its `*.updated` event named, so the deletion applies
 * there: at each center whose catalog named the id. The same id mapped by hand at another center
 * is that center's own choice and stays. Only when no catalog event ever named the id does
 * nothing tell its center, and the deletion applies at every center that has it.
 */
export function catalogDeletionCenters(setup: Setup, kind: MappedKind, itemId: string): string[] {
  const all = Object.keys(setup.centers).sort();
  const named = all.filter((id) => setup.centers[id]?.catalog?.[kind]?.includes(itemId));
  return named.length > 0 ? named : all;
}

function removeItem(kind: MappedKind, what: string, setup: Setup, itemId: string): SetupEditResult {
  const problems = requireId(itemId, 'id', what);
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  // The catalog record stays: a repeated deletion then reaches no further than the first.
  for (const centerId of catalogDeletionCenters(setup, kind, itemId)) {
    const center = next.centers[centerId];
    if (center) delete center[kind][itemId];
  }
  return commit(setup, next);
}

export function removeCatalogProduct(setup: Setup, productId: string): SetupEditResult {
  return removeItem('products', 'Product', setup, productId);
}

export function removeCatalogUnit(setup: Setup, unitId: string): SetupEditResult {
  return removeItem('reservationUnits', 'Reservation unit', setup, unitId);
}
