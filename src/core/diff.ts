// Desired against applied access groups: what to add and remove on each SALTO KS site.
// Activities apply only this difference, so an unchanged group is never touched.
import type { AccessGroupId, SiteGroupDiff, SiteGroups, SiteId } from './types';

function sortedUnique(ids: readonly AccessGroupId[]): AccessGroupId[] {
  return [...new Set(ids)].sort();
}

/** Group ids sorted and deduplicated, sites without groups dropped, sites in id order. */
export function normalizeSiteGroups(groups: SiteGroups): SiteGroups {
  const normalized: SiteGroups = {};
  for (const siteId of Object.keys(groups).sort()) {
    const ids = sortedUnique(groups[siteId] ?? []);
    if (ids.length > 0) normalized[siteId] = ids;
  }
  return normalized;
}

/** Per site, the groups to add and to remove; sites needing nothing are left out. */
export function diffSiteGroups(desired: SiteGroups, applied: SiteGroups): Record<SiteId, SiteGroupDiff> {
  const want = normalizeSiteGroups(desired);
  const have = normalizeSiteGroups(applied);
  const diff: Record<SiteId, SiteGroupDiff> = {};
  for (const siteId of sortedUnique([...Object.keys(want), ...Object.keys(have)])) {
    const wanted = new Set(want[siteId] ?? []);
    const held = new Set(have[siteId] ?? []);
    const add = [...wanted].filter((id) => !held.has(id));
    const remove = [...held].filter((id) => !wanted.has(id));
    if (add.length > 0 || remove.length > 0) diff[siteId] = { add, remove };
  }
  return diff;
}

/** Equal once normalized: order, duplicates and empty sites do not count. */
export function sameSiteGroups(a: SiteGroups, b: SiteGroups): boolean {
  return Object.keys(diffSiteGroups(a, b)).length === 0;
}

/** Whether going from `from` to `to` takes any group away on any site (a revocation). */
export function revokesAny(from: SiteGroups, to: SiteGroups): boolean {
  return Object.values(diffSiteGroups(to, from)).some((d) => d.remove.length > 0);
}
