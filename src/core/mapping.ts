// Reading the set-up: which groups a product or reservation unit gives at a center, and the center's zone.
import { isValidTimeZone } from './dates';
import type { AccessGroupId, Setup, SiteId } from './types';

export type MappedKind = 'products' | 'reservationUnits';

export interface MappedGroups {
  siteId: SiteId;
  /** Sorted, deduplicated, never empty. */
  groupIds: AccessGroupId[];
}

/**
 * The groups mapped to that product or unit at that center, on the center's site; null when the
 * center is unknown, has no site, or the item maps to no group (then it gives nothing).
 */
export function mappedGroups(
  setup: Setup,
  centerId: string,
  kind: MappedKind,
  itemId: string,
): MappedGroups | null {
  const center = setup.centers[centerId];
  if (!center || center.saltoSiteId === null) return null;
  const item = center[kind][itemId];
  const groupIds = [...new Set(item?.accessGroupIds ?? [])].sort();
  return groupIds.length > 0 ? { siteId: center.saltoSiteId, groupIds } : null;
}

/** The zone billing dates of that center are read in: UTC while the center's zone is unknown. */
export function centerTimeZone(setup: Setup, centerId: string): string {
  const zone = setup.centers[centerId]?.timeZone;
  return zone !== undefined && isValidTimeZone(zone) ? zone : 'UTC';
}
