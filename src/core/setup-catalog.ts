// The catalog Deskworks tells through events (center.updated, product.updated,
// reservation_unit.updated, product.deleted, reservation_unit.deleted): names and time zones for
// the set-up page. An update never touches the operator's site or group choices; a deletion
// removes the item with its mapping, so a deleted product gives nothing any more.
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
import type { Setup } from './types';

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

function upsertItem(kind: MappedKind, what: string, setup: Setup, item: CatalogItem): SetupEditResult {
  const problems = [
    ...requireId(item.id, 'id', what),
    ...requireId(item.centerId, 'centerId', 'Center'),
    ...checkName(item.name),
  ];
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  const items = centerIn(next, item.centerId)[kind];
  items[item.id] = { accessGroupIds: [], ...items[item.id], name: item.name };
  return commit(setup, next);
}

export function upsertCatalogProduct(setup: Setup, product: CatalogItem): SetupEditResult {
  return upsertItem('products', 'Product', setup, product);
}

export function upsertCatalogUnit(setup: Setup, unit: CatalogItem): SetupEditResult {
  return upsertItem('reservationUnits', 'Reservation unit', setup, unit);
}

/** `*.deleted` carries only the id: remove it at every center that has it. */
function removeItem(kind: MappedKind, what: string, setup: Setup, itemId: string): SetupEditResult {
  const problems = requireId(itemId, 'id', what);
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  for (const center of Object.values(next.centers)) delete center[kind][itemId];
  return commit(setup, next);
}

export function removeCatalogProduct(setup: Setup, productId: string): SetupEditResult {
  return removeItem('products', 'Product', setup, productId);
}

export function removeCatalogUnit(setup: Setup, unitId: string): SetupEditResult {
  return removeItem('reservationUnits', 'Reservation unit', setup, unitId);
}
