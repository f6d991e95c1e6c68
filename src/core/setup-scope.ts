// Rule 7: a set-up change reaches every affected person with no Deskworks event. This says who
// is affected, so the set-up workflow tells only them (or everyone, when the change is global).
import { sameContent } from './setup-edit';
import type { CenterSetup, MappedItem, Setup } from './types';

export interface SetupChangeScope {
  /** Every person must reconcile (the policy, the lead or the lag changed). */
  everyone: boolean;
  /** People touching these centers must reconcile; sorted. */
  centerIds: string[];
}

function effectiveGroups(items: Record<string, MappedItem>): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const [id, item] of Object.entries(items)) {
    const ids = [...new Set(item.accessGroupIds)].sort();
    if (ids.length > 0) groups[id] = ids;
  }
  return groups;
}

/**
 * What about a center decides access. Names do not; an unmapped item is as good as an absent one;
 * and without a site nothing at the center gives access, so a site-less center is as good as none.
 */
function accessRelevant(center: CenterSetup | undefined): unknown {
  if (!center || center.saltoSiteId === null) return null;
  return {
    site: center.saltoSiteId,
    timeZone: center.timeZone ?? null, // billing days start at midnight in it
    products: effectiveGroups(center.products),
    units: effectiveGroups(center.reservationUnits),
  };
}

export function setupChangeScope(before: Setup, after: Setup): SetupChangeScope {
  const everyone =
    before.noAccessPolicy !== after.noAccessPolicy ||
    before.reservationLeadMinutes !== after.reservationLeadMinutes ||
    before.reservationLagMinutes !== after.reservationLagMinutes;
  const ids = [...new Set([...Object.keys(before.centers), ...Object.keys(after.centers)])].sort();
  const centerIds = ids.filter(
    (id) => !sameContent(accessRelevant(before.centers[id]), accessRelevant(after.centers[id])),
  );
  return { everyone, centerIds };
}
