// Collecting why a person holds each group (rule 4: access is the union of every reason).
import type { AccessGroupId, AccessReason, DesiredAccess, SiteGroups, SiteId } from './types';

export type ReasonsBySite = DesiredAccess['reasons'];

/** Records the reason for each group; the caller owns `reasons` (a fresh object it is building). */
export function addReason(
  reasons: ReasonsBySite,
  siteId: SiteId,
  groupIds: readonly AccessGroupId[],
  reason: AccessReason,
): void {
  const site = (reasons[siteId] ??= {});
  for (const groupId of new Set(groupIds)) (site[groupId] ??= []).push(reason);
}

/** Sites and groups in id order, so equal access always looks the same (histories, queries, tests). */
export function sortReasons(reasons: ReasonsBySite): ReasonsBySite {
  const sorted: ReasonsBySite = {};
  for (const siteId of Object.keys(reasons).sort()) {
    const site = reasons[siteId] ?? {};
    const groupIds = Object.keys(site).sort();
    if (groupIds.length === 0) continue;
    sorted[siteId] = {};
    for (const groupId of groupIds) sorted[siteId][groupId] = site[groupId] ?? [];
  }
  return sorted;
}

/** The groups alone: sorted, no empty sites. */
export function groupsOf(reasons: ReasonsBySite): SiteGroups {
  const groups: SiteGroups = {};
  for (const siteId of Object.keys(reasons).sort()) {
    const groupIds = Object.keys(reasons[siteId] ?? {}).sort();
    if (groupIds.length > 0) groups[siteId] = groupIds;
  }
  return groups;
}
